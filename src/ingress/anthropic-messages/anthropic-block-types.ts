/**
 * The content block types a Messages API request may carry (the official SDK's `ContentBlockParam` and its
 * beta additions). A type outside this list is refused; a listed type the chat form cannot carry (server
 * tool calls and results, MCP blocks, uploads) is dropped on the converted path with a warning, and still
 * reaches an Anthropic upstream untouched on the native path.
 */

/** Blocks with a chat-completions equivalent. */
type ConvertibleBlockType =
  | 'text'
  | 'image'
  | 'document'
  | 'search_result'
  | 'compaction'
  | 'tool_use'
  | 'tool_result'
  | 'thinking'
  | 'redacted_thinking';

/** Blocks only Anthropic's servers can act on. */
export type ServerOnlyBlockType =
  | 'server_tool_use'
  | 'web_search_tool_result'
  | 'web_fetch_tool_result'
  | 'advisor_tool_result'
  | 'code_execution_tool_result'
  | 'bash_code_execution_tool_result'
  | 'text_editor_code_execution_tool_result'
  | 'tool_search_tool_result'
  | 'mcp_tool_use'
  | 'mcp_tool_result'
  | 'mcp_tool_listing'
  | 'container_upload'
  | 'tool_reference'
  | 'tool_addition'
  | 'tool_removal'
  | 'browser_state'
  | 'fallback';

/** Every content block type a Messages request may carry. */
export type AnthropicBlockType = ConvertibleBlockType | ServerOnlyBlockType;

const knownBlockTypes: ReadonlySet<string> = new Set<AnthropicBlockType>([
  'text',
  'image',
  'document',
  'search_result',
  'compaction',
  'tool_use',
  'tool_result',
  'thinking',
  'redacted_thinking',
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'advisor_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'mcp_tool_use',
  'mcp_tool_result',
  'mcp_tool_listing',
  'container_upload',
  'tool_reference',
  'tool_addition',
  'tool_removal',
  'browser_state',
  'fallback',
]);

/** True when `type` is a content block type the Messages API documents. */
export function isAnthropicBlockType(type: string): type is AnthropicBlockType {
  return knownBlockTypes.has(type);
}

const convertibleBlockTypes: ReadonlySet<string> = new Set<ConvertibleBlockType>([
  'text',
  'image',
  'document',
  'search_result',
  'compaction',
  'tool_use',
  'tool_result',
  'thinking',
  'redacted_thinking',
]);

/** True when `type` is a block only Anthropic's servers can act on (dropped on the converted path). */
export function isServerOnlyBlockType(type: AnthropicBlockType): type is ServerOnlyBlockType {
  return !convertibleBlockTypes.has(type);
}

/**
 * An Anthropic `system` and `messages` converted to chat-completions messages, in order:
 * - `system` becomes a leading system message; text blocks stay parts so their `cache_control` survives.
 * - a `role: "system"` message inside `messages` (Claude Code sends them) stays a system message there.
 * - a user turn's `tool_result` blocks become one `tool` message each, in order, and the turn's other
 *   content follows them as a user message: chat requires tool messages right after the tool calls.
 * - an assistant turn becomes one assistant message: its text, its thinking as `reasoning` and its
 *   `tool_use` blocks as `tool_calls`.
 */
import type {
  AssistantMessage,
  ChatMessage,
  ContentPart,
  TextContentPart,
  ToolCall,
  ToolMessage,
} from '../../core/chat-request.js';
import {
  type AnthropicBlockType,
  isAnthropicBlockType,
  isServerOnlyBlockType,
} from './anthropic-block-types.js';
import { convertContentBlock, convertTextBlock, readCacheControl } from './convert-content-block.js';
import type { WarningList } from './create-warning-list.js';
import {
  describeValue,
  invalidRequest,
  readArray,
  readOptionalBoolean,
  readOptionalString,
  readRecord,
  readString,
} from './read-json-value.js';

const serverOnlyReason = 'runs only on Anthropic servers and cannot be sent to other providers; dropped';
const signatureReason =
  'a thinking signature cannot be carried to other providers; the thinking text is sent as reasoning';

/** The ids of the tool_use blocks seen so far, which later tool_result blocks must name. */
type ToolUseIds = Set<string>;

function readBlock(
  value: unknown,
  path: string,
): { block: Record<string, unknown>; type: AnthropicBlockType } {
  const block = readRecord(value, path);
  const type = readString(block.type, `${path}.type`);
  if (!isAnthropicBlockType(type)) {
    throw invalidRequest(`${path}.type`, `unknown content block type ${describeValue(type)}`);
  }
  return { block, type };
}

function notAllowed(path: string, type: string, role: string): Error {
  return invalidRequest(`${path}.type`, `a ${type} block is not allowed in a ${role} message`);
}

/** System content: a string, or text blocks kept as parts (with their cache breakpoints). */
function systemContent(value: unknown, path: string): string | TextContentPart[] {
  if (typeof value === 'string') return value;
  return readArray(value, path).map((item, index) => {
    const itemPath = `${path}[${index}]`;
    const block = readRecord(item, itemPath);
    if (block.type !== 'text') {
      throw invalidRequest(`${itemPath}.type`, `expected "text", got ${describeValue(block.type)}`);
    }
    return convertTextBlock(block, itemPath);
  });
}

/** The content of a tool_result, with `is_error` said in the text (chat tool messages have no flag). */
function toolResultContent(
  block: Record<string, unknown>,
  path: string,
  warnings: WarningList,
): string | ContentPart[] {
  const isError = readOptionalBoolean(block.is_error, `${path}.is_error`) === true;
  const cacheControl = readCacheControl(block.cache_control, `${path}.cache_control`);
  const raw = block.content;
  let parts: ContentPart[];
  if (raw == null || typeof raw === 'string') {
    const text = raw ?? '';
    parts = [{ type: 'text', text: isError ? (text === '' ? 'Error' : `Error: ${text}`) : text }];
  } else {
    parts = [];
    readArray(raw, `${path}.content`).forEach((item, index) => {
      const itemPath = `${path}.content[${index}]`;
      const { block: inner, type } = readBlock(item, itemPath);
      switch (type) {
        case 'text':
        case 'image':
        case 'document':
        case 'search_result':
        case 'compaction':
          parts.push(...convertContentBlock(inner, type, itemPath, warnings));
          return;
        case 'tool_reference':
        case 'browser_state':
          warnings.add(itemPath, `a ${type} block ${serverOnlyReason}`);
          return;
        default:
          throw notAllowed(itemPath, type, 'tool_result');
      }
    });
    if (isError) {
      const first = parts[0];
      if (first?.type === 'text') {
        const text = (first as TextContentPart).text;
        parts[0] = { ...(first as TextContentPart), text: `Error: ${text}` };
      } else {
        parts.unshift({ type: 'text', text: 'Error' });
      }
    }
  }
  // The breakpoint on the result block moves onto its last text part, where chat keeps breakpoints.
  if (cacheControl !== undefined) {
    const lastText = parts.findLast((part): part is TextContentPart => part.type === 'text');
    if (lastText === undefined) {
      parts.push({ type: 'text', text: '', cache_control: cacheControl });
    } else {
      lastText.cache_control = cacheControl;
    }
  }
  const only = parts[0];
  // One plain text part reads best as a string: some chat upstreams take only strings in tool messages.
  if (parts.length === 1 && only?.type === 'text' && (only as TextContentPart).cache_control === undefined) {
    return (only as TextContentPart).text;
  }
  return parts;
}

function convertUserTurn(
  content: unknown[],
  path: string,
  toolUseIds: ToolUseIds,
  warnings: WarningList,
  output: ChatMessage[],
): void {
  const parts: ContentPart[] = [];
  content.forEach((item, index) => {
    const blockPath = `${path}[${index}]`;
    const { block, type } = readBlock(item, blockPath);
    if (isServerOnlyBlockType(type)) {
      warnings.add(blockPath, `a ${type} block ${serverOnlyReason}`);
      return;
    }
    switch (type) {
      case 'text':
      case 'image':
      case 'document':
      case 'search_result':
      case 'compaction':
        parts.push(...convertContentBlock(block, type, blockPath, warnings));
        return;
      case 'tool_result': {
        const toolUseId = readString(block.tool_use_id, `${blockPath}.tool_use_id`);
        if (!toolUseIds.has(toolUseId)) {
          throw invalidRequest(
            `${blockPath}.tool_use_id`,
            `no earlier tool_use block has the id ${describeValue(toolUseId)}`,
          );
        }
        const message: ToolMessage = {
          role: 'tool',
          tool_call_id: toolUseId,
          content: toolResultContent(block, blockPath, warnings),
        };
        output.push(message);
        return;
      }
      case 'tool_use':
      case 'thinking':
      case 'redacted_thinking':
        throw notAllowed(blockPath, type, 'user');
      default: {
        const unhandled: never = type;
        throw notAllowed(blockPath, String(unhandled), 'user');
      }
    }
  });
  if (parts.length > 0) output.push({ role: 'user', content: parts });
}

function toolCallOf(block: Record<string, unknown>, path: string): ToolCall {
  const id = readString(block.id, `${path}.id`);
  const name = readString(block.name, `${path}.name`);
  const input = readRecord(block.input ?? {}, `${path}.input`);
  let argumentsText: string;
  try {
    argumentsText = JSON.stringify(input);
  } catch {
    // JSON.stringify recurses; an input nested past the stack's depth lands here.
    throw invalidRequest(`${path}.input`, 'is nested too deeply to convert');
  }
  return { id, type: 'function', function: { name, arguments: argumentsText } };
}

function convertAssistantTurn(
  content: unknown[],
  path: string,
  toolUseIds: ToolUseIds,
  warnings: WarningList,
): AssistantMessage | undefined {
  const texts: TextContentPart[] = [];
  const reasoning: string[] = [];
  const toolCalls: ToolCall[] = [];
  content.forEach((item, index) => {
    const blockPath = `${path}[${index}]`;
    const { block, type } = readBlock(item, blockPath);
    if (isServerOnlyBlockType(type)) {
      warnings.add(blockPath, `a ${type} block ${serverOnlyReason}`);
      return;
    }
    switch (type) {
      case 'text':
        texts.push(convertTextBlock(block, blockPath));
        return;
      case 'compaction':
        for (const part of convertContentBlock(block, type, blockPath, warnings)) {
          texts.push(part as TextContentPart);
        }
        return;
      case 'thinking': {
        const thinking = readString(block.thinking, `${blockPath}.thinking`);
        const signature = readOptionalString(block.signature, `${blockPath}.signature`);
        if (signature !== undefined && signature !== '') warnings.add(blockPath, signatureReason);
        if (thinking !== '') reasoning.push(thinking);
        return;
      }
      case 'redacted_thinking':
        warnings.add(blockPath, 'redacted thinking is encrypted for Anthropic only; dropped');
        return;
      case 'tool_use': {
        const call = toolCallOf(block, blockPath);
        toolUseIds.add(call.id);
        toolCalls.push(call);
        return;
      }
      case 'image':
      case 'document':
      case 'search_result':
      case 'tool_result':
        throw notAllowed(blockPath, type, 'assistant');
      default: {
        const unhandled: never = type;
        throw notAllowed(blockPath, String(unhandled), 'assistant');
      }
    }
  });
  if (texts.length === 0 && reasoning.length === 0 && toolCalls.length === 0) return undefined;
  const message: AssistantMessage = { role: 'assistant' };
  // Plain text reads best as one string; parts are kept only to carry a cache breakpoint. Separate
  // blocks (text before and after a tool call, say) stay separate paragraphs.
  if (texts.some((part) => part.cache_control !== undefined)) message.content = texts;
  else message.content = texts.length === 0 ? null : texts.map((part) => part.text).join('\n\n');
  if (reasoning.length > 0) message.reasoning = reasoning.join('\n\n');
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return message;
}

/** Converts `system` and `messages` to chat messages. Throws a 400 RouterError naming the bad field. */
export function convertMessages(system: unknown, messages: unknown, warnings: WarningList): ChatMessage[] {
  const output: ChatMessage[] = [];
  if (system != null) {
    const content = systemContent(system, 'system');
    if (content.length > 0) output.push({ role: 'system', content });
  }
  const toolUseIds: ToolUseIds = new Set();
  const list = readArray(messages, 'messages');
  if (list.length === 0) throw invalidRequest('messages', 'must contain at least one message');
  list.forEach((item, index) => {
    const path = `messages[${index}]`;
    const message = readRecord(item, path);
    const role = message.role;
    const content = message.content;
    const contentPath = `${path}.content`;
    if (typeof content !== 'string' && !Array.isArray(content)) {
      throw invalidRequest(contentPath, `expected a string or an array, got ${describeValue(content)}`);
    }
    switch (role) {
      case 'system':
        output.push({ role: 'system', content: systemContent(content, contentPath) });
        return;
      case 'user':
        if (typeof content === 'string') output.push({ role: 'user', content });
        else convertUserTurn(content, contentPath, toolUseIds, warnings, output);
        return;
      case 'assistant': {
        if (typeof content === 'string') {
          output.push({ role: 'assistant', content });
          return;
        }
        const converted = convertAssistantTurn(content, contentPath, toolUseIds, warnings);
        if (converted !== undefined) output.push(converted);
        return;
      }
      default:
        throw invalidRequest(
          `${path}.role`,
          `expected "user", "assistant" or "system", got ${describeValue(role)}`,
        );
    }
  });
  return output;
}

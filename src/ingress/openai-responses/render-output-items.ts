/**
 * Output items of a Responses answer: reasoning, the assistant message, and one item per tool call, whose
 * type (function_call, custom_tool_call, local_shell_call) comes back from the chat tool name it was sent
 * under (see `encode-tool-name.ts`).
 */
import type { ChatResult } from '../../core/chat-result.js';
import { isRecord } from '../../core/is-record.js';
import { createItemId, type ItemIdPrefix } from './create-item-id.js';
import { decodeToolName, type ToolKind } from './encode-tool-name.js';

/** One item of a Response's `output`, as JSON. */
export type OutputItem = Record<string, unknown>;
/** The status of an output item. */
export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

/** The `output_text` part holding `text`. */
export function outputTextPart(text: string) {
  return { type: 'output_text', annotations: [], logprobs: [], text };
}

/** A reasoning item whose summary is the reasoning text (chat upstreams give no separate summary). */
export function reasoningItem(id: string, text: string): OutputItem {
  return { id, type: 'reasoning', summary: text === '' ? [] : [{ type: 'summary_text', text }] };
}

/** The assistant message item. */
export function messageItem(id: string, text: string | null, status: ItemStatus): OutputItem {
  return {
    id,
    type: 'message',
    status,
    content: text === null ? [] : [outputTextPart(text)],
    role: 'assistant',
  };
}

/** The item id prefix of a tool call sent under `encodedName`. */
export function toolItemPrefix(encodedName: string): ItemIdPrefix {
  const prefixes: Record<ToolKind, ItemIdPrefix> = { function: 'fc', custom: 'ctc', local_shell: 'lsh' };
  return prefixes[decodeToolName(encodedName).kind];
}

function parseArguments(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

// The model wrote `{"input": ...}` for a custom tool; anything else is passed on as the input itself, for the
// client to report back to the model rather than lose.
function customInput(args: string): string {
  const input = parseArguments(args)?.input;
  return typeof input === 'string' ? input : args;
}

function shellAction(args: string) {
  const parsed = parseArguments(args) ?? {};
  const command = Array.isArray(parsed.command)
    ? parsed.command.filter((part): part is string => typeof part === 'string')
    : [];
  return {
    type: 'exec',
    command,
    env: {},
    timeout_ms: typeof parsed.timeout_ms === 'number' ? parsed.timeout_ms : null,
    working_directory: typeof parsed.workdir === 'string' ? parsed.workdir : null,
    user: null,
  };
}

/** A tool call the model made, as the Responses item for the kind of tool it called. */
export function toolCallItem(
  id: string,
  callId: string,
  encodedName: string,
  args: string,
  status: ItemStatus,
): OutputItem {
  const tool = decodeToolName(encodedName);
  const namespace = tool.namespace === undefined ? {} : { namespace: tool.namespace };
  switch (tool.kind) {
    case 'function':
      return {
        id,
        type: 'function_call',
        status,
        arguments: args,
        call_id: callId,
        name: tool.name,
        ...namespace,
      };
    case 'custom':
      return {
        id,
        type: 'custom_tool_call',
        status,
        call_id: callId,
        name: tool.name,
        input: customInput(args),
        ...namespace,
      };
    case 'local_shell':
      return { id, type: 'local_shell_call', status, call_id: callId, action: shellAction(args) };
  }
}

/** The output items of a whole answer, in the order the model produced them. */
export function renderOutputItems(
  generationId: string,
  result: ChatResult,
  status: ItemStatus,
): OutputItem[] {
  const items: OutputItem[] = [];
  if (result.reasoning !== null && result.reasoning !== '') {
    items.push(reasoningItem(createItemId('rs', generationId, items.length), result.reasoning));
  }
  if (result.content !== null && result.content !== '') {
    items.push(messageItem(createItemId('msg', generationId, items.length), result.content, status));
  }
  for (const call of result.toolCalls) {
    const id = createItemId(toolItemPrefix(call.function.name), generationId, items.length);
    items.push(toolCallItem(id, call.id, call.function.name, call.function.arguments, status));
  }
  return items;
}

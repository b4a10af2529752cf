/**
 * Responses `input` to chat messages. The Responses API lists a turn of the model as separate items
 * (reasoning, message, one item per tool call); chat has one assistant message per turn, so consecutive
 * model items are gathered into one assistant message, in their order: reasoning, then text, then tool
 * calls. Tool outputs become tool messages and must answer a call made earlier in the input.
 */
import type { ChatMessage, ContentPart, TextContentPart, ToolCall } from '../../core/chat-request.js';
import { convertContent } from './convert-content-parts.js';
import { encodeToolName, type ToolIdentity } from './encode-tool-name.js';
import {
  describeValue,
  expectArray,
  expectObject,
  expectString,
  invalidField,
  type JsonObject,
  optionalNumber,
  optionalString,
} from './read-field.js';

/** Items of hosted tools: their results came from OpenAI's side and cannot be replayed to another model. */
const hostedItemTypes = new Set([
  'web_search_call',
  'file_search_call',
  'computer_call',
  'computer_call_output',
  'code_interpreter_call',
  'image_generation_call',
  'mcp_call',
  'mcp_list_tools',
  'mcp_approval_request',
  'mcp_approval_response',
  'tool_search_call',
  'tool_search_output',
  'shell_call',
  'shell_call_output',
  'apply_patch_call',
  'apply_patch_call_output',
]);

const messageRoles = new Set(['user', 'assistant', 'system', 'developer']);

interface AssistantTurn {
  reasoning: string[];
  content: ContentPart[];
  toolCalls: ToolCall[];
}

class InputConverter {
  readonly messages: ChatMessage[] = [];
  readonly #callIds = new Set<string>();
  readonly #warnings: string[];
  readonly #warned = new Set<string>();
  #turn: AssistantTurn | undefined;

  constructor(warnings: string[]) {
    this.#warnings = warnings;
  }

  warnOnce(warning: string): void {
    if (this.#warned.has(warning)) return;
    this.#warned.add(warning);
    this.#warnings.push(warning);
  }

  /** The open assistant turn; a new one when the open one already went past `stage`. */
  turn(stage: 'reasoning' | 'content' | 'tool'): AssistantTurn {
    const open = this.#turn;
    const passed =
      open !== undefined &&
      ((stage === 'reasoning' && (open.content.length > 0 || open.toolCalls.length > 0)) ||
        (stage === 'content' && open.toolCalls.length > 0));
    if (open === undefined || passed) {
      this.flush();
      this.#turn = { reasoning: [], content: [], toolCalls: [] };
    }
    return this.#turn as AssistantTurn;
  }

  flush(): void {
    const turn = this.#turn;
    this.#turn = undefined;
    if (turn === undefined) return;
    if (turn.content.length === 0 && turn.toolCalls.length === 0) {
      // Chat upstreams reject an assistant message with nothing in it; the thought alone is not worth that.
      if (turn.reasoning.length > 0) {
        this.warnOnce('input: a reasoning item with no message or tool call after it was dropped');
      }
      return;
    }
    const content = assistantContent(turn.content);
    const message: ChatMessage = { role: 'assistant', content };
    if (turn.toolCalls.length > 0) message.tool_calls = turn.toolCalls;
    if (turn.reasoning.length > 0) message.reasoning = turn.reasoning.join('\n\n');
    this.messages.push(message);
  }

  addCall(callId: string, tool: ToolIdentity, args: string): void {
    this.turn('tool').toolCalls.push({
      id: callId,
      type: 'function',
      function: { name: encodeToolName(tool), arguments: args },
    });
    this.#callIds.add(callId);
  }

  addOutput(callId: string, content: string | ContentPart[], path: string): void {
    if (!this.#callIds.has(callId)) {
      throw invalidField(
        `${path}.call_id`,
        `${describeValue(callId)} answers no tool call earlier in the input`,
      );
    }
    this.flush();
    this.messages.push({ role: 'tool', tool_call_id: callId, content });
  }
}

/** One text part reads best as plain text; anything else stays a list of parts. */
function assistantContent(parts: ContentPart[]): string | ContentPart[] | null {
  const [first] = parts;
  if (first === undefined) return null;
  return parts.length === 1 && first.type === 'text' ? (first as TextContentPart).text : parts;
}

function callId(item: JsonObject, path: string): string {
  const id = expectString(item.call_id, `${path}.call_id`);
  if (id === '') throw invalidField(`${path}.call_id`, 'must not be empty');
  return id;
}

function withNamespace(identity: ToolIdentity, item: JsonObject, path: string): ToolIdentity {
  const namespace = optionalString(item, 'namespace', `${path}.`);
  if (namespace !== undefined && namespace !== '') identity.namespace = namespace;
  return identity;
}

function addMessage(converter: InputConverter, item: JsonObject, path: string, warnings: string[]): void {
  const role = expectString(item.role, `${path}.role`);
  if (!messageRoles.has(role)) {
    throw invalidField(
      `${path}.role`,
      `must be "user", "assistant", "system" or "developer", got ${describeValue(role)}`,
    );
  }
  const contentPath = `${path}.content`;
  if (role === 'assistant') {
    const content = convertContent(item.content, contentPath, 'text', warnings);
    converter
      .turn('content')
      .content.push(...(typeof content === 'string' ? [{ type: 'text' as const, text: content }] : content));
    return;
  }
  const policy = role === 'user' ? 'media' : 'text';
  converter.flush();
  converter.messages.push({
    role: role as 'user' | 'system' | 'developer',
    content: convertContent(item.content, contentPath, policy, warnings),
  });
}

function addReasoning(converter: InputConverter, item: JsonObject, path: string): void {
  const texts: string[] = [];
  const readTexts = (key: 'summary' | 'content') => {
    if (item[key] == null) return;
    for (const [index, entry] of expectArray(item[key], `${path}.${key}`).entries()) {
      texts.push(
        expectString(expectObject(entry, `${path}.${key}[${index}]`).text, `${path}.${key}[${index}].text`),
      );
    }
  };
  readTexts('summary');
  // The full reasoning text, when a client sends it back, says more than the summary.
  if (texts.length === 0) readTexts('content');
  if (optionalString(item, 'encrypted_content', `${path}.`) !== undefined) {
    converter.warnOnce(
      'input: encrypted reasoning can only be read by OpenAI; only its summary text is carried',
    );
  }
  const text = texts.filter((part) => part !== '').join('\n\n');
  if (text !== '') converter.turn('reasoning').reasoning.push(text);
  else converter.turn('reasoning');
}

function addLocalShellCall(converter: InputConverter, item: JsonObject, path: string): void {
  // Codex sends the call id in `call_id`; the chat-completions era put it in `id`.
  const id = item.call_id ?? item.id;
  const action = expectObject(item.action, `${path}.action`);
  const command = expectArray(action.command, `${path}.action.command`).map((part, index) =>
    expectString(part, `${path}.action.command[${index}]`),
  );
  const args: Record<string, unknown> = { command };
  const workdir = optionalString(action, 'working_directory', `${path}.action.`);
  if (workdir !== undefined) args.workdir = workdir;
  const timeout = optionalNumber(action, 'timeout_ms', `${path}.action.`);
  if (timeout !== undefined) args.timeout_ms = timeout;
  converter.addCall(
    callId({ call_id: id }, path),
    { kind: 'local_shell', name: 'local_shell' },
    JSON.stringify(args),
  );
}

function addItem(converter: InputConverter, entry: unknown, path: string, warnings: string[]): void {
  const item = expectObject(entry, path);
  const type =
    item.type === undefined && item.role !== undefined ? 'message' : expectString(item.type, `${path}.type`);
  switch (type) {
    case 'message':
      addMessage(converter, item, path, warnings);
      break;
    case 'reasoning':
      addReasoning(converter, item, path);
      break;
    case 'function_call': {
      const name = expectString(item.name, `${path}.name`);
      const args = expectString(item.arguments, `${path}.arguments`);
      converter.addCall(callId(item, path), withNamespace({ kind: 'function', name }, item, path), args);
      break;
    }
    case 'custom_tool_call': {
      const name = expectString(item.name, `${path}.name`);
      const input = expectString(item.input, `${path}.input`);
      const tool = withNamespace({ kind: 'custom', name }, item, path);
      converter.addCall(callId(item, path), tool, JSON.stringify({ input }));
      break;
    }
    case 'local_shell_call':
      addLocalShellCall(converter, item, path);
      break;
    case 'function_call_output':
    case 'custom_tool_call_output': {
      const content = convertContent(item.output, `${path}.output`, 'media', warnings);
      converter.addOutput(callId(item, path), content, path);
      break;
    }
    case 'local_shell_call_output': {
      // The SDK's type names the call in `id`; accept `call_id` too, as for every other output.
      const id = callId({ call_id: item.call_id ?? item.id }, path);
      converter.addOutput(id, expectString(item.output, `${path}.output`), path);
      break;
    }
    case 'item_reference':
      throw invalidField(
        path,
        'item_reference points to an item stored by OpenAI; the router stores nothing, so send the item itself',
      );
    case 'compaction':
      converter.warnOnce('input: compaction items hold context encrypted for OpenAI; dropped');
      break;
    default:
      if (!hostedItemTypes.has(type)) {
        throw invalidField(`${path}.type`, `unknown input item type ${describeValue(type)}`);
      }
      converter.warnOnce(`input: ${type} items come from hosted tools the router cannot replay; dropped`);
  }
}

/** Converts `input` (a string or a list of items) to chat messages. Throws a 400 when malformed. */
export function convertInput(input: unknown, warnings: string[]): ChatMessage[] {
  if (input == null) return [];
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  if (!Array.isArray(input)) {
    throw invalidField('input', `must be a string or an array of items, got ${describeValue(input)}`);
  }
  const converter = new InputConverter(warnings);
  for (const [index, entry] of input.entries()) addItem(converter, entry, `input[${index}]`, warnings);
  converter.flush();
  return converter.messages;
}

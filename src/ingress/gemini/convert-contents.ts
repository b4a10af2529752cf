/**
 * Gemini `contents` converted to chat messages: `user` turns become user messages (and tool messages for
 * their `functionResponse` parts), `model` turns assistant messages with `reasoning` and `tool_calls`.
 */
import type {
  AssistantMessage,
  ChatMessage,
  ContentPart,
  ToolCall,
  ToolMessage,
} from '../../core/chat-request.js';
import { classifyPart, type PartKind } from './classify-part.js';
import { convertFileData, convertInlineData } from './convert-media-part.js';
import { type CallLedger, createCallLedger } from './create-call-ledger.js';
import { describeValue, invalidField, requireArray, requireRecord, requireString } from './json-checks.js';

/**
 * The value Gemini documents for skipping thought-signature validation. Clients put it on replayed calls
 * the model did not sign (the Gemini CLI does); it carries nothing, so dropping it is no loss.
 */
const skipThoughtSignature = 'skip_thought_signature_validator';

/** The messages of a conversation, and what the conversion had to leave behind. */
export interface ConvertedContents {
  messages: ChatMessage[];
  /** Thought signatures the canonical form could not carry (they only mean something to Gemini). */
  droppedThoughtSignatures: number;
}

interface TurnState {
  calls: CallLedger;
  warnings: string[];
  droppedThoughtSignatures: number;
}

/**
 * Converts `contents` (already bounded in depth). Function calls keep their `id` when they have one and
 * otherwise get `call_<turn>_<n>` (the content's index and the call's position in it), which stays the same
 * on every later request of the conversation. A `functionResponse` answers the earlier unanswered call
 * with its `id`, else the first unanswered call of its name: the Gemini CLI answers id-less calls with
 * ids of its own making. A response that answers no call is a 400.
 */
export function convertContents(value: unknown, warnings: string[]): ConvertedContents {
  const contents = requireArray(value, 'contents');
  if (contents.length === 0) throw invalidField('contents', 'must not be empty');
  const state: TurnState = { calls: createCallLedger(), warnings, droppedThoughtSignatures: 0 };
  const messages: ChatMessage[] = [];
  for (const [turn, item] of contents.entries()) {
    const path = `contents[${turn}]`;
    const content = requireRecord(item, path);
    const role = content.role ?? 'user';
    const parts = requireArray(content.parts, `${path}.parts`);
    if (parts.length === 0) throw invalidField(`${path}.parts`, 'must not be empty');
    switch (role) {
      case 'user':
      // Early Gemini clients sent function responses in a turn of role `function`.
      case 'function':
        messages.push(...convertUserTurn(parts, path, state));
        break;
      case 'model': {
        const message = convertModelTurn(parts, path, turn, state);
        if (message !== undefined) messages.push(message);
        break;
      }
      default:
        throw invalidField(`${path}.role`, `expected "user" or "model", got ${describeValue(role)}`);
    }
  }
  return { messages, droppedThoughtSignatures: state.droppedThoughtSignatures };
}

function noteSignature(part: Record<string, unknown>, state: TurnState): void {
  const signature = part.thoughtSignature;
  if (typeof signature === 'string' && signature !== '' && signature !== skipThoughtSignature) {
    state.droppedThoughtSignatures += 1;
  }
}

function convertModelTurn(
  parts: unknown[],
  path: string,
  turn: number,
  state: TurnState,
): AssistantMessage | undefined {
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const [index, part] of parts.entries()) {
    const location = `${path}.parts[${index}]`;
    const kind = classifyPart(part, location);
    const record = part as Record<string, unknown>;
    noteSignature(record, state);
    if (kind === undefined) continue;
    switch (kind) {
      case 'text': {
        const value = requireString(record.text, `${location}.text`);
        if (record.thought === true) reasoning += value;
        else text += value;
        break;
      }
      case 'functionCall': {
        const call = convertFunctionCall(
          record.functionCall,
          `${location}.functionCall`,
          turn,
          toolCalls.length,
        );
        toolCalls.push(call);
        state.calls.add({ id: call.id, name: call.function.name });
        break;
      }
      case 'executableCode':
      case 'codeExecutionResult':
        text += codeExecutionText(kind, record[kind], `${location}.${kind}`, state.warnings);
        break;
      case 'inlineData':
      case 'fileData':
      case 'toolCall':
      case 'toolResponse':
        state.warnings.push(`${location}: ${kind} in a model turn cannot be carried to the model; dropped`);
        break;
      case 'functionResponse':
        throw invalidField(location, 'a functionResponse belongs in a user turn, not a model turn');
      default: {
        const unknownKind: never = kind;
        throw invalidField(location, `unknown part kind ${String(unknownKind)}`);
      }
    }
  }
  if (text === '' && reasoning === '' && toolCalls.length === 0) return undefined;
  const message: AssistantMessage = { role: 'assistant', content: text === '' ? null : text };
  if (reasoning !== '') message.reasoning = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return message;
}

function convertFunctionCall(value: unknown, path: string, turn: number, position: number): ToolCall {
  const call = requireRecord(value, path);
  const name = requireString(call.name, `${path}.name`);
  if (name === '') throw invalidField(`${path}.name`, 'must not be empty');
  const args = call.args == null ? {} : requireRecord(call.args, `${path}.args`);
  const id =
    call.id == null || call.id === '' ? `call_${turn}_${position}` : requireString(call.id, `${path}.id`);
  return { id, type: 'function', function: { name, arguments: JSON.stringify(args) } };
}

function convertUserTurn(parts: unknown[], path: string, state: TurnState): ChatMessage[] {
  const toolMessages: ToolMessage[] = [];
  const content: ContentPart[] = [];
  for (const [index, part] of parts.entries()) {
    const location = `${path}.parts[${index}]`;
    const kind = classifyPart(part, location);
    const record = part as Record<string, unknown>;
    noteSignature(record, state);
    if (kind === undefined) continue;
    switch (kind) {
      case 'text': {
        const text = requireString(record.text, `${location}.text`);
        if (text !== '') content.push({ type: 'text', text });
        break;
      }
      case 'inlineData':
        content.push(convertInlineData(record.inlineData, `${location}.inlineData`));
        break;
      case 'fileData':
        content.push(convertFileData(record.fileData, `${location}.fileData`, state.warnings));
        break;
      case 'functionResponse':
        toolMessages.push(
          convertFunctionResponse(record.functionResponse, `${location}.functionResponse`, state),
        );
        break;
      case 'executableCode':
      case 'codeExecutionResult': {
        const text = codeExecutionText(kind, record[kind], `${location}.${kind}`, state.warnings);
        content.push({ type: 'text', text });
        break;
      }
      case 'toolCall':
      case 'toolResponse':
        state.warnings.push(`${location}: ${kind} (a Gemini server-side tool) cannot be carried; dropped`);
        break;
      case 'functionCall':
        throw invalidField(location, 'a functionCall belongs in a model turn, not a user turn');
      default: {
        const unknownKind: never = kind;
        throw invalidField(location, `unknown part kind ${String(unknownKind)}`);
      }
    }
  }
  // Tool results first: chat requires them right after the assistant message that made the calls.
  const messages: ChatMessage[] = [...toolMessages];
  if (content.length > 0) {
    const only = content[0];
    const single =
      content.length === 1 && only?.type === 'text' ? (only as { text: string }).text : undefined;
    messages.push({ role: 'user', content: single ?? content });
  }
  return messages;
}

function convertFunctionResponse(value: unknown, path: string, state: TurnState): ToolMessage {
  const response = requireRecord(value, path);
  const name = requireString(response.name, `${path}.name`);
  const id = response.id == null ? undefined : requireString(response.id, `${path}.id`);
  const body = response.response == null ? {} : requireRecord(response.response, `${path}.response`);
  const call = state.calls.take(id, name);
  if (call === undefined) {
    const idText = id === undefined ? '' : ` (id ${JSON.stringify(id)})`;
    throw invalidField(
      path,
      `answers no earlier functionCall: no call of ${JSON.stringify(name)}${idText} is waiting for a response`,
    );
  }
  const text = functionResponseText(body);
  const media = convertResponseParts(response.parts, `${path}.parts`, state.warnings);
  const content: string | ContentPart[] = media.length === 0 ? text : [{ type: 'text', text }, ...media];
  return { role: 'tool', tool_call_id: call.id, content };
}

/**
 * The text of a function's result. Gemini clients wrap a plain result as `{output: "..."}` (the CLI) or
 * `{result: "..."}` (the upstream adapter of this router); that wrapper alone is unwrapped, anything else
 * (an `error` key, structured output) is sent as JSON so nothing is lost.
 */
function functionResponseText(body: Record<string, unknown>): string {
  const keys = Object.keys(body);
  if (keys.length === 1 && (keys[0] === 'output' || keys[0] === 'result')) {
    const inner = body[keys[0]];
    if (typeof inner === 'string') return inner;
  }
  return JSON.stringify(body);
}

/** The media parts of a multimodal function response (Gemini 3's `FunctionResponse.parts`). */
function convertResponseParts(value: unknown, path: string, warnings: string[]): ContentPart[] {
  if (value == null) return [];
  const converted: ContentPart[] = [];
  for (const [index, item] of requireArray(value, path).entries()) {
    const location = `${path}[${index}]`;
    const part = requireRecord(item, location);
    if (part.inlineData != null) converted.push(convertInlineData(part.inlineData, `${location}.inlineData`));
    else if (part.fileData != null)
      converted.push(convertFileData(part.fileData, `${location}.fileData`, warnings));
    else throw invalidField(location, 'a function response part holds inlineData or fileData');
  }
  return converted;
}

/** Code Gemini ran on its side, kept as text so the conversation still reads the same. */
function codeExecutionText(
  kind: Extract<PartKind, 'executableCode' | 'codeExecutionResult'>,
  value: unknown,
  path: string,
  warnings: string[],
): string {
  const record = requireRecord(value, path);
  warnings.push(`${path}: Gemini code execution has no canonical form; sent as text`);
  if (kind === 'executableCode') {
    const code = requireString(record.code, `${path}.code`);
    const language = typeof record.language === 'string' ? record.language.toLowerCase() : '';
    return `\`\`\`${language === 'language_unspecified' ? '' : language}\n${code}\n\`\`\`\n`;
  }
  const output = record.output == null ? '' : requireString(record.output, `${path}.output`);
  const outcome = typeof record.outcome === 'string' ? record.outcome : 'OUTCOME_UNSPECIFIED';
  return `Code execution result (${outcome}):\n${output}\n`;
}

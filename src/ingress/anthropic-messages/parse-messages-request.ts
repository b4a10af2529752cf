/**
 * A Messages API request body (`POST /v1/messages`) converted to the pipeline's chat-completions body,
 * with the caller's own body kept for an Anthropic upstream (the native path). Only the shapes are
 * checked here; the chat validator checks the converted body next.
 */
import type { ChatRequest } from '../../core/chat-request.js';
import type { IngressContext, IngressRequest } from '../ingress-adapter.js';
import { convertMessages } from './convert-messages.js';
import { convertThinking } from './convert-thinking.js';
import { convertTools } from './convert-tools.js';
import { createNativeRequest, routerOnlyFields } from './create-native-request.js';
import { createWarningList } from './create-warning-list.js';
import {
  invalidRequest,
  readArray,
  readOptionalBoolean,
  readOptionalNumber,
  readOptionalString,
  readPositiveInteger,
  readRecord,
  readString,
} from './read-json-value.js';

/** Fields this conversion reads; any other Anthropic field has no chat equivalent. */
const convertedFields: ReadonlySet<string> = new Set([
  'model',
  'max_tokens',
  'messages',
  'system',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'metadata',
  'tools',
  'tool_choice',
  'thinking',
  'output_config',
  'output_format',
]);

/** Claude Code names its conversation in this header (one id per session). */
const sessionHeader = 'x-claude-code-session-id';
/** The chat validator's limit on `session_id`. */
const maxSessionIdLength = 256;

function sessionIdFromHeader(context: IngressContext): string | undefined {
  const raw = context.headers[sessionHeader];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value === undefined || value === '' ? undefined : value.slice(0, maxSessionIdLength);
}

function stopSequences(value: unknown): string[] | undefined {
  if (value == null) return undefined;
  const list = readArray(value, 'stop_sequences').map((item, index) =>
    readString(item, `stop_sequences[${index}]`),
  );
  return list.length === 0 ? undefined : list;
}

/** How a body is parsed, for the endpoints that share the Messages request shape. */
export interface ParseOptions {
  /**
   * A `count_tokens` body: the same request without `max_tokens`, which is then not required (and the
   * converted body has none).
   */
  countTokens?: boolean;
}

/** Converts a Messages request. Throws a 400 RouterError naming the first malformed field. */
export function parseMessagesRequest(
  body: unknown,
  context: IngressContext,
  options: ParseOptions = {},
): IngressRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('body', 'the request body must be a JSON object');
  }
  const input = body as Record<string, unknown>;
  const warnings = createWarningList();

  const model = readString(input.model, 'model');
  if (model === '') throw invalidRequest('model', 'must not be empty');
  const maxTokens =
    input.max_tokens === undefined ? undefined : readPositiveInteger(input.max_tokens, 'max_tokens');
  if (maxTokens === undefined && options.countTokens !== true) {
    throw invalidRequest('max_tokens', 'is required (a positive integer)');
  }

  const chat: ChatRequest = { model, messages: convertMessages(input.system, input.messages, warnings) };
  if (maxTokens !== undefined) chat.max_tokens = maxTokens;
  const stream = readOptionalBoolean(input.stream, 'stream');
  if (stream !== undefined) chat.stream = stream;
  const temperature = readOptionalNumber(input.temperature, 'temperature');
  if (temperature !== undefined) chat.temperature = temperature;
  const topP = readOptionalNumber(input.top_p, 'top_p');
  if (topP !== undefined) chat.top_p = topP;
  const topK = readOptionalNumber(input.top_k, 'top_k');
  if (topK !== undefined) chat.top_k = topK;
  const stop = stopSequences(input.stop_sequences);
  if (stop !== undefined) chat.stop = stop;
  if (input.metadata != null) {
    const user = readOptionalString(readRecord(input.metadata, 'metadata').user_id, 'metadata.user_id');
    if (user !== undefined) chat.user = user;
  }
  Object.assign(chat, convertTools(input.tools, input.tool_choice, warnings));
  Object.assign(chat, convertThinking(input.thinking, input.output_config, input.output_format, warnings));

  // The router's own fields go to the chat validator as sent; it checks them.
  for (const field of routerOnlyFields) {
    if (input[field] !== undefined) chat[field] = input[field];
  }
  // A `session_id` in the body is the caller's explicit choice; Claude Code's header comes next.
  if (chat.session_id === undefined) {
    const sessionId = sessionIdFromHeader(context);
    if (sessionId !== undefined) chat.session_id = sessionId;
  }

  const unconverted = Object.keys(input).filter(
    (field) => !convertedFields.has(field) && !routerOnlyFields.has(field),
  );
  if (unconverted.length > 0) {
    warnings.add(
      unconverted.join(', '),
      'no equivalent on other providers; dropped unless the call goes to an Anthropic upstream',
    );
  }

  return { body: chat, warnings: warnings.list(), native: createNativeRequest(input, context) };
}

/**
 * An OpenAI Responses `POST /responses` body converted to the pipeline's chat-completions body. The router
 * keeps no state between calls, so everything that points at stored state (`previous_response_id`,
 * `conversation`, `item_reference`, stored prompts, files by id) is refused with the way out; settings the
 * chat form cannot carry become warnings.
 */
import type { ChatMessage, ReasoningSetting } from '../../core/chat-request.js';
import { RouterError } from '../../core/errors.js';
import { isRecord } from '../../core/is-record.js';
import type { IngressContext, IngressRequest } from '../ingress-adapter.js';
import { convertInput } from './convert-input-items.js';
import { convertToolChoice } from './convert-tool-choice.js';
import { convertTools } from './convert-tools.js';
import {
  describeValue,
  expectObject,
  expectString,
  invalidField,
  type JsonObject,
  optionalBoolean,
  optionalNumber,
  optionalString,
} from './read-field.js';

const efforts = new Set(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']);
const verbosities = new Set(['low', 'medium', 'high']);

/** Fields read below, or accepted with nothing to do for a stateless router (`store`, `metadata`...). */
const knownFields = new Set([
  'model',
  'models',
  'input',
  'instructions',
  'stream',
  'stream_options',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'reasoning',
  'text',
  'max_output_tokens',
  'temperature',
  'top_p',
  'prompt_cache_key',
  'prompt_cache_retention',
  'include',
  'store',
  'metadata',
  'service_tier',
  'truncation',
  'user',
  'safety_identifier',
  'client_metadata',
  'plugins',
  'provider',
  'session_id',
  'previous_response_id',
  'conversation',
  'prompt',
  'background',
  'context_management',
  'max_tool_calls',
  'top_logprobs',
]);

/** Headers Codex sends with the same value on every turn of a session. */
const sessionHeaders = ['session-id', 'session_id'] as const;

function refuseStoredState(body: JsonObject): void {
  if (body.previous_response_id != null) {
    throw invalidField(
      'previous_response_id',
      'the router does not store responses; send the whole conversation in input instead (store: false)',
    );
  }
  if (body.conversation != null) {
    throw invalidField(
      'conversation',
      'the router does not store conversations; send the whole conversation in input',
    );
  }
  if (body.prompt != null) {
    throw invalidField(
      'prompt',
      'stored prompt templates live at OpenAI; send instructions and input instead',
    );
  }
  if (body.background === true) {
    throw invalidField('background', 'the router answers in the foreground only; set background to false');
  }
}

function readReasoning(body: JsonObject): ReasoningSetting | undefined {
  if (body.reasoning == null) return undefined;
  const reasoning = expectObject(body.reasoning, 'reasoning');
  const effort = optionalString(reasoning, 'effort', 'reasoning.');
  if (effort === undefined) return undefined;
  if (!efforts.has(effort)) {
    throw invalidField(
      'reasoning.effort',
      `must be one of ${[...efforts].join(', ')}, got ${describeValue(effort)}`,
    );
  }
  return { effort: effort as NonNullable<ReasoningSetting['effort']> };
}

function readText(body: JsonObject, chat: Record<string, unknown>): void {
  if (body.text == null) return;
  const text = expectObject(body.text, 'text');
  const verbosity = optionalString(text, 'verbosity', 'text.');
  if (verbosity !== undefined) {
    if (!verbosities.has(verbosity)) {
      throw invalidField(
        'text.verbosity',
        `must be "low", "medium" or "high", got ${describeValue(verbosity)}`,
      );
    }
    // Chat completions has the same setting under this name (OpenAI, OpenRouter); other upstreams ignore it.
    chat.verbosity = verbosity;
  }
  if (text.format == null) return;
  const format = expectObject(text.format, 'text.format');
  const type = expectString(format.type, 'text.format.type');
  switch (type) {
    case 'text':
      return;
    case 'json_object':
      chat.response_format = { type: 'json_object' };
      return;
    case 'json_schema': {
      const jsonSchema: Record<string, unknown> = { name: expectString(format.name, 'text.format.name') };
      jsonSchema.schema = expectObject(format.schema, 'text.format.schema');
      const strict = optionalBoolean(format, 'strict', 'text.format.');
      if (strict !== undefined) jsonSchema.strict = strict;
      const description = optionalString(format, 'description', 'text.format.');
      if (description !== undefined) jsonSchema.description = description;
      chat.response_format = { type: 'json_schema', json_schema: jsonSchema };
      return;
    }
    default:
      throw invalidField(
        'text.format.type',
        `must be "text", "json_object" or "json_schema", got ${describeValue(type)}`,
      );
  }
}

function readSampling(body: JsonObject, chat: Record<string, unknown>): void {
  const maxOutputTokens = optionalNumber(body, 'max_output_tokens', '');
  if (maxOutputTokens !== undefined) {
    if (!Number.isInteger(maxOutputTokens) || maxOutputTokens <= 0) {
      throw invalidField('max_output_tokens', `must be a positive integer, got ${maxOutputTokens}`);
    }
    chat.max_tokens = maxOutputTokens;
  }
  const temperature = optionalNumber(body, 'temperature', '');
  if (temperature !== undefined) chat.temperature = temperature;
  const topP = optionalNumber(body, 'top_p', '');
  if (topP !== undefined) chat.top_p = topP;
}

function warnUnsupported(body: JsonObject, warnings: string[]): void {
  if (Array.isArray(body.include) && body.include.length > 0) {
    const values = listed(body.include.filter((value): value is string => typeof value === 'string'));
    warnings.push(`include (${values}): not supported; reasoning comes back as summary text only`);
  }
  if (body.truncation === 'auto') {
    warnings.push('truncation: "auto" is not supported; an input over the context window fails instead');
  }
  for (const field of ['context_management', 'max_tool_calls', 'top_logprobs', 'prompt_cache_retention']) {
    if (body[field] != null) warnings.push(`${field}: not supported; ignored`);
  }
  const unknown = Object.keys(body).filter((field) => !knownFields.has(field));
  if (unknown.length > 0) {
    warnings.push(
      `${listed(unknown)}: not ${unknown.length === 1 ? 'a Responses API field' : 'Responses API fields'}; ignored`,
    );
  }
}

const maxListed = 5;

/** Up to five names, then how many more: a warning must stay short enough for a response header. */
function listed(names: string[]): string {
  const shown = names.slice(0, maxListed).join(', ');
  return names.length > maxListed ? `${shown} and ${names.length - maxListed} more` : shown;
}

const maxWarnings = 20;

function capped(warnings: string[]): string[] {
  if (warnings.length <= maxWarnings) return warnings;
  return [...warnings.slice(0, maxWarnings), `and ${warnings.length - maxWarnings} more warnings`];
}

function sessionIdOf(body: JsonObject, context: IngressContext): string | undefined {
  const fromBody = optionalString(body, 'session_id', '');
  if (fromBody !== undefined) return fromBody;
  for (const name of sessionHeaders) {
    const header = context.headers[name];
    const value = Array.isArray(header) ? header[0] : header;
    // The chat validator caps session ids at 256 characters; a longer header should not fail the call.
    if (value !== undefined && value !== '') return value.slice(0, 256);
  }
  return undefined;
}

function buildMessages(body: JsonObject, warnings: string[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const instructions = optionalString(body, 'instructions', '');
  if (instructions !== undefined && instructions !== '')
    messages.push({ role: 'system', content: instructions });
  messages.push(...convertInput(body.input, warnings));
  return messages;
}

/** Parses a Responses request body into the pipeline's chat body. Throws a 400 RouterError when malformed. */
export function parseResponsesRequest(body: unknown, context: IngressContext): IngressRequest {
  if (!isRecord(body)) throw new RouterError('invalid_request', 'the request body must be a JSON object');
  refuseStoredState(body);
  const warnings: string[] = [];
  const chat: Record<string, unknown> = {};
  const model = optionalString(body, 'model', '');
  if (model !== undefined) chat.model = model;
  // The router's own fields, read by the shared chat validator exactly as on chat completions.
  for (const field of ['models', 'plugins', 'provider'] as const) {
    if (body[field] !== undefined) chat[field] = body[field];
  }
  chat.messages = buildMessages(body, warnings);
  const stream = optionalBoolean(body, 'stream', '');
  if (stream !== undefined) chat.stream = stream;
  readSampling(body, chat);

  const converted = convertTools(body.tools, warnings);
  const toolSettings = convertToolChoice(body.tool_choice, converted, warnings);
  if (toolSettings.tools !== undefined) {
    chat.tools = toolSettings.tools;
    if (toolSettings.toolChoice !== undefined) chat.tool_choice = toolSettings.toolChoice;
    const parallel = optionalBoolean(body, 'parallel_tool_calls', '');
    if (parallel !== undefined) chat.parallel_tool_calls = parallel;
  }

  const reasoning = readReasoning(body);
  if (reasoning !== undefined) chat.reasoning = reasoning;
  readText(body, chat);
  const promptCacheKey = optionalString(body, 'prompt_cache_key', '');
  if (promptCacheKey !== undefined) chat.prompt_cache_key = promptCacheKey;
  const user = optionalString(body, 'user', '');
  if (user !== undefined) chat.user = user;
  const sessionId = sessionIdOf(body, context);
  if (sessionId !== undefined) chat.session_id = sessionId;

  warnUnsupported(body, warnings);
  // No upstream speaks Responses yet, so there is no native path to offer.
  return { body: chat, warnings: capped(warnings) };
}

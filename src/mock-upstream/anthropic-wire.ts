/**
 * The Anthropic Messages wire format: the `message` body, the named stream events (`message_start`,
 * `content_block_start`, `ping`, `content_block_delta`, `content_block_stop`, `message_delta`,
 * `message_stop`, `error`) and the `{type: "error", error: {type, message}}` envelope.
 */

import { isRecord } from '../core/is-record.js';
import { formatSseMessage } from '../providers/sse/format-sse.js';
import type { PlanFinish, PlannedUsage, ReplyPlan, ToolSummary } from './create-reply-plan.js';
import {
  eventStreamContentType,
  jsonContentType,
  type ProtocolWire,
  type ReadPromptResult,
  type StreamFrame,
  type WireContext,
  type WireResponse,
} from './protocol-wire.js';

const defaultContextWindow = 200_000;
const charactersPerToken = 4;
// Thinking blocks carry an opaque signature the client sends back; any stable text stands in for it.
const thinkingSignature = 'RW1vY2tTaWduYXR1cmVGb3JUaGlua2luZ0Jsb2Nr';

function errorType(status: number): { type: string; message: string } {
  switch (status) {
    case 400:
      return { type: 'invalid_request_error', message: 'Invalid request.' };
    case 401:
      return { type: 'authentication_error', message: 'invalid x-api-key' };
    case 403:
      return {
        type: 'permission_error',
        message: 'Your API key does not have permission to use the specified resource.',
      };
    case 404:
      return { type: 'not_found_error', message: 'The requested resource could not be found.' };
    case 413:
      return { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' };
    case 429:
      return {
        type: 'rate_limit_error',
        message:
          'This request would exceed the rate limit for your organization of 50 requests per minute. Please reduce the prompt length or the maximum tokens requested, or try again later.',
      };
    case 500:
      return { type: 'api_error', message: 'Internal server error' };
    case 503:
    case 529:
      return { type: 'overloaded_error', message: 'Overloaded' };
    case 504:
      return { type: 'timeout_error', message: 'Request timed out' };
    default:
      return status >= 500
        ? { type: 'api_error', message: `Upstream returned status ${status}` }
        : { type: 'invalid_request_error', message: `Request failed with status ${status}` };
  }
}

function errorBody(type: string, message: string): string {
  return JSON.stringify({ type: 'error', error: { type, message } });
}

function stopReason(finish: PlanFinish): string {
  switch (finish) {
    case 'stop':
      return 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
  }
}

function blockText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const block of content) {
    if (!isRecord(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') text += block.text;
    else if (block.type === 'tool_result') text += blockText(block.content);
    else if (block.type === 'tool_use') text += JSON.stringify(block.input ?? {});
  }
  return text;
}

function hasToolResult(content: unknown): boolean {
  return Array.isArray(content) && content.some((block) => isRecord(block) && block.type === 'tool_result');
}

function hasToolUse(content: unknown): boolean {
  return Array.isArray(content) && content.some((block) => isRecord(block) && block.type === 'tool_use');
}

function readTools(tools: unknown): ToolSummary[] {
  if (!Array.isArray(tools)) return [];
  const summaries: ToolSummary[] = [];
  for (const tool of tools) {
    // Server tools (web search, code execution) have no input schema and are never called by the fake.
    if (isRecord(tool) && typeof tool.name === 'string' && isRecord(tool.input_schema)) {
      summaries.push({ name: tool.name, parameters: tool.input_schema });
    }
  }
  return summaries;
}

function readPrompt(body: unknown): ReadPromptResult {
  if (!isRecord(body)) return { ok: false, message: 'The request body must be a JSON object.' };
  const model = body.model;
  if (typeof model !== 'string' || model.length === 0) return { ok: false, message: 'model: Field required' };
  const messages = body.messages;
  if (!Array.isArray(messages)) return { ok: false, message: 'messages: Field required' };
  if (typeof body.max_tokens !== 'number') return { ok: false, message: 'max_tokens: Field required' };
  let promptCharacters = blockText(body.system).length;
  let lastUserText = '';
  let endsWithUser = false;
  let prefill: string | undefined;
  for (const message of messages) {
    if (!isRecord(message)) continue;
    const text = blockText(message.content);
    promptCharacters += text.length;
    // A mid-conversation system message (Claude Code sends reminders so) does not end the user's turn.
    if (message.role === 'system') continue;
    endsWithUser = message.role === 'user' && !hasToolResult(message.content);
    if (endsWithUser) lastUserText = text;
    prefill = message.role === 'assistant' && !hasToolUse(message.content) ? text : undefined;
  }
  // Anthropic refuses a prefill that ends in whitespace.
  if (prefill !== undefined && /\s$/.test(prefill)) {
    return { ok: false, message: 'messages: final assistant content cannot end with trailing whitespace' };
  }
  const toolChoice = body.tool_choice;
  return {
    ok: true,
    prompt: {
      model,
      stream: body.stream === true,
      includeUsage: false,
      maxTokens: body.max_tokens,
      promptCharacters,
      lastUserText,
      endsWithUser,
      tools: readTools(body.tools),
      toolsAllowed: !(isRecord(toolChoice) && toolChoice.type === 'none'),
      prefill,
    },
  };
}

/** Anthropic counts cache reads and writes apart from `input_tokens`. */
function inputUsage(usage: PlannedUsage): Record<string, number> {
  return {
    input_tokens: Math.max(0, usage.promptTokens - usage.cachedTokens - usage.cacheWriteTokens),
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cachedTokens,
  };
}

function renderBody(plan: ReplyPlan, context: WireContext): string {
  const content: Record<string, unknown>[] = [];
  if (plan.reasoningText.length > 0) {
    content.push({ type: 'thinking', thinking: plan.reasoningText, signature: thinkingSignature });
  }
  if (plan.text.length > 0 || (plan.toolCall === undefined && content.length === 0)) {
    content.push({ type: 'text', text: plan.text });
  }
  if (plan.toolCall !== undefined) {
    content.push({
      type: 'tool_use',
      id: context.nextId('toolu_01', 22),
      name: plan.toolCall.name,
      input: plan.toolCall.argumentsValue,
    });
  }
  return JSON.stringify({
    id: context.id,
    type: 'message',
    role: 'assistant',
    model: context.model,
    content,
    stop_reason: stopReason(plan.finish),
    stop_sequence: null,
    usage: { ...inputUsage(plan.usage), output_tokens: plan.usage.completionTokens },
  });
}

function event(name: string, data: string): string {
  return formatSseMessage(data, name);
}

function renderStream(plan: ReplyPlan, context: WireContext): StreamFrame[] {
  const frames: StreamFrame[] = [];
  const structure = (name: string, data: string): void => {
    frames.push({ kind: 'frame', text: event(name, data), tokens: 0 });
  };
  const delta = (index: number, deltaJson: string, piece: string): void => {
    frames.push({
      kind: 'content',
      text: event(
        'content_block_delta',
        `{"type":"content_block_delta","index":${index},"delta":${deltaJson}}`,
      ),
      tokens: piece.length / charactersPerToken,
    });
  };
  let blockIndex = 0;
  const startBlock = (block: Record<string, unknown>): void => {
    structure(
      'content_block_start',
      JSON.stringify({ type: 'content_block_start', index: blockIndex, content_block: block }),
    );
    if (blockIndex === 0) structure('ping', '{"type": "ping"}');
  };
  const stopBlock = (): void => {
    structure('content_block_stop', `{"type":"content_block_stop","index":${blockIndex}}`);
    blockIndex += 1;
  };

  structure(
    'message_start',
    JSON.stringify({
      type: 'message_start',
      message: {
        id: context.id,
        type: 'message',
        role: 'assistant',
        model: context.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...inputUsage(plan.usage), output_tokens: 1 },
      },
    }),
  );
  if (plan.reasoningText.length > 0) {
    startBlock({ type: 'thinking', thinking: '', signature: '' });
    for (const piece of plan.reasoningPieces) {
      delta(blockIndex, `{"type":"thinking_delta","thinking":${JSON.stringify(piece)}}`, piece);
    }
    structure(
      'content_block_delta',
      JSON.stringify({
        type: 'content_block_delta',
        index: blockIndex,
        delta: { type: 'signature_delta', signature: thinkingSignature },
      }),
    );
    stopBlock();
  }
  if (plan.text.length > 0 || (plan.toolCall === undefined && blockIndex === 0)) {
    startBlock({ type: 'text', text: '' });
    for (const piece of plan.textPieces) {
      delta(blockIndex, `{"type":"text_delta","text":${JSON.stringify(piece)}}`, piece);
    }
    stopBlock();
  }
  if (plan.toolCall !== undefined) {
    startBlock({ type: 'tool_use', id: context.nextId('toolu_01', 22), name: plan.toolCall.name, input: {} });
    for (const piece of plan.toolCall.argumentPieces) {
      delta(blockIndex, `{"type":"input_json_delta","partial_json":${JSON.stringify(piece)}}`, piece);
    }
    stopBlock();
  }
  frames.push({
    kind: 'final',
    text: event(
      'message_delta',
      JSON.stringify({
        type: 'message_delta',
        delta: { stop_reason: stopReason(plan.finish), stop_sequence: null },
        usage: { output_tokens: plan.usage.completionTokens },
      }),
    ),
    tokens: 0,
  });
  frames.push({ kind: 'done', text: event('message_stop', '{"type":"message_stop"}'), tokens: 0 });
  return frames;
}

function renderMidstreamError(_context: WireContext, streamed: boolean): string {
  const body = errorBody('overloaded_error', 'Overloaded');
  return streamed ? event('error', body) : body;
}

function renderMalformedChunk(): string {
  return event(
    'content_block_delta',
    '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"',
  );
}

function renderStatusError(
  status: number,
  context: WireContext | undefined,
  retryAfter: string | undefined,
): WireResponse {
  const kind = errorType(status);
  const message = status === 404 && context !== undefined ? `model: ${context.model}` : kind.message;
  const response: WireResponse = {
    status,
    contentType: jsonContentType,
    body: errorBody(kind.type, message),
  };
  return retryAfter === undefined ? response : { ...response, headers: { 'retry-after': retryAfter } };
}

function renderContextLengthExceeded(context: WireContext, contextWindow: number | undefined): WireResponse {
  const limit = contextWindow ?? defaultContextWindow;
  const requested = Math.max(context.promptTokens, limit + 1_024);
  return {
    status: 400,
    contentType: jsonContentType,
    body: errorBody('invalid_request_error', `prompt is too long: ${requested} tokens > ${limit} maximum`),
  };
}

function renderContentPolicy(): WireResponse {
  return {
    status: 400,
    contentType: jsonContentType,
    body: errorBody('invalid_request_error', 'Output blocked by content filtering policy'),
  };
}

function renderInvalidRequest(message: string): WireResponse {
  return { status: 400, contentType: jsonContentType, body: errorBody('invalid_request_error', message) };
}

/** The Anthropic Messages protocol. */
export const anthropicWire: ProtocolWire = {
  protocol: 'anthropic',
  requestIdHeader: 'request-id',
  responseId: { prefix: 'msg_01', length: 22 },
  prefillRefusal:
    'This model does not support assistant message prefill. The conversation must end with a user message.',
  readPrompt: (body) => readPrompt(body),
  renderBody,
  streamContentType: () => eventStreamContentType,
  renderStream,
  renderMidstreamError,
  renderMalformedChunk,
  renderStatusError,
  renderContextLengthExceeded,
  renderContentPolicy,
  renderInvalidRequest,
};

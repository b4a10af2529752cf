/**
 * The OpenAI chat-completions wire format (`chat.completion`, `chat.completion.chunk`, `data: [DONE]`),
 * with OpenRouter's additions: `reasoning` on messages and deltas, its error envelope under `/api/v1`, and
 * its in-stream error chunk (`error` plus `finish_reason: "error"`).
 */

import { isRecord } from '../core/is-record.js';
import { formatSseMessage } from '../providers/sse/format-sse.js';
import type { PlannedUsage, ReplyPlan, ToolSummary } from './create-reply-plan.js';
import {
  eventStreamContentType,
  jsonContentType,
  type ProtocolWire,
  type ReadPromptResult,
  type StreamFrame,
  type WireContext,
  type WireFlavour,
  type WireResponse,
} from './protocol-wire.js';

const defaultContextWindow = 128_000;
const systemFingerprint = 'fp_mock0001';
const providerName = 'Mock';
const charactersPerToken = 4;

interface OpenaiErrorKind {
  type: string;
  code: string | null;
  message: (model: string) => string;
}

function openaiErrorKind(status: number): OpenaiErrorKind {
  switch (status) {
    case 400:
      return { type: 'invalid_request_error', code: null, message: () => 'Invalid request.' };
    case 401:
      return {
        type: 'invalid_request_error',
        code: 'invalid_api_key',
        message: () =>
          'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
      };
    case 403:
      return {
        type: 'invalid_request_error',
        code: 'model_not_found',
        message: (model) => `Project does not have access to model \`${model}\`.`,
      };
    case 404:
      return {
        type: 'invalid_request_error',
        code: 'model_not_found',
        message: (model) => `The model \`${model}\` does not exist or you do not have access to it.`,
      };
    case 429:
      return {
        type: 'requests',
        code: 'rate_limit_exceeded',
        message: (model) =>
          `Rate limit reached for ${model} in organization org-mock on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 120ms.`,
      };
    case 500:
      return {
        type: 'server_error',
        code: null,
        message: () => 'The server had an error while processing your request. Sorry about that!',
      };
    case 502:
      return { type: 'server_error', code: null, message: () => 'Bad gateway.' };
    case 503:
      return {
        type: 'server_error',
        code: null,
        message: () => 'The engine is currently overloaded, please try again later.',
      };
    case 504:
      return { type: 'server_error', code: null, message: () => 'Gateway timeout.' };
    default:
      return status >= 500
        ? { type: 'server_error', code: null, message: () => `The server returned status ${status}.` }
        : {
            type: 'invalid_request_error',
            code: null,
            message: () => `The request failed with status ${status}.`,
          };
  }
}

function errorResponse(
  status: number,
  flavour: WireFlavour,
  error: { message: string; type: string; param: string | null; code: string | null },
  metadata?: Record<string, unknown>,
): WireResponse {
  // OpenRouter keeps the HTTP status in `code` and puts provider details in `metadata`.
  const body =
    flavour === 'openrouter'
      ? {
          error: {
            code: status,
            message: error.message,
            metadata: { provider_name: providerName, ...metadata },
          },
        }
      : { error };
  return { status, contentType: jsonContentType, body: JSON.stringify(body) };
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') text += part.text;
  }
  return text;
}

function readTools(tools: unknown): ToolSummary[] {
  if (!Array.isArray(tools)) return [];
  const summaries: ToolSummary[] = [];
  for (const tool of tools) {
    if (isRecord(tool) && isRecord(tool.function) && typeof tool.function.name === 'string') {
      summaries.push({ name: tool.function.name, parameters: tool.function.parameters });
    }
  }
  return summaries;
}

function readPrompt(body: unknown): ReadPromptResult {
  if (!isRecord(body)) return { ok: false, message: 'The request body must be a JSON object.' };
  const model = body.model;
  if (typeof model !== 'string' || model.length === 0) {
    return { ok: false, message: 'you must provide a model parameter' };
  }
  const messages = body.messages;
  if (!Array.isArray(messages)) return { ok: false, message: "Missing required parameter: 'messages'." };
  let promptCharacters = 0;
  let lastUserText = '';
  let lastRole = '';
  let prefill: string | undefined;
  for (const message of messages) {
    if (!isRecord(message)) continue;
    const text = contentText(message.content);
    promptCharacters += text.length;
    if (Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls) {
        if (!isRecord(call) || !isRecord(call.function)) continue;
        const { name, arguments: callArguments } = call.function;
        if (typeof name === 'string') promptCharacters += name.length;
        if (typeof callArguments === 'string') promptCharacters += callArguments.length;
      }
    }
    // System turns in the middle of a conversation (agents add reminders there) do not end a user turn.
    if (typeof message.role === 'string' && message.role !== 'system' && message.role !== 'developer') {
      lastRole = message.role;
      prefill = message.role === 'assistant' && !Array.isArray(message.tool_calls) ? text : undefined;
    }
    if (message.role === 'user') lastUserText = text;
  }
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  const streamOptions = body.stream_options;
  return {
    ok: true,
    prompt: {
      model,
      stream: body.stream === true,
      includeUsage: isRecord(streamOptions) && streamOptions.include_usage === true,
      maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
      promptCharacters,
      lastUserText,
      endsWithUser: lastRole === 'user',
      tools: readTools(body.tools),
      toolsAllowed: body.tool_choice !== 'none',
      prefill,
    },
  };
}

function usageOf(usage: PlannedUsage): Record<string, unknown> {
  const promptDetails: Record<string, number> = { cached_tokens: usage.cachedTokens };
  if (usage.cacheWriteTokens > 0) promptDetails.cache_write_tokens = usage.cacheWriteTokens;
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: promptDetails,
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

function renderBody(plan: ReplyPlan, context: WireContext): string {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: plan.toolCall !== undefined && plan.text.length === 0 ? null : plan.text,
    refusal: null,
  };
  if (plan.reasoningText.length > 0) message.reasoning = plan.reasoningText;
  if (plan.toolCall !== undefined) {
    message.tool_calls = [
      {
        id: context.nextId('call_', 24),
        type: 'function',
        function: { name: plan.toolCall.name, arguments: plan.toolCall.argumentsText },
      },
    ];
  }
  return JSON.stringify({
    id: context.id,
    object: 'chat.completion',
    created: context.created,
    model: context.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: plan.finish }],
    usage: usageOf(plan.usage),
    system_fingerprint: systemFingerprint,
  });
}

function renderStream(plan: ReplyPlan, context: WireContext): StreamFrame[] {
  // Every chunk shares its head and tail; only the delta and the finish reason change.
  const head = `{"id":${JSON.stringify(context.id)},"object":"chat.completion.chunk","created":${context.created},"model":${JSON.stringify(context.model)},"system_fingerprint":"${systemFingerprint}","choices":[{"index":0,"delta":`;
  const usageTail = context.prompt.includeUsage ? ',"usage":null' : '';
  const chunk = (delta: string, finish: string | null): string =>
    formatSseMessage(
      `${head}${delta},"logprobs":null,"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]${usageTail}}`,
    );
  const content = (delta: string, piece: string): StreamFrame => ({
    kind: 'content',
    text: chunk(delta, null),
    tokens: piece.length / charactersPerToken,
  });

  const frames: StreamFrame[] = [
    { kind: 'frame', text: chunk('{"role":"assistant","content":""}', null), tokens: 0 },
  ];
  for (const piece of plan.reasoningPieces)
    frames.push(content(`{"reasoning":${JSON.stringify(piece)}}`, piece));
  for (const piece of plan.textPieces) frames.push(content(`{"content":${JSON.stringify(piece)}}`, piece));
  const toolCall = plan.toolCall;
  if (toolCall !== undefined) {
    const opening = {
      tool_calls: [
        {
          index: 0,
          id: context.nextId('call_', 24),
          type: 'function',
          function: { name: toolCall.name, arguments: '' },
        },
      ],
    };
    frames.push(content(JSON.stringify(opening), toolCall.name));
    for (const piece of toolCall.argumentPieces) {
      frames.push(
        content(`{"tool_calls":[{"index":0,"function":{"arguments":${JSON.stringify(piece)}}}]}`, piece),
      );
    }
  }
  frames.push({ kind: 'final', text: chunk('{}', plan.finish), tokens: 0 });
  if (context.prompt.includeUsage) {
    const usageChunk = {
      id: context.id,
      object: 'chat.completion.chunk',
      created: context.created,
      model: context.model,
      system_fingerprint: systemFingerprint,
      choices: [],
      usage: usageOf(plan.usage),
    };
    frames.push({ kind: 'final', text: formatSseMessage(JSON.stringify(usageChunk)), tokens: 0 });
  }
  frames.push({ kind: 'done', text: formatSseMessage('[DONE]'), tokens: 0 });
  return frames;
}

function renderMidstreamError(context: WireContext, streamed: boolean): string {
  const message = 'Provider disconnected unexpectedly';
  if (!streamed) {
    return JSON.stringify({ error: { code: 502, message, metadata: { provider_name: providerName } } });
  }
  return formatSseMessage(
    JSON.stringify({
      id: context.id,
      object: 'chat.completion.chunk',
      created: context.created,
      model: context.model,
      provider: providerName,
      error: { code: 'server_error', message },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
    }),
  );
}

function renderMalformedChunk(context: WireContext): string {
  return formatSseMessage(
    `{"id":${JSON.stringify(context.id)},"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"`,
  );
}

function renderStatusError(
  status: number,
  context: WireContext | undefined,
  retryAfter: string | undefined,
): WireResponse {
  const kind = openaiErrorKind(status);
  const response = errorResponse(status, context?.flavour ?? 'native', {
    message: kind.message(context?.model ?? 'unknown'),
    type: kind.type,
    param: null,
    code: kind.code,
  });
  return retryAfter === undefined ? response : { ...response, headers: { 'retry-after': retryAfter } };
}

function renderContextLengthExceeded(context: WireContext, contextWindow: number | undefined): WireResponse {
  const limit = contextWindow ?? defaultContextWindow;
  const requested = Math.max(context.promptTokens, limit + 1_024);
  const message =
    context.flavour === 'openrouter'
      ? `This endpoint's maximum context length is ${limit} tokens. However, you requested about ${requested} tokens (${requested} of text input). Please reduce the length of either one, or use the "middle-out" transform to compress your prompt automatically.`
      : `This model's maximum context length is ${limit} tokens. However, your messages resulted in ${requested} tokens. Please reduce the length of the messages.`;
  return errorResponse(400, context.flavour, {
    message,
    type: 'invalid_request_error',
    param: 'messages',
    code: 'context_length_exceeded',
  });
}

function renderContentPolicy(context: WireContext): WireResponse {
  if (context.flavour === 'openrouter') {
    // OpenRouter reports a moderation flag as 403 with the reasons in metadata.
    return errorResponse(
      403,
      'openrouter',
      {
        message: `${context.model} requires moderation on ${providerName}. Your input was flagged for "violence/graphic". No credits were charged.`,
        type: 'invalid_request_error',
        param: null,
        code: 'content_policy_violation',
      },
      {
        reasons: ['violence/graphic'],
        flagged_input: context.prompt.lastUserText.slice(0, 100),
        model_slug: context.model,
      },
    );
  }
  return errorResponse(400, 'native', {
    message:
      'Your request was rejected as a result of our safety system (content_filter). Your prompt may contain text that is not allowed by our safety system.',
    type: 'invalid_request_error',
    param: 'messages',
    code: 'content_policy_violation',
  });
}

function renderInvalidRequest(message: string, flavour: WireFlavour): WireResponse {
  return errorResponse(400, flavour, { message, type: 'invalid_request_error', param: null, code: null });
}

/** The OpenAI chat-completions protocol (and OpenRouter's variant of it). */
export const openaiWire: ProtocolWire = {
  protocol: 'openai',
  requestIdHeader: 'x-request-id',
  responseId: { prefix: 'chatcmpl-', length: 29 },
  prefillRefusal:
    'This model does not support a final assistant message: the conversation must end with a user or tool message.',
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

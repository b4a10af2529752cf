/**
 * The Gemini `generateContent` / `streamGenerateContent` wire format: candidates with parts (`thought`
 * parts for reasoning, `functionCall` parts for tools), `finishReason`, `usageMetadata`, `responseId`, and
 * the Google error envelope `{error: {code, message, status}}`.
 */

import { isRecord } from '../core/is-record.js';
import type { PlanFinish, PlannedUsage, ReplyPlan, ToolSummary } from './create-reply-plan.js';
import {
  eventStreamContentType,
  type ProtocolWire,
  type ReadPromptResult,
  type StreamFrame,
  type WireContext,
  type WireResponse,
} from './protocol-wire.js';

const defaultContextWindow = 1_048_576;
const charactersPerToken = 4;
const geminiJsonContentType = 'application/json; charset=UTF-8';

function errorStatus(status: number): { status: string; message: (model: string) => string } {
  switch (status) {
    case 400:
      return { status: 'INVALID_ARGUMENT', message: () => 'Request contains an invalid argument.' };
    case 401:
      return {
        status: 'UNAUTHENTICATED',
        message: () =>
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      };
    case 403:
      return { status: 'PERMISSION_DENIED', message: () => 'The caller does not have permission' };
    case 404:
      return {
        status: 'NOT_FOUND',
        message: (model) =>
          `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
      };
    case 429:
      return {
        status: 'RESOURCE_EXHAUSTED',
        message: () =>
          'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
      };
    case 500:
      return {
        status: 'INTERNAL',
        message: () =>
          'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
      };
    case 502:
    case 503:
      return { status: 'UNAVAILABLE', message: () => 'The model is overloaded. Please try again later.' };
    case 504:
      return {
        status: 'DEADLINE_EXCEEDED',
        message: () => 'Deadline expired before operation could complete.',
      };
    default:
      return status >= 500
        ? { status: 'INTERNAL', message: () => `The service returned status ${status}.` }
        : { status: 'FAILED_PRECONDITION', message: () => `The request failed with status ${status}.` };
  }
}

function errorResponse(code: number, status: string, message: string, details?: unknown[]): WireResponse {
  const error: Record<string, unknown> = { code, message, status };
  if (details !== undefined) error.details = details;
  return { status: code, contentType: geminiJsonContentType, body: JSON.stringify({ error }) };
}

function finishReason(finish: PlanFinish): string {
  switch (finish) {
    case 'stop':
    case 'tool_calls':
      // Gemini ends a function-call turn with STOP; the call itself is in the parts.
      return 'STOP';
    case 'length':
      return 'MAX_TOKENS';
  }
}

function partsText(parts: unknown): string {
  if (!Array.isArray(parts)) return '';
  let text = '';
  for (const part of parts) {
    if (!isRecord(part)) continue;
    if (typeof part.text === 'string') text += part.text;
    else if (isRecord(part.functionCall)) text += JSON.stringify(part.functionCall);
    else if (isRecord(part.functionResponse)) text += JSON.stringify(part.functionResponse);
  }
  return text;
}

function hasFunctionCall(parts: unknown): boolean {
  return Array.isArray(parts) && parts.some((part) => isRecord(part) && isRecord(part.functionCall));
}

function hasFunctionResponse(parts: unknown): boolean {
  return Array.isArray(parts) && parts.some((part) => isRecord(part) && isRecord(part.functionResponse));
}

function readTools(tools: unknown): ToolSummary[] {
  if (!Array.isArray(tools)) return [];
  const summaries: ToolSummary[] = [];
  for (const tool of tools) {
    if (!isRecord(tool) || !Array.isArray(tool.functionDeclarations)) continue;
    for (const declaration of tool.functionDeclarations) {
      if (isRecord(declaration) && typeof declaration.name === 'string') {
        summaries.push({
          name: declaration.name,
          parameters: declaration.parameters ?? declaration.parametersJsonSchema,
        });
      }
    }
  }
  return summaries;
}

function readPrompt(body: unknown, pathModel: string | undefined, pathStream: boolean): ReadPromptResult {
  if (!isRecord(body)) return { ok: false, message: 'Invalid JSON payload received. Expected an object.' };
  if (pathModel === undefined || pathModel.length === 0) return { ok: false, message: 'model is required' };
  const contents = body.contents;
  if (!Array.isArray(contents)) {
    return { ok: false, message: '* GenerateContentRequest.contents: contents is not specified' };
  }
  const systemInstruction = body.systemInstruction ?? body.system_instruction;
  let promptCharacters = isRecord(systemInstruction) ? partsText(systemInstruction.parts).length : 0;
  let lastUserText = '';
  let endsWithUser = false;
  let prefill: string | undefined;
  for (const content of contents) {
    if (!isRecord(content)) continue;
    const text = partsText(content.parts);
    promptCharacters += text.length;
    endsWithUser = content.role !== 'model' && !hasFunctionResponse(content.parts);
    if (endsWithUser) lastUserText = text;
    prefill = content.role === 'model' && !hasFunctionCall(content.parts) ? text : undefined;
  }
  const generationConfig = body.generationConfig ?? body.generation_config;
  const maxTokens = isRecord(generationConfig) ? generationConfig.maxOutputTokens : undefined;
  const toolConfig = body.toolConfig ?? body.tool_config;
  const callingConfig = isRecord(toolConfig) ? toolConfig.functionCallingConfig : undefined;
  return {
    ok: true,
    prompt: {
      model: pathModel,
      stream: pathStream,
      includeUsage: false,
      maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
      promptCharacters,
      lastUserText,
      endsWithUser,
      tools: readTools(body.tools),
      toolsAllowed: !(isRecord(callingConfig) && callingConfig.mode === 'NONE'),
      prefill,
    },
  };
}

/** Gemini counts thoughts apart from candidates, and cached tokens inside the prompt count. */
function usageMetadata(usage: PlannedUsage): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    promptTokenCount: usage.promptTokens,
    candidatesTokenCount: Math.max(0, usage.completionTokens - usage.reasoningTokens),
    totalTokenCount: usage.promptTokens + usage.completionTokens,
  };
  if (usage.cachedTokens > 0) metadata.cachedContentTokenCount = usage.cachedTokens;
  if (usage.reasoningTokens > 0) metadata.thoughtsTokenCount = usage.reasoningTokens;
  metadata.promptTokensDetails = [{ modality: 'TEXT', tokenCount: usage.promptTokens }];
  return metadata;
}

function response(
  context: WireContext,
  candidate: Record<string, unknown>,
  usage: Record<string, unknown>,
): string {
  return JSON.stringify({
    candidates: [candidate],
    usageMetadata: usage,
    modelVersion: context.model,
    responseId: context.id,
  });
}

function renderBody(plan: ReplyPlan, context: WireContext): string {
  const parts: Record<string, unknown>[] = [];
  if (plan.reasoningText.length > 0) parts.push({ text: plan.reasoningText, thought: true });
  if (plan.text.length > 0 || (plan.toolCall === undefined && parts.length === 0))
    parts.push({ text: plan.text });
  if (plan.toolCall !== undefined) {
    parts.push({ functionCall: { name: plan.toolCall.name, args: plan.toolCall.argumentsValue } });
  }
  return response(
    context,
    { content: { parts, role: 'model' }, finishReason: finishReason(plan.finish), index: 0 },
    usageMetadata(plan.usage),
  );
}

/** Frames one stream element: SSE with Gemini's CRLF line ends, or one element of a JSON array. */
function framer(context: WireContext): (json: string) => string {
  if (context.sse) return (json) => `data: ${json}\r\n\r\n`;
  let first = true;
  return (json) => {
    const text = first ? `[${json}` : `,\r\n${json}`;
    first = false;
    return text;
  };
}

function renderStream(plan: ReplyPlan, context: WireContext): StreamFrame[] {
  const frame = framer(context);
  const runningUsage = {
    promptTokenCount: plan.usage.promptTokens,
    totalTokenCount: plan.usage.promptTokens,
  };
  const frames: StreamFrame[] = [];
  const content = (part: Record<string, unknown>, tokens: number): void => {
    const candidate = { content: { parts: [part], role: 'model' }, index: 0 };
    frames.push({ kind: 'content', text: frame(response(context, candidate, runningUsage)), tokens });
  };
  for (const piece of plan.reasoningPieces)
    content({ text: piece, thought: true }, piece.length / charactersPerToken);
  for (const piece of plan.textPieces) content({ text: piece }, piece.length / charactersPerToken);
  const toolCall = plan.toolCall;
  if (toolCall !== undefined) {
    // Gemini streams a function call whole, in one chunk.
    content(
      { functionCall: { name: toolCall.name, args: toolCall.argumentsValue } },
      (toolCall.name.length + toolCall.argumentsText.length) / charactersPerToken,
    );
  }
  const last = {
    content: { parts: [{ text: '' }], role: 'model' },
    finishReason: finishReason(plan.finish),
    index: 0,
  };
  frames.push({ kind: 'final', text: frame(response(context, last, usageMetadata(plan.usage))), tokens: 0 });
  if (!context.sse) frames.push({ kind: 'final', text: ']', tokens: 0 });
  return frames;
}

function renderMidstreamError(context: WireContext, streamed: boolean): string {
  const body = JSON.stringify({
    error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' },
  });
  if (!streamed) return body;
  return context.sse ? `data: ${body}\r\n\r\n` : `,\r\n${body}]`;
}

function renderMalformedChunk(context: WireContext): string {
  const broken = `{"candidates":[{"content":{"parts":[{"text":"`;
  return context.sse ? `data: ${broken}\r\n\r\n` : `,\r\n${broken}`;
}

function renderStatusError(
  status: number,
  context: WireContext | undefined,
  retryAfter: string | undefined,
): WireResponse {
  const kind = errorStatus(status);
  const seconds = retryAfter === undefined ? Number.NaN : Number(retryAfter);
  // Gemini says when to retry in a RetryInfo detail; the header is added too for clients that read it.
  const details =
    status === 429 && Number.isFinite(seconds)
      ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s` }]
      : undefined;
  const result = errorResponse(status, kind.status, kind.message(context?.model ?? 'unknown'), details);
  return retryAfter === undefined ? result : { ...result, headers: { 'retry-after': retryAfter } };
}

function renderContextLengthExceeded(context: WireContext, contextWindow: number | undefined): WireResponse {
  const limit = contextWindow ?? defaultContextWindow;
  const requested = Math.max(context.promptTokens, limit + 1_024);
  return errorResponse(
    400,
    'INVALID_ARGUMENT',
    `The input token count (${requested}) exceeds the maximum number of tokens allowed (${limit}).`,
  );
}

function renderContentPolicy(context: WireContext): WireResponse {
  // Gemini does not fail a blocked prompt: it answers 200 with no candidates and the block reason.
  const body = JSON.stringify({
    promptFeedback: {
      blockReason: 'SAFETY',
      safetyRatings: [
        { category: 'HARM_CATEGORY_SEXUALLY_EXPLICIT', probability: 'NEGLIGIBLE' },
        { category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' },
        { category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' },
        { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true },
      ],
    },
    usageMetadata: { promptTokenCount: context.promptTokens, totalTokenCount: context.promptTokens },
    modelVersion: context.model,
    responseId: context.id,
  });
  if (!context.prompt.stream) return { status: 200, contentType: geminiJsonContentType, body };
  return context.sse
    ? { status: 200, contentType: eventStreamContentType, body: `data: ${body}\r\n\r\n` }
    : { status: 200, contentType: geminiJsonContentType, body: `[${body}]` };
}

function renderInvalidRequest(message: string): WireResponse {
  return errorResponse(400, 'INVALID_ARGUMENT', message);
}

/** The Gemini generateContent protocol. */
export const geminiWire: ProtocolWire = {
  protocol: 'gemini',
  requestIdHeader: 'x-goog-request-id',
  responseId: { prefix: '', length: 22 },
  prefillRefusal:
    'Requests ending with a model turn are not supported unless the last part is a function response.',
  readPrompt,
  renderBody,
  streamContentType: (context) => (context.sse ? eventStreamContentType : geminiJsonContentType),
  renderStream,
  renderMidstreamError,
  renderMalformedChunk,
  renderStatusError,
  renderContextLengthExceeded,
  renderContentPolicy,
  renderInvalidRequest,
};

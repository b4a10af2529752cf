/** A non-streamed Gemini GenerateContentResponse converted to the canonical ChatResult. */
import type { ToolCall } from '../../core/chat-request.js';
import type { ChatResult } from '../../core/chat-result.js';
import { emptyUsage } from '../../core/chat-result.js';
import { RouterError } from '../../core/errors.js';
import { createToolCallId } from './create-tool-call-id.js';
import { describeSchemaIssue, generateContentResponseSchema } from './gemini-response-schema.js';
import { findGoogleError, mapGoogleError } from './map-error.js';
import { mapFinishReason } from './map-finish-reason.js';
import { mapUsage } from './map-usage.js';

/** Converts a parsed `generateContent` body to a ChatResult; throws a RouterError when it is malformed. */
export function convertResponse(body: unknown): ChatResult {
  const googleError = findGoogleError(body);
  if (googleError !== undefined) throw mapGoogleError(undefined, googleError, undefined);

  const parsed = generateContentResponseSchema.safeParse(body);
  if (!parsed.success) {
    throw new RouterError(
      'upstream_bad_response',
      `Gemini returned a malformed response (${describeSchemaIssue(parsed.error)})`,
      { retryable: true },
    );
  }
  const response = parsed.data;
  const usage = response.usageMetadata == null ? emptyUsage() : mapUsage(response.usageMetadata);
  const result: ChatResult = {
    content: null,
    reasoning: null,
    toolCalls: [],
    finishReason: 'stop',
    nativeFinishReason: null,
    usage,
  };
  if (response.responseId != null) result.id = response.responseId;
  if (response.modelVersion != null) result.model = response.modelVersion;

  const candidate = response.candidates?.[0];
  if (candidate === undefined) {
    const blockReason = response.promptFeedback?.blockReason;
    if (blockReason == null) {
      throw new RouterError('upstream_bad_response', 'Gemini returned no candidates and no block reason', {
        retryable: true,
      });
    }
    // Every documented block reason means the prompt itself was refused.
    return { ...result, finishReason: 'content_filter', nativeFinishReason: blockReason };
  }

  let content = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const part of candidate.content?.parts ?? []) {
    if (part.functionCall != null) {
      toolCalls.push({
        id: createToolCallId(part.functionCall, response.responseId, toolCalls.length),
        type: 'function',
        function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
      });
    } else if (part.text != null) {
      if (part.thought === true) reasoning += part.text;
      else content += part.text;
    }
  }

  const nativeFinishReason = candidate.finishReason ?? null;
  return {
    ...result,
    content: content === '' ? null : content,
    reasoning: reasoning === '' ? null : reasoning,
    toolCalls,
    // A complete body without a finish reason is taken as a normal end.
    finishReason: mapFinishReason(nativeFinishReason ?? 'STOP', toolCalls.length > 0),
    nativeFinishReason,
  };
}

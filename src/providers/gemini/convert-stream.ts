/**
 * The stream converter of `streamGenerateContent?alt=sse`. Every SSE data payload is a whole
 * GenerateContentResponse holding the next slice of the answer: text and thought parts are deltas,
 * function calls arrive whole, and `usageMetadata` is cumulative (usually on every chunk).
 */
import type { StreamEvent } from '../../core/chat-result.js';
import { RouterError } from '../../core/errors.js';
import type { StreamConverter } from '../protocol-adapter.js';
import { createToolCallId } from './create-tool-call-id.js';
import { describeSchemaIssue, generateContentResponseSchema } from './gemini-response-schema.js';
import { isPlainGeminiChunk } from './is-plain-gemini-chunk.js';
import { findGoogleError, mapGoogleError } from './map-error.js';
import { mapFinishReason } from './map-finish-reason.js';
import { mapUsage } from './map-usage.js';

/** A fresh converter for one streamed Gemini response. */
export function createStreamConverter(): StreamConverter {
  let metadataSent = false;
  let finished = false;
  let toolCallCount = 0;
  let responseId: string | undefined;

  return {
    convert(data: unknown): StreamEvent[] {
      const googleError = findGoogleError(data);
      if (googleError !== undefined) {
        return [{ type: 'error', error: mapGoogleError(undefined, googleError, undefined) }];
      }
      // The common chunk is read as it is; only an unusual one pays for zod's parse.
      const parsed = isPlainGeminiChunk(data)
        ? { success: true as const, data }
        : generateContentResponseSchema.safeParse(data);
      if (!parsed.success) {
        const error = new RouterError(
          'upstream_bad_response',
          `Gemini sent a malformed stream chunk (${describeSchemaIssue(parsed.error)})`,
          { retryable: true },
        );
        return [{ type: 'error', error }];
      }
      const chunk = parsed.data;
      const events: StreamEvent[] = [];
      responseId ??= chunk.responseId ?? undefined;

      if (!metadataSent && (chunk.responseId != null || chunk.modelVersion != null)) {
        metadataSent = true;
        const metadata: StreamEvent & { type: 'response-metadata' } = { type: 'response-metadata' };
        if (chunk.responseId != null) metadata.id = chunk.responseId;
        if (chunk.modelVersion != null) metadata.model = chunk.modelVersion;
        events.push(metadata);
      }

      const candidate = chunk.candidates?.[0];
      for (const part of candidate?.content?.parts ?? []) {
        if (part.functionCall != null) {
          const index = toolCallCount++;
          events.push({
            type: 'tool-call-delta',
            index,
            id: createToolCallId(part.functionCall, responseId, index),
            name: part.functionCall.name,
            argumentsDelta: JSON.stringify(part.functionCall.args ?? {}),
          });
        } else if (part.text != null && part.text !== '') {
          events.push({ type: part.thought === true ? 'reasoning-delta' : 'text-delta', text: part.text });
        }
      }

      if (chunk.usageMetadata != null) {
        events.push({ type: 'usage', usage: mapUsage(chunk.usageMetadata) });
      }

      if (!finished) {
        const nativeFinishReason = candidate?.finishReason;
        const blockReason = chunk.promptFeedback?.blockReason;
        if (nativeFinishReason != null) {
          finished = true;
          events.push({
            type: 'finish',
            finishReason: mapFinishReason(nativeFinishReason, toolCallCount > 0),
            nativeFinishReason,
          });
        } else if (candidate === undefined && blockReason != null) {
          // A refused prompt streams one chunk with the block reason and no candidates.
          finished = true;
          events.push({ type: 'finish', finishReason: 'content_filter', nativeFinishReason: blockReason });
        }
      }
      return events;
    },

    end(): StreamEvent[] {
      // No finish is invented here: a stream that closes without a finish reason was cut, and the
      // executor must see it that way.
      return [];
    },
  };
}

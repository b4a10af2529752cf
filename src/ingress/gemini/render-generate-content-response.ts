/** The non-streamed answer as Gemini's GenerateContentResponse. */
import type { ChatResult, Usage } from '../../core/chat-result.js';
import { isRecord } from '../../core/is-record.js';
import { findGoogleError } from '../../providers/gemini/map-error.js';
import type { ResponseIdentity } from '../ingress-adapter.js';
import { mapFinishReason } from './map-finish-reason.js';
import { mapUsageMetadata } from './map-usage-metadata.js';
import { parseToolArguments } from './parse-tool-arguments.js';

/**
 * Renders the answer. On the converted path the candidate holds the reasoning as a `thought` part, the
 * text, then one `functionCall` part per tool call (with the call's id, which Gemini clients send back on
 * the `functionResponse`). On the native path (`native` is the Gemini upstream's own body) that body is
 * relayed with the router's `modelVersion` and `responseId`, and the cost added to its usageMetadata.
 * `responseId` is the router's generation id as is, so `/api/v1/generation?id=` finds the call.
 */
export function renderGenerateContentResponse(
  identity: ResponseIdentity,
  result: ChatResult,
  usage: Usage,
  cost: number,
  native: unknown,
): string {
  if (isRecord(native) && findGoogleError(native) === undefined) {
    const usageMetadata = isRecord(native.usageMetadata)
      ? { ...native.usageMetadata, cost }
      : mapUsageMetadata(usage, cost);
    return JSON.stringify({
      ...native,
      usageMetadata,
      modelVersion: identity.model,
      responseId: identity.id,
    });
  }

  const parts: Record<string, unknown>[] = [];
  if (result.reasoning !== null && result.reasoning !== '')
    parts.push({ text: result.reasoning, thought: true });
  if (result.content !== null && result.content !== '') parts.push({ text: result.content });
  const malformed: string[] = [];
  for (const toolCall of result.toolCalls) {
    const args = parseToolArguments(toolCall.function.arguments);
    if (args === undefined) {
      malformed.push(toolCall.function.name);
      continue;
    }
    parts.push({ functionCall: { name: toolCall.function.name, args, id: toolCall.id } });
  }
  const candidate: Record<string, unknown> = {
    // Gemini ends an empty answer with one empty text part, never with no parts.
    content: { parts: parts.length === 0 ? [{ text: '' }] : parts, role: 'model' },
    finishReason: mapFinishReason(result.finishReason, result.nativeFinishReason),
  };
  // A call whose arguments are not a JSON object cannot be a functionCall: Gemini reports that as
  // MALFORMED_FUNCTION_CALL, unless the output cap cut the call short.
  if (malformed.length > 0 && result.finishReason !== 'length') {
    candidate.finishReason = 'MALFORMED_FUNCTION_CALL';
    candidate.finishMessage = `Malformed function call: the arguments of ${malformed.join(', ')} are not a JSON object`;
  }
  candidate.index = 0;
  return JSON.stringify({
    candidates: [candidate],
    usageMetadata: mapUsageMetadata(usage, cost),
    modelVersion: identity.model,
    responseId: identity.id,
  });
}

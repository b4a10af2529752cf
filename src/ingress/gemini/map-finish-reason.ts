/** The router's finish reasons rendered as Gemini's `Candidate.finishReason`. */
import type { FinishReason } from '../../core/chat-result.js';
import { mapFinishReason as mapGeminiFinishReason } from '../../providers/gemini/map-finish-reason.js';

/** Gemini's documented finish reasons: an answer that came from Gemini keeps its own. */
const geminiFinishReasons = new Set([
  'STOP',
  'MAX_TOKENS',
  'SAFETY',
  'RECITATION',
  'LANGUAGE',
  'OTHER',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'MALFORMED_FUNCTION_CALL',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
  'IMAGE_OTHER',
  'NO_IMAGE',
  'UNEXPECTED_TOOL_CALL',
  'TOO_MANY_TOOL_CALLS',
  'MISSING_THOUGHT_SIGNATURE',
  'MALFORMED_RESPONSE',
  'MODEL_ARMOR',
]);

/** The Gemini finish reason of each unified one; Gemini reports STOP when the answer holds function calls. */
const geminiFinishReasonByUnified: Readonly<Record<FinishReason, string>> = {
  stop: 'STOP',
  length: 'MAX_TOKENS',
  tool_calls: 'STOP',
  content_filter: 'SAFETY',
  error: 'OTHER',
};

/**
 * The finish reason to render: the upstream's own when it is a Gemini reason that still agrees with the
 * unified one (a Gemini upstream's RECITATION stays RECITATION), otherwise the unified one's Gemini name.
 */
export function mapFinishReason(finishReason: FinishReason, nativeFinishReason: string | null): string {
  if (
    nativeFinishReason !== null &&
    geminiFinishReasons.has(nativeFinishReason) &&
    mapGeminiFinishReason(nativeFinishReason, finishReason === 'tool_calls') === finishReason
  ) {
    return nativeFinishReason;
  }
  return geminiFinishReasonByUnified[finishReason];
}

/** Gemini's finish reasons (`Candidate.finishReason`) mapped to the router's unified finish reasons. */
import type { FinishReason } from '../../core/chat-result.js';

/**
 * Every finish reason the Gemini API documents. Anything that is neither a normal end (STOP, MAX_TOKENS)
 * nor a policy block maps to `error`: `stop` would tell the caller the answer is complete when the
 * upstream says it is not (a malformed or unexpected tool call, a missing thought signature, an
 * unsupported language, an unspecified reason).
 */
const finishReasonTable = {
  FINISH_REASON_UNSPECIFIED: 'error',
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  LANGUAGE: 'error',
  OTHER: 'error',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  MALFORMED_FUNCTION_CALL: 'error',
  IMAGE_SAFETY: 'content_filter',
  IMAGE_PROHIBITED_CONTENT: 'content_filter',
  IMAGE_RECITATION: 'content_filter',
  IMAGE_OTHER: 'error',
  NO_IMAGE: 'error',
  UNEXPECTED_TOOL_CALL: 'error',
  TOO_MANY_TOOL_CALLS: 'error',
  MISSING_THOUGHT_SIGNATURE: 'error',
  MALFORMED_RESPONSE: 'error',
  MODEL_ARMOR: 'content_filter',
} as const satisfies Record<string, FinishReason>;

export type GeminiFinishReason = keyof typeof finishReasonTable;

/**
 * Maps a Gemini finish reason to the unified one. STOP becomes `tool_calls` when the answer holds function
 * calls (Gemini has no separate reason for that); unknown values map to `error`.
 */
export function mapFinishReason(nativeFinishReason: string, hasToolCalls: boolean): FinishReason {
  if (!Object.hasOwn(finishReasonTable, nativeFinishReason)) return 'error';
  const finishReason: FinishReason = finishReasonTable[nativeFinishReason as GeminiFinishReason];
  return finishReason === 'stop' && hasToolCalls ? 'tool_calls' : finishReason;
}

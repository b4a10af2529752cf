/**
 * Anthropic's `stop_reason` mapped to the unified finish reason. The raw value is always kept beside it
 * as `nativeFinishReason`, so nothing is lost when the mapping is coarse.
 */
import type { FinishReason } from '../../core/chat-result.js';

/** The stop reasons the Messages API documents. New ones may appear; they map to `stop`. */
type KnownStopReason =
  | 'end_turn'
  | 'stop_sequence'
  | 'max_tokens'
  | 'model_context_window_exceeded'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal';

const knownStopReasons: ReadonlySet<string> = new Set<KnownStopReason>([
  'end_turn',
  'stop_sequence',
  'max_tokens',
  'model_context_window_exceeded',
  'tool_use',
  'pause_turn',
  'refusal',
]);

function isKnownStopReason(value: string): value is KnownStopReason {
  return knownStopReasons.has(value);
}

/** Maps a Messages API `stop_reason` (null or unknown -> `stop`) to the unified finish reason. */
export function mapFinishReason(stopReason: string | null | undefined): FinishReason {
  if (stopReason == null || !isKnownStopReason(stopReason)) return 'stop';
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    // The server paused a long-running server-tool turn; the answer so far is complete as far as a
    // chat-completions client can tell.
    case 'pause_turn':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
  }
}

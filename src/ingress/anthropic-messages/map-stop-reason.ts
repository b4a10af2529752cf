/**
 * The Messages `stop_reason` of an answer. An upstream that spoke Anthropic already gave one (kept as the
 * native finish reason), which is used as is: it says more (`stop_sequence`, `pause_turn`...). Otherwise
 * the unified reason is mapped.
 */
import type { FinishReason } from '../../core/chat-result.js';

type StopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded';

const stopReasons: ReadonlySet<string> = new Set<StopReason>([
  'end_turn',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'pause_turn',
  'refusal',
  'model_context_window_exceeded',
]);

/**
 * Maps a finish to a `stop_reason`. A turn that made tool calls ends in `tool_use` even when the upstream
 * said `stop` (some do): agent loops read `tool_use` as "run the tools and call again".
 */
export function mapStopReason(
  finishReason: FinishReason,
  nativeFinishReason: string | null,
  hasToolCalls: boolean,
): string {
  if (nativeFinishReason !== null && stopReasons.has(nativeFinishReason)) return nativeFinishReason;
  switch (finishReason) {
    case 'stop':
      return hasToolCalls ? 'tool_use' : 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    // Anthropic has no error stop reason; a failed stream ends with an error event instead.
    case 'error':
      return 'end_turn';
  }
}

/** OpenAI-style finish reasons mapped to the router's unified finish reasons. */
import type { FinishReason } from '../../core/chat-result.js';

/** The finish reasons of the OpenAI format and OpenRouter's normalized set. */
const finishReasonTable = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  // The deprecated single function call is a tool call in all but name.
  function_call: 'tool_calls',
  content_filter: 'content_filter',
  error: 'error',
} as const satisfies Record<string, FinishReason>;

type OpenaiFinishReason = keyof typeof finishReasonTable;

/**
 * Maps a raw finish reason to the unified one; unknown values (vendors invent their own, such as `eos` or
 * `end_turn`) map to `stop`. A `stop` becomes `tool_calls` when the answer holds tool calls, since some
 * servers report `stop` there and callers decide whether to run tools by this value.
 */
export function mapFinishReason(
  rawFinishReason: string | null | undefined,
  hasToolCalls: boolean,
): FinishReason {
  const finishReason: FinishReason =
    rawFinishReason != null && Object.hasOwn(finishReasonTable, rawFinishReason)
      ? finishReasonTable[rawFinishReason as OpenaiFinishReason]
      : 'stop';
  return finishReason === 'stop' && hasToolCalls ? 'tool_calls' : finishReason;
}

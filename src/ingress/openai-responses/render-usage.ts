/** The Responses usage object, with the call's cost in USD and the cache-write count as extra fields. */
import type { Usage } from '../../core/chat-result.js';

/** Usage as the Responses API reports it (Codex reads the cached and reasoning counts). */
export function renderUsage(usage: Usage, cost: number) {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: usage.cachedTokens, cache_write_tokens: usage.cacheWriteTokens },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.promptTokens + usage.completionTokens,
    cost,
  };
}

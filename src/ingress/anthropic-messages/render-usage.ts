/** The canonical usage as Anthropic's usage object, with the call's cost. */
import type { Usage } from '../../core/chat-result.js';

/** Anthropic's `usage` object as the router renders it. */
export interface AnthropicUsageBody {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  /** USD, the router's addition (Anthropic reports no cost). */
  cost: number;
}

/**
 * Renders usage the Anthropic way: `input_tokens` excludes the tokens read from and written to the cache,
 * which the canonical prompt count includes.
 */
export function renderUsage(usage: Usage, cost: number): AnthropicUsageBody {
  return {
    input_tokens: Math.max(0, usage.promptTokens - usage.cachedTokens - usage.cacheWriteTokens),
    output_tokens: usage.completionTokens,
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cachedTokens,
    cost,
  };
}

/** OpenAI-style `usage` objects mapped to the router's Usage. */
import type { Usage } from '../../core/chat-result.js';
import type { OpenaiUsage } from './openai-response-schema.js';

/**
 * Maps an OpenAI-style usage object to Usage. Cache reads come from `prompt_tokens_details.cached_tokens`,
 * DeepSeek's `prompt_cache_hit_tokens` or Moonshot's top-level `cached_tokens`, whichever is set; every
 * vendor counts them inside `prompt_tokens` already, as it does reasoning inside `completion_tokens`.
 */
export function mapUsage(usage: OpenaiUsage): Usage {
  return {
    promptTokens: toCount(usage.prompt_tokens),
    completionTokens: toCount(usage.completion_tokens),
    cachedTokens: toCount(
      usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens ?? usage.cached_tokens,
    ),
    cacheWriteTokens: toCount(usage.prompt_tokens_details?.cache_write_tokens),
    reasoningTokens: toCount(usage.completion_tokens_details?.reasoning_tokens),
  };
}

/** A non-negative integer; anything else (NaN, negative, absent) counts as 0. */
function toCount(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

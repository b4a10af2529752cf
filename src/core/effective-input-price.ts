import type { ModelPricing } from './model-index.js';

/** The prompt tokens a model was sent over some window, split as they were billed. */
export interface PromptTokenTotals {
  promptTokens: number;
  /** Prompt tokens read from the provider's cache (inside `promptTokens`). */
  cachedTokens: number;
  /** Prompt tokens written to the cache (inside `promptTokens`). */
  cacheWriteTokens: number;
}

/**
 * The input price a model effectively charged, USD per million prompt tokens: cache reads at the
 * cache-read price, cache writes at the cache-write price, the rest at the input price, as the cost of a
 * call is worked out (`compute-cost.ts`). Undefined without prompt tokens, where the list price stands.
 */
export function effectiveInputPrice(pricing: ModelPricing, totals: PromptTokenTotals): number | undefined {
  const prompt = totals.promptTokens;
  if (!(prompt > 0)) return undefined;
  const cached = Math.min(Math.max(totals.cachedTokens, 0), prompt);
  const written = Math.min(Math.max(totals.cacheWriteTokens, 0), prompt - cached);
  const uncached = prompt - cached - written;
  return (
    (uncached * pricing.input +
      cached * (pricing.cacheRead ?? pricing.input) +
      written * (pricing.cacheWrite ?? pricing.input)) /
    prompt
  );
}

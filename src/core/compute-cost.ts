import type { Usage } from './chat-result.js';
import type { ModelPricing } from './model-index.js';

/**
 * Cost of one call in USD from its usage and the model's prices (USD per million tokens). Cached prompt
 * tokens are priced at the cache-read price and cache writes at the cache-write price; the rest of the
 * prompt at the input price. Reasoning tokens are output tokens and already inside completionTokens.
 */
export function computeCost(usage: Usage, pricing: ModelPricing): number {
  const cached = Math.min(usage.cachedTokens, usage.promptTokens);
  const cacheWrite = Math.min(usage.cacheWriteTokens, usage.promptTokens - cached);
  const uncached = usage.promptTokens - cached - cacheWrite;
  const microDollars =
    uncached * pricing.input +
    cached * (pricing.cacheRead ?? pricing.input) +
    cacheWrite * (pricing.cacheWrite ?? pricing.input) +
    usage.completionTokens * pricing.output;
  // Prices are per million tokens; round to 1e-12 USD so sums of many calls stay exact enough to compare.
  return Math.round(microDollars * 1e6) / 1e12;
}

/** The most a call can cost: the whole prompt uncached plus `maxOutputTokens` of output. */
export function worstCaseCost(promptTokens: number, maxOutputTokens: number, pricing: ModelPricing): number {
  const cacheWritePrice = Math.max(pricing.input, pricing.cacheWrite ?? pricing.input);
  return Math.round((promptTokens * cacheWritePrice + maxOutputTokens * pricing.output) * 1e6) / 1e12;
}

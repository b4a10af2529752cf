import type { ModelPricing } from './model-index.js';

/** How input and output prices are weighted into one number. Default 3:1, the usual coding-chat mix. */
export interface BlendRatio {
  input: number;
  output: number;
}

export const defaultBlendRatio: BlendRatio = { input: 3, output: 1 };

/**
 * Blended price in USD per million tokens: (input * ratio.input + output * ratio.output) / (sum of ratio).
 * Cache prices do not enter it: cache hit rates depend on the caller, not the model.
 */
export function blendedPrice(pricing: ModelPricing, ratio: BlendRatio = defaultBlendRatio): number {
  return (pricing.input * ratio.input + pricing.output * ratio.output) / (ratio.input + ratio.output);
}

/** The router's Usage rendered as Gemini's `usageMetadata`. */
import type { Usage } from '../../core/chat-result.js';

/** Gemini's usage counts, plus the call's cost in USD. */
export interface GeminiUsageMetadata {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  /**
   * The router's addition. The Google SDKs copy `usageMetadata` whole, so an extra field reaches the
   * caller and disturbs nothing; a top-level field would be dropped by them.
   */
  cost: number;
}

/**
 * Maps Usage to `usageMetadata`. Gemini counts thoughts apart from the answer (`candidatesTokenCount`
 * excludes `thoughtsTokenCount`), so reasoning tokens are taken out of the completion count. Like Gemini,
 * the cache and thought counts are left out when zero.
 */
export function mapUsageMetadata(usage: Usage, cost: number): GeminiUsageMetadata {
  const counts: Omit<GeminiUsageMetadata, 'cost'> = {
    promptTokenCount: usage.promptTokens,
    candidatesTokenCount: Math.max(0, usage.completionTokens - usage.reasoningTokens),
    totalTokenCount: usage.promptTokens + usage.completionTokens,
  };
  if (usage.cachedTokens > 0) counts.cachedContentTokenCount = usage.cachedTokens;
  if (usage.reasoningTokens > 0) counts.thoughtsTokenCount = usage.reasoningTokens;
  return { ...counts, cost };
}

/** Gemini's `usageMetadata` mapped to the router's Usage. */
import type { Usage } from '../../core/chat-result.js';
import type { GeminiUsageMetadata } from './gemini-response-schema.js';

/**
 * Maps Gemini token counts to Usage. `promptTokenCount` already includes the cached tokens; thinking
 * tokens are billed as output but reported apart from `candidatesTokenCount`, so they are added back.
 */
export function mapUsage(usageMetadata: GeminiUsageMetadata): Usage {
  const thoughtsTokens = usageMetadata.thoughtsTokenCount ?? 0;
  return {
    promptTokens: usageMetadata.promptTokenCount ?? 0,
    completionTokens: (usageMetadata.candidatesTokenCount ?? 0) + thoughtsTokens,
    cachedTokens: usageMetadata.cachedContentTokenCount ?? 0,
    cacheWriteTokens: 0,
    reasoningTokens: thoughtsTokens,
  };
}

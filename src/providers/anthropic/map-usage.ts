/** Anthropic usage counts mapped to the canonical Usage. */
import type { Usage } from '../../core/chat-result.js';
import type { AnthropicUsage } from './anthropic-schemas.js';

/**
 * Maps Anthropic usage to the canonical Usage. Anthropic's `input_tokens` excludes cache reads and writes,
 * while the canonical prompt count includes them, so the three are added. Anthropic reports no separate
 * thinking count (thinking is inside `output_tokens`), so reasoningTokens stays 0.
 */
export function mapUsage(usage: AnthropicUsage | null | undefined): Usage {
  const input = usage?.input_tokens ?? 0;
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const cacheWrite = usage?.cache_creation_input_tokens ?? 0;
  return {
    promptTokens: input + cacheRead + cacheWrite,
    completionTokens: usage?.output_tokens ?? 0,
    cachedTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: 0,
  };
}

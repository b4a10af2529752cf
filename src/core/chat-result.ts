/**
 * What an upstream answered, in one protocol-neutral shape: the canonical stream events of a streamed call
 * and the canonical result of a non-streamed one. Finish reasons keep both the unified and the raw value.
 */
import type { ToolCall } from './chat-request.js';
import type { RouterError } from './errors.js';

/** OpenRouter's normalized finish reasons. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error';

/** Token counts of one call. All integers; absent figures are 0. */
export interface Usage {
  /** All prompt tokens, including cached and cache-written ones. */
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens read from the cache (a subset of promptTokens). */
  cachedTokens: number;
  /** Prompt tokens written to the cache (a subset of promptTokens). */
  cacheWriteTokens: number;
  /** Reasoning tokens (a subset of completionTokens). */
  reasoningTokens: number;
}

/** A Usage of zeros. */
export function emptyUsage(): Usage {
  return { promptTokens: 0, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
}

/** One event of a streamed answer. */
export type StreamEvent =
  /** Upstream metadata, sent once when known (id and model as the upstream named them). */
  | { type: 'response-metadata'; id?: string; model?: string }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  /** A piece of a tool call; `id` and `name` come with the first piece of each index. */
  | { type: 'tool-call-delta'; index: number; id?: string; name?: string; argumentsDelta: string }
  /** Usage so far; a later one replaces an earlier one field by field where the later one is non-zero. */
  | { type: 'usage'; usage: Partial<Usage> }
  | { type: 'finish'; finishReason: FinishReason; nativeFinishReason: string | null }
  /** The upstream reported an error inside the stream. */
  | { type: 'error'; error: RouterError };

/** The whole answer of a non-streamed call. */
export interface ChatResult {
  id?: string;
  model?: string;
  content: string | null;
  reasoning: string | null;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  nativeFinishReason: string | null;
  usage: Usage;
}

import { describe, expect, it } from 'vitest';
import { mapUsage } from './map-usage.js';

describe('mapUsage', () => {
  it('adds cache reads and writes to input tokens for the prompt count', () => {
    expect(
      mapUsage({
        input_tokens: 10,
        cache_read_input_tokens: 300,
        cache_creation_input_tokens: 50,
        output_tokens: 7,
      }),
    ).toEqual({
      promptTokens: 360,
      completionTokens: 7,
      cachedTokens: 300,
      cacheWriteTokens: 50,
      reasoningTokens: 0,
    });
  });

  it('reads missing and null counts as 0', () => {
    expect(mapUsage({ input_tokens: 5, cache_read_input_tokens: null })).toEqual({
      promptTokens: 5,
      completionTokens: 0,
      cachedTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
    expect(mapUsage(undefined).promptTokens).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { faultForAttempt, parseModelScript, resolveValue, stableHash } from './model-script.js';

describe('parseModelScript', () => {
  it('accepts a full script', () => {
    const result = parseModelScript({
      answer: 'hi',
      latencyMs: { min: 10, max: 20 },
      tokensPerSecond: 0,
      chunkCount: 3,
      usage: { promptTokens: 10, cachedTokens: 4 },
      reasoning: 'thinking',
      toolCall: { name: 'read', arguments: { path: 'a' } },
      faults: [
        { type: 'status', status: 429, retryAfter: '2' },
        { type: 'cut', afterChunks: 1 },
      ],
      repeatFault: true,
    });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.script.faults?.[1]).toEqual({ type: 'cut', afterChunks: 1 });
  });

  it('names the field that is wrong', () => {
    const result = parseModelScript({ faults: [{ type: 'cut', afterChunks: -1 }] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('afterChunks');
  });

  it('rejects unknown fault types and unknown fields', () => {
    expect(parseModelScript({ faults: [{ type: 'explode' }] }).ok).toBe(false);
    expect(parseModelScript({ anwser: 'typo' }).ok).toBe(false);
    expect(parseModelScript({ latencyMs: { min: 20, max: 10 } }).ok).toBe(false);
  });
});

describe('faultForAttempt', () => {
  const faults = [{ type: 'reset' as const }, { type: 'status' as const, status: 500 }];

  it('gives one fault per attempt, then none', () => {
    expect(faultForAttempt({ faults }, 1)).toEqual({ type: 'reset' });
    expect(faultForAttempt({ faults }, 2)).toEqual({ type: 'status', status: 500 });
    expect(faultForAttempt({ faults }, 3)).toBeUndefined();
    expect(faultForAttempt({}, 1)).toBeUndefined();
  });

  it('repeats the last fault forever when asked', () => {
    expect(faultForAttempt({ faults, repeatFault: true }, 3)).toEqual({ type: 'status', status: 500 });
    expect(faultForAttempt({ faults, repeatFault: true }, 300)).toEqual({ type: 'status', status: 500 });
  });
});

describe('resolveValue', () => {
  it('keeps plain values and falls back when unset', () => {
    expect(resolveValue(42, 'any', 7)).toBe(42);
    expect(resolveValue(undefined, 'any', 7)).toBe(7);
  });

  it('picks a fixed point in a range per model id', () => {
    const range = { min: 200, max: 600 };
    const first = resolveValue(range, 'anthropic/claude-sonnet-4.5', 0);
    expect(resolveValue(range, 'anthropic/claude-sonnet-4.5', 0)).toBe(first);
    const values = new Set(['a', 'b', 'c', 'd', 'e', 'f'].map((model) => resolveValue(range, model, 0)));
    expect(values.size).toBeGreaterThan(1);
    for (const value of values) {
      expect(value).toBeGreaterThanOrEqual(200);
      expect(value).toBeLessThanOrEqual(600);
    }
  });

  it('hashes stably', () => {
    expect(stableHash('abc')).toBe(stableHash('abc'));
    expect(stableHash('abc')).not.toBe(stableHash('abd'));
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyStats } from './latency-stats.js';
import { PrefillRefusals } from './prefill-refusals.js';
import { RouterState, type StateEvent } from './router-state.js';

describe('LatencyStats', () => {
  it('reports the 95th percentile (nearest rank) of the last window of samples, per measure', () => {
    const stats = new LatencyStats(20);
    expect(stats.firstToken('m')).toBeUndefined();
    for (let value = 1; value <= 20; value += 1) stats.record('m', value * 100, value);
    expect(stats.firstToken('m')).toEqual({ p95Ms: 1_900, samples: 20 });
    expect(stats.streamGap('m')).toEqual({ p95Ms: 19, samples: 20 });
    // The window slides: twenty slow samples push the fast ones out.
    for (let count = 0; count < 20; count += 1) stats.record('m', 9_000, null);
    expect(stats.firstToken('m')).toEqual({ p95Ms: 9_000, samples: 20 });
    expect(stats.streamGap('m')?.samples).toBe(20);
  });

  it('gives the nearest-rank p95 of the last window of samples, ties and evictions included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }),
        (window, samples) => {
          const stats = new LatencyStats(window);
          samples.forEach((value, index) => {
            stats.record('m', value, null);
            const kept = samples.slice(Math.max(0, index + 1 - window), index + 1).sort((a, b) => a - b);
            expect(stats.firstToken('m')).toEqual({
              p95Ms: kept[Math.ceil(0.95 * kept.length) - 1],
              samples: kept.length,
            });
          });
        },
      ),
    );
  });

  it('ignores values that are not measurements', () => {
    const stats = new LatencyStats();
    stats.record('m', Number.NaN, -1);
    stats.record('m', null, Number.POSITIVE_INFINITY);
    expect(stats.firstToken('m')).toBeUndefined();
    expect(stats.streamGap('m')).toBeUndefined();
  });
});

describe('PrefillRefusals', () => {
  it('remembers a refusal per upstream and model until it expires', () => {
    const refusals = new PrefillRefusals({ ttlMs: 1_000, maxEntries: 10 });
    refusals.record('anthropic', 'claude-opus-4-7', 0);
    expect(refusals.refused('anthropic', 'claude-opus-4-7', 999)).toBe(true);
    expect(refusals.refused('openrouter', 'claude-opus-4-7', 999)).toBe(false);
    expect(refusals.refused('anthropic', 'claude-haiku-4-5', 999)).toBe(false);
    expect(refusals.refused('anthropic', 'claude-opus-4-7', 1_000)).toBe(false);
    expect(refusals.size).toBe(0);
  });

  it('forgets the oldest refusal past its bound', () => {
    const refusals = new PrefillRefusals({ ttlMs: 1_000, maxEntries: 2 });
    refusals.record('u', 'a', 0);
    refusals.record('u', 'b', 0);
    refusals.record('u', 'c', 0);
    expect(refusals.size).toBe(2);
    expect(refusals.refused('u', 'a', 1)).toBe(false);
    expect(refusals.refused('u', 'c', 1)).toBe(true);
  });
});

describe('RouterState replication of the failover state', () => {
  it('publishes latency samples, prefill refusals and released probes, and applies them elsewhere', () => {
    const published: StateEvent[] = [];
    const options = { circuitBreaker: { failureThreshold: 1, openMs: 100 } };
    const local = new RouterState({ ...options, publish: (event) => published.push(event) });
    const remote = new RouterState(options);
    local.recordLatency('m', 1_200, 300);
    local.recordPrefillRefused('anthropic', 'claude-opus-4-7', 5);
    local.recordFailure('m', 'u', 0);
    local.recordAttemptStart('m', 'u', 100);
    local.releaseProbe('m', 'u');
    for (const event of published) remote.apply(event);
    expect(remote.latency.firstToken('m')).toEqual({ p95Ms: 1_200, samples: 1 });
    expect(remote.latency.streamGap('m')).toEqual({ p95Ms: 300, samples: 1 });
    expect(remote.prefillRefusals.refused('anthropic', 'claude-opus-4-7', 10)).toBe(true);
    // The probe that began was released, so the next request may probe.
    expect(remote.circuits.allows('m', 'u', 101)).toBe(true);
  });
});

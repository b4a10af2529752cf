import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreakers } from './circuit-breaker.js';
import { StickySessions } from './sticky-sessions.js';
import { ThroughputStats } from './throughput-stats.js';

describe('CircuitBreakers', () => {
  it('opens after the threshold, probes once when the cool-down ends, and closes on success', () => {
    const breakers = new CircuitBreakers({ failureThreshold: 3, openMs: 1_000 });
    for (let attempt = 0; attempt < 2; attempt += 1) breakers.recordFailure('m', 'u', 0);
    expect(breakers.allows('m', 'u', 0)).toBe(true);
    breakers.recordFailure('m', 'u', 10);
    expect(breakers.state('m', 'u', 10)).toBe('open');
    expect(breakers.allows('m', 'u', 500)).toBe(false);
    expect(breakers.state('m', 'u', 1_010)).toBe('half_open');
    expect(breakers.allows('m', 'u', 1_010)).toBe(true);
    breakers.beginAttempt('m', 'u', 1_010);
    expect(breakers.allows('m', 'u', 1_011)).toBe(false);
    breakers.recordSuccess('m', 'u');
    expect(breakers.state('m', 'u', 1_012)).toBe('closed');
  });

  it('re-opens after a failed probe for a short delay, not the whole open time', () => {
    const breakers = new CircuitBreakers({
      failureThreshold: 1,
      openMs: 10_000,
      reopenBaseMs: 100,
      reopenMaxMs: 1_000,
      jitter: () => 0.999_9,
    });
    breakers.recordFailure('m', 'u', 0);
    breakers.beginAttempt('m', 'u', 10_000);
    breakers.recordFailure('m', 'u', 10_000);
    expect(breakers.state('m', 'u', 10_050)).toBe('open');
    expect(breakers.state('m', 'u', 10_100)).toBe('half_open');
  });

  it('doubles the re-open delay per failed probe in a row, up to the cap, jittered between half and all', () => {
    const options = { failureThreshold: 1, openMs: 30_000, reopenBaseMs: 2_000, reopenMaxMs: 15_000 };
    const high = new CircuitBreakers({ ...options, jitter: () => 1 });
    const low = new CircuitBreakers({ ...options, jitter: () => 0 });
    expect([1, 2, 3, 4, 5, 9].map((failed) => high.reopenDelay('m', failed, 0))).toEqual([
      2_000, 4_000, 8_000, 15_000, 15_000, 15_000,
    ]);
    expect([1, 2, 3, 4].map((failed) => low.reopenDelay('m', failed, 0))).toEqual([
      1_000, 2_000, 4_000, 7_500,
    ]);
  });

  it('grows the delay across consecutive failed probes and starts over once the circuit closed', () => {
    const breakers = new CircuitBreakers({
      failureThreshold: 1,
      openMs: 1_000,
      reopenBaseMs: 100,
      reopenMaxMs: 10_000,
      jitter: () => 1,
    });
    breakers.recordFailure('m', 'u', 0);
    let now = 1_000;
    const delays: number[] = [];
    for (let probe = 0; probe < 3; probe += 1) {
      breakers.beginAttempt('m', 'u', now);
      breakers.recordFailure('m', 'u', now);
      const failedAt = now;
      while (breakers.state('m', 'u', now) === 'open') now += 1;
      delays.push(now - failedAt);
    }
    expect(delays).toEqual([100, 200, 400]);
    breakers.beginAttempt('m', 'u', now);
    breakers.recordSuccess('m', 'u');
    breakers.recordFailure('m', 'u', now);
    breakers.beginAttempt('m', 'u', now + 1_000);
    breakers.recordFailure('m', 'u', now + 1_000);
    expect(breakers.state('m', 'u', now + 1_099)).toBe('open');
    expect(breakers.state('m', 'u', now + 1_100)).toBe('half_open');
  });

  it('lets one probe through at a time, until it settles, is released, or its lease runs out', () => {
    const breakers = new CircuitBreakers({ failureThreshold: 1, openMs: 100, probeLeaseMs: 5_000 });
    breakers.recordFailure('m', 'u', 0);
    breakers.beginAttempt('m', 'u', 100);
    expect(breakers.allows('m', 'u', 101)).toBe(false);
    breakers.releaseProbe('m', 'u');
    expect(breakers.allows('m', 'u', 102)).toBe(true);
    breakers.beginAttempt('m', 'u', 102);
    expect(breakers.allows('m', 'u', 5_101)).toBe(false);
    expect(breakers.allows('m', 'u', 5_102)).toBe(true);
  });

  it('does not extend an open circuit when a call that began earlier fails late', () => {
    const breakers = new CircuitBreakers({ failureThreshold: 2, openMs: 1_000 });
    breakers.recordFailure('m', 'u', 0);
    breakers.recordFailure('m', 'u', 0);
    breakers.recordFailure('m', 'u', 900);
    expect(breakers.state('m', 'u', 1_000)).toBe('half_open');
  });

  it('computes the same jittered delay in every process that applies the same failure', () => {
    const options = { failureThreshold: 1, openMs: 100 };
    const [one, two] = [new CircuitBreakers(options), new CircuitBreakers(options)];
    const delays = [1, 2, 3].map((failed) => one.reopenDelay('lab/model', failed, 123_456));
    expect([1, 2, 3].map((failed) => two.reopenDelay('lab/model', failed, 123_456))).toEqual(delays);
    // Spread over time: different failures get different delays.
    const spread = new Set(
      Array.from({ length: 20 }, (_, index) => one.reopenDelay('lab/model', 1, index * 1_000)),
    );
    expect(spread.size).toBeGreaterThan(10);
  });

  it('returns a recovered model to use within 10 s of its recovery plus the next call, probing one at a time (defaults)', () => {
    // The real-world case: a primary answering 503 from 0 s to `outageMs`, then healthy, with calls
    // every `intervalMs`; each probe takes `probeMs`. Simulated on the breaker alone, for many outage
    // lengths and call rates, with the default options (10 s open, re-opens of 2, 4, 8, 10 s). With a
    // call every 4 s and quick 503s that is within 14 s, inside the 15 s target.
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 300_000 }),
        fc.integer({ min: 200, max: 5_000 }),
        fc.integer({ min: 1, max: 3_000 }),
        (outageMs, intervalMs, probeMs) => {
          const breakers = new CircuitBreakers();
          let probeUntil = -1;
          let probes = 0;
          let backAt: number | undefined;
          for (let now = 0; now < outageMs + 60_000 && backAt === undefined; now += intervalMs) {
            if (probeUntil >= 0 && now >= probeUntil) probeUntil = -1;
            if (!breakers.allows('m', 'u', now)) continue;
            const probing = breakers.state('m', 'u', now) === 'half_open';
            if (probing) {
              // Never two probes at once.
              if (probeUntil >= 0) return false;
              probes += 1;
            }
            breakers.beginAttempt('m', 'u', now);
            const settledAt = now + (probing ? probeMs : 0);
            if (settledAt < outageMs) breakers.recordFailure('m', 'u', settledAt);
            else {
              breakers.recordSuccess('m', 'u');
              backAt = now;
            }
            if (probing) probeUntil = settledAt;
          }
          // Back within 10 s of the recovery, plus the wait for the call that finds it (and a probe that
          // was in flight at the recovery); and a probe at most every 5 s once the delays reach the cap.
          return (
            backAt !== undefined &&
            backAt - outageMs <= 10_000 + intervalMs + probeMs &&
            probes <= 4 + outageMs / 5_000
          );
        },
      ),
    );
  });

  it('a success resets the consecutive count', () => {
    const breakers = new CircuitBreakers({ failureThreshold: 2, openMs: 100 });
    breakers.recordFailure('m', 'u', 0);
    breakers.recordSuccess('m', 'u');
    breakers.recordFailure('m', 'u', 1);
    expect(breakers.state('m', 'u', 1)).toBe('closed');
  });
});

describe('StickySessions', () => {
  it('expires entries after the TTL and evicts the oldest past the cap', () => {
    const sticky = new StickySessions({ ttlMs: 100, maxEntries: 2 });
    sticky.set('a', { modelId: 'x', upstream: 'u' }, 0);
    expect(sticky.get('a', 99)).toEqual({ modelId: 'x', upstream: 'u' });
    expect(sticky.get('a', 100)).toBeUndefined();
    sticky.set('a', { modelId: 'x', upstream: 'u' }, 0);
    sticky.set('b', { modelId: 'y', upstream: 'u' }, 0);
    sticky.set('c', { modelId: 'z', upstream: 'u' }, 0);
    expect(sticky.size).toBe(2);
    expect(sticky.get('a', 1)).toBeUndefined();
  });
});

describe('ThroughputStats', () => {
  it('reports the median of the last window of samples', () => {
    const stats = new ThroughputStats(3);
    expect(stats.p50('m')).toBeUndefined();
    stats.record('m', 10);
    stats.record('m', 30);
    expect(stats.p50('m')).toEqual({ tokensPerSecond: 20, samples: 2 });
    stats.record('m', 20);
    stats.record('m', 100); // replaces 10
    expect(stats.p50('m')).toEqual({ tokensPerSecond: 30, samples: 3 });
    stats.record('m', Number.NaN);
    expect(stats.p50('m')?.samples).toBe(3);
  });
});

describe('RouterState replication', () => {
  it('publishes every local change and applies remote ones without re-publishing', async () => {
    const { RouterState } = await import('./router-state.js');
    const published: unknown[] = [];
    const local = new RouterState({
      circuitBreaker: { failureThreshold: 1, openMs: 1_000 },
      publish: (event) => published.push(event),
    });
    const remote = new RouterState({ circuitBreaker: { failureThreshold: 1, openMs: 1_000 } });
    local.recordFailure('m', 'u', 5);
    local.rememberSession('s', { modelId: 'm', upstream: 'u' }, 5);
    local.recordThroughput('m', 100);
    expect(published).toHaveLength(3);
    for (const event of published) remote.apply(event as Parameters<typeof remote.apply>[0]);
    expect(remote.circuits.state('m', 'u', 10)).toBe('open');
    expect(remote.sticky.get('s', 10)).toEqual({ modelId: 'm', upstream: 'u' });
    expect(remote.throughput.p50('m')?.tokensPerSecond).toBe(100);
  });
});

import { describe, expect, it } from 'vitest';
import { CircuitBreakers } from './circuit-breaker.js';
import { StickySessions } from './sticky-sessions.js';
import { ThroughputStats } from './throughput-stats.js';

describe('CircuitBreakers', () => {
  it('opens after the threshold, probes once when the cool-down ends, and closes on success', () => {
    const breakers = new CircuitBreakers({ failureThreshold: 3, openMs: 1_000 });
    for (let attempt = 0; attempt < 2; attempt += 1) breakers.recordFailure('m', 0);
    expect(breakers.allows('m', 0)).toBe(true);
    breakers.recordFailure('m', 10);
    expect(breakers.state('m', 10)).toBe('open');
    expect(breakers.allows('m', 500)).toBe(false);
    expect(breakers.state('m', 1_010)).toBe('half_open');
    expect(breakers.allows('m', 1_010)).toBe(true);
    breakers.beginAttempt('m', 1_010);
    expect(breakers.allows('m', 1_011)).toBe(false);
    breakers.recordSuccess('m');
    expect(breakers.state('m', 1_012)).toBe('closed');
  });

  it('re-opens when the probe fails', () => {
    const breakers = new CircuitBreakers({ failureThreshold: 1, openMs: 100 });
    breakers.recordFailure('m', 0);
    breakers.beginAttempt('m', 200);
    breakers.recordFailure('m', 200);
    expect(breakers.state('m', 250)).toBe('open');
    expect(breakers.state('m', 300)).toBe('half_open');
  });

  it('a success resets the consecutive count', () => {
    const breakers = new CircuitBreakers({ failureThreshold: 2, openMs: 100 });
    breakers.recordFailure('m', 0);
    breakers.recordSuccess('m');
    breakers.recordFailure('m', 1);
    expect(breakers.state('m', 1)).toBe('closed');
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
    local.recordFailure('m', 5);
    local.rememberSession('s', { modelId: 'm', upstream: 'u' }, 5);
    local.recordThroughput('m', 100);
    expect(published).toHaveLength(3);
    for (const event of published) remote.apply(event as Parameters<typeof remote.apply>[0]);
    expect(remote.circuits.state('m', 10)).toBe('open');
    expect(remote.sticky.get('s', 10)).toEqual({ modelId: 'm', upstream: 'u' });
    expect(remote.throughput.p50('m')?.tokensPerSecond).toBe(100);
  });
});

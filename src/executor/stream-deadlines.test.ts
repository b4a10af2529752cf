import { describe, expect, it } from 'vitest';
import { defaultLearnedTimeouts, defaultTimeouts } from '../config/router-config.js';
import { LatencyStats } from '../state/latency-stats.js';
import { learnedLimit, streamDeadlines } from './stream-deadlines.js';

const settings = defaultLearnedTimeouts;

describe('learnedLimit', () => {
  it.each([
    ['no samples and no reference: the default', undefined, undefined, 10_000],
    ['too few samples: the default', { p95Ms: 500, samples: 9 }, undefined, 10_000],
    ['3 x p95 when it is above the floor', { p95Ms: 4_000, samples: 10 }, undefined, 12_000],
    ['the floor for a fast model', { p95Ms: 700, samples: 50 }, undefined, 8_000],
    ['the ceiling for a slow one', { p95Ms: 30_000, samples: 50 }, undefined, 60_000],
    ['the index reference before samples', undefined, 3_500, 10_500],
    ['samples over the reference once there are enough', { p95Ms: 5_000, samples: 10 }, 1_000, 15_000],
  ] as const)('%s', (_name, percentile, reference, expected) => {
    expect(learnedLimit(percentile, reference, settings, 60_000).ms).toBe(expected);
  });

  it('never goes past a ceiling set below the floor or the default', () => {
    expect(learnedLimit(undefined, undefined, settings, 400).ms).toBe(400);
    expect(learnedLimit({ p95Ms: 10, samples: 50 }, undefined, settings, 400).ms).toBe(400);
  });

  it('uses the ceiling alone when learning is off', () => {
    expect(learnedLimit({ p95Ms: 100, samples: 50 }, 100, { ...settings, enabled: false }, 60_000).ms).toBe(
      60_000,
    );
  });
});

describe('streamDeadlines with the default settings', () => {
  it('turns a 20 s silence before the first token into a failover well within 15 s', () => {
    const deadlines = streamDeadlines('m', undefined, new LatencyStats(), defaultTimeouts, false);
    expect(deadlines.firstTokenMs).toBeLessThanOrEqual(10_000);
    expect(deadlines.idleMs).toBeLessThanOrEqual(10_000);
  });

  it('learns a model’s pace: a model with a 3 s p95 gets 9 s, a 30 s silence mid-stream is caught by 8 s', () => {
    const latency = new LatencyStats();
    for (let index = 0; index < 20; index += 1) latency.record('m', 2_000 + index * 55, 1_000);
    const deadlines = streamDeadlines('m', undefined, latency, defaultTimeouts, false);
    expect(deadlines.firstTokenMs).toBe(3 * 2_990);
    expect(deadlines.idleMs).toBe(8_000);
    expect(deadlines.firstTokenBasis).toContain('p95 of 2990 ms over 20 streams');
  });

  it('lets the last candidate wait for its first token up to the configured limit', () => {
    const deadlines = streamDeadlines('m', undefined, new LatencyStats(), defaultTimeouts, true);
    expect(deadlines.firstTokenMs).toBe(60_000);
    expect(deadlines.idleMs).toBe(10_000);
  });
});

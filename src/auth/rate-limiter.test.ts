import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

const start = Date.UTC(2025, 5, 11, 15);

describe('RateLimiter', () => {
  it('allows a burst of the per-minute limit, then refuses with the wait until the next request', () => {
    const limiter = new RateLimiter();
    for (let index = 0; index < 60; index += 1) {
      expect(limiter.take('key_a', 60, start)).toEqual({ allowed: true });
    }
    expect(limiter.take('key_a', 60, start)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('key_a', 60, start + 999)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('key_a', 60, start + 1000)).toEqual({ allowed: true });
  });

  it('holds the rate over a longer period', () => {
    const limiter = new RateLimiter();
    let allowed = 0;
    // Ten requests a second for five minutes against 30 per minute: a 30 burst plus 30 a minute.
    for (let tick = 0; tick < 3000; tick += 1) {
      if (limiter.take('key_a', 30, start + tick * 100).allowed) allowed += 1;
    }
    expect(allowed).toBeGreaterThanOrEqual(30 + 149);
    expect(allowed).toBeLessThanOrEqual(30 + 150);
  });

  it('tells a slow key how long to wait', () => {
    const limiter = new RateLimiter();
    expect(limiter.take('key_a', 2, start).allowed).toBe(true);
    expect(limiter.take('key_a', 2, start).allowed).toBe(true);
    expect(limiter.take('key_a', 2, start)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(limiter.take('key_a', 2, start + 10_000)).toEqual({ allowed: false, retryAfterSeconds: 20 });
  });

  it('keeps keys apart', () => {
    const limiter = new RateLimiter();
    expect(limiter.take('key_a', 1, start).allowed).toBe(true);
    expect(limiter.take('key_a', 1, start).allowed).toBe(false);
    expect(limiter.take('key_b', 1, start).allowed).toBe(true);
  });

  it('blocks a key whose limit is zero', () => {
    const limiter = new RateLimiter();
    expect(limiter.take('key_a', 0, start)).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });

  it('caps saved-up requests at a lowered limit', () => {
    const limiter = new RateLimiter();
    expect(limiter.take('key_a', 100, start).allowed).toBe(true);
    let allowed = 0;
    for (let index = 0; index < 20; index += 1) if (limiter.take('key_a', 5, start + 1).allowed) allowed += 1;
    expect(allowed).toBe(5);
  });

  it('does not mint requests when the clock steps back', () => {
    const limiter = new RateLimiter();
    expect(limiter.take('key_a', 1, start).allowed).toBe(true);
    expect(limiter.take('key_a', 1, start - 120_000).allowed).toBe(false);
    expect(limiter.take('key_a', 1, start + 30_000).allowed).toBe(false);
    expect(limiter.take('key_a', 1, start + 60_000).allowed).toBe(true);
  });

  it('keeps memory bounded', () => {
    const limiter = new RateLimiter({ maxKeys: 100 });
    for (let index = 0; index < 1000; index += 1) limiter.take(`key_${index}`, 10, start);
    expect(limiter.size).toBe(100);
  });
});

import { describe, expect, it } from 'vitest';
import { defaultRetries } from '../config/router-config.js';
import { RouterError } from '../core/errors.js';
import { countsAgainstCircuit, decideAfterFailure } from './failure-policy.js';

const retries = {
  ...defaultRetries,
  maxAttemptsPerModel: 2,
  retryAfterMaxWaitMs: 2_000,
  backoffBaseMs: 100,
  backoffMaxMs: 1_000,
};
const error = (
  code: ConstructorParameters<typeof RouterError>[0],
  options: ConstructorParameters<typeof RouterError>[2] = {},
) => new RouterError(code, code, options);

describe('decideAfterFailure', () => {
  it.each([
    [
      'a short Retry-After waits and retries',
      error('upstream_rate_limited', { retryAfterSeconds: 1 }),
      1,
      { kind: 'retry', waitMs: 1_000 },
    ],
    [
      'a long Retry-After fails over',
      error('upstream_rate_limited', { retryAfterSeconds: 30 }),
      1,
      { kind: 'next_target' },
    ],
    [
      'a Retry-After after the last attempt fails over',
      error('upstream_rate_limited', { retryAfterSeconds: 1 }),
      2,
      { kind: 'next_target' },
    ],
    [
      'a 500 is retried once',
      error('upstream_server_error', { status: 500 }),
      1,
      { kind: 'retry', waitMs: 75 },
    ],
    ['a second 500 fails over', error('upstream_server_error', { status: 500 }), 2, { kind: 'next_target' }],
    ['a 503 fails over at once', error('upstream_server_error', { status: 503 }), 1, { kind: 'next_target' }],
    ['a silent model is not retried', error('upstream_timeout_first_byte'), 1, { kind: 'next_model' }],
    ['a slow first token is not retried', error('upstream_timeout_first_token'), 1, { kind: 'next_model' }],
    [
      'a context overflow looks for a larger context',
      error('context_length_exceeded'),
      1,
      { kind: 'larger_context' },
    ],
    ['a content-policy refusal stops', error('content_policy'), 1, { kind: 'stop' }],
    ['a request that cannot be converted stops', error('invalid_request'), 1, { kind: 'stop' }],
    ['a reset connection tries the next upstream', error('upstream_stream_cut'), 1, { kind: 'next_target' }],
  ] as const)('%s', (_name, failure, attempts, expected) => {
    expect(decideAfterFailure(failure, attempts, retries, () => 0.5)).toEqual(expected);
  });

  it('backs off exponentially with jitter when a 429 has no Retry-After, never below half the step', () => {
    const waits = [1, 2].map((attempt) =>
      [0, 0.5, 1].map((random) =>
        decideAfterFailure(
          error('upstream_rate_limited'),
          attempt,
          { ...retries, maxAttemptsPerModel: 3 },
          () => random,
        ),
      ),
    );
    expect(waits[0]).toEqual([
      { kind: 'retry', waitMs: 50 },
      { kind: 'retry', waitMs: 75 },
      { kind: 'retry', waitMs: 100 },
    ]);
    expect(waits[1]?.[0]).toEqual({ kind: 'retry', waitMs: 100 });
  });

  it('counts upstream trouble against the circuit, not the caller’s mistakes', () => {
    expect(countsAgainstCircuit(error('upstream_server_error'))).toBe(true);
    expect(countsAgainstCircuit(error('context_length_exceeded'))).toBe(false);
    expect(countsAgainstCircuit(error('content_policy'))).toBe(false);
  });
});

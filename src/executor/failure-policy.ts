/**
 * What to do after a failed attempt: the one table of retry and failover rules. Pure, so every rule is
 * a table test.
 */
import type { RetryConfig } from '../config/router-config.js';
import type { RouterError } from '../core/errors.js';

export type FailureDecision =
  /** Wait, then try the same upstream again. */
  | { kind: 'retry'; waitMs: number }
  /** Try the same model on its next upstream, if it has one, else the next model. */
  | { kind: 'next_target' }
  /** Skip the rest of this model's upstreams. */
  | { kind: 'next_model' }
  /** Skip every candidate whose context is not larger than this model's. */
  | { kind: 'larger_context' }
  /** Give up: the answer would be the same everywhere (the upstream refused the content). */
  | { kind: 'stop' };

/**
 * Decides the next step after `error` on a model that has had `attemptsOnModel` attempts. `random` is
 * injected (0..1) so backoff jitter is testable.
 */
export function decideAfterFailure(
  error: RouterError,
  attemptsOnModel: number,
  retries: RetryConfig,
  random: () => number = Math.random,
): FailureDecision {
  const canRetry = attemptsOnModel < retries.maxAttemptsPerModel;
  switch (error.code) {
    case 'content_policy':
    case 'invalid_request':
      // The upstream refused the content, or the request cannot be expressed (bad tool-call arguments):
      // every other candidate would answer the same.
      return { kind: 'stop' };
    case 'context_length_exceeded':
      return { kind: 'larger_context' };
    case 'upstream_rate_limited': {
      if (error.retryAfterSeconds !== undefined) {
        const waitMs = Math.max(0, error.retryAfterSeconds * 1000);
        return canRetry && waitMs <= retries.retryAfterMaxWaitMs
          ? { kind: 'retry', waitMs }
          : { kind: 'next_target' };
      }
      // No Retry-After: exponential backoff with "equal jitter" (half fixed, half random), so retries
      // spread out but never collapse into a tight loop.
      if (!canRetry) return { kind: 'next_target' };
      const ceiling = Math.min(retries.backoffMaxMs, retries.backoffBaseMs * 2 ** (attemptsOnModel - 1));
      return { kind: 'retry', waitMs: Math.round(ceiling / 2 + (random() * ceiling) / 2) };
    }
    case 'upstream_server_error':
      // A plain 500 is often a one-off; 502/503/504/529 mean the upstream is down or overloaded, where
      // another candidate answers sooner than a retry.
      if (error.status === 500 && canRetry) {
        return {
          kind: 'retry',
          waitMs: Math.round(retries.backoffBaseMs / 2 + (random() * retries.backoffBaseMs) / 2),
        };
      }
      return { kind: 'next_target' };
    case 'upstream_timeout_first_byte':
    case 'upstream_timeout_first_token':
      // A silent model is not retried: the next candidate is the fastest way to an answer.
      return { kind: 'next_model' };
    case 'upstream_bad_request':
      return { kind: 'next_model' };
    default:
      return { kind: 'next_target' };
  }
}

/** Whether a failure counts against the model's circuit breaker (upstream trouble, not the caller's). */
export function countsAgainstCircuit(error: RouterError): boolean {
  switch (error.code) {
    case 'upstream_server_error':
    case 'upstream_connect_failed':
    case 'upstream_timeout_first_byte':
    case 'upstream_timeout_first_token':
    case 'upstream_stream_idle':
    case 'upstream_stream_cut':
    case 'upstream_bad_response':
    case 'upstream_rate_limited':
      return true;
    default:
      return false;
  }
}

import { describe, expect, it } from 'vitest';
import { fixturesOf } from '../test-support/read-fixture.js';
import { mapError } from './map-error.js';

const { text: readFixtureText } = fixturesOf('anthropic');

describe('mapError', () => {
  it.each([
    ['error-overloaded.json', 529, 'upstream_server_error', 503, true],
    ['error-api.json', 500, 'upstream_server_error', 500, true],
    ['error-rate-limit.json', 429, 'upstream_rate_limited', 429, true],
    ['error-authentication.json', 401, 'upstream_unauthorized', 502, false],
    ['error-prompt-too-long.json', 400, 'context_length_exceeded', 400, false],
    ['error-invalid-request.json', 400, 'upstream_bad_request', 400, false],
    ['error-content-filter.json', 400, 'content_policy', 400, false],
    ['error-bad-gateway.html', 502, 'upstream_server_error', 502, true],
  ] as const)('maps %s (HTTP %i) to %s', (fixture, status, code, routerStatus, retryable) => {
    const error = mapError(status, readFixtureText(fixture), undefined);
    expect([error.code, error.status, error.retryable]).toEqual([code, routerStatus, retryable]);
  });

  it('keeps the upstream message, type and request id', () => {
    const error = mapError(400, readFixtureText('error-prompt-too-long.json'), undefined);
    expect(error.message).toBe(
      'Anthropic upstream error 400 invalid_request_error: prompt is too long: 208310 tokens > 200000 maximum',
    );
    expect(error.metadata).toEqual({
      provider_error: 'prompt is too long: 208310 tokens > 200000 maximum',
      provider_error_type: 'invalid_request_error',
      provider_request_id: 'req_011CRmBbT8tNFk3xq9YjG5aW',
    });
  });

  it('reads Retry-After seconds on a 429', () => {
    expect(mapError(429, readFixtureText('error-rate-limit.json'), '17').retryAfterSeconds).toBe(17);
    expect(mapError(429, readFixtureText('error-rate-limit.json'), '2.5').retryAfterSeconds).toBe(3);
    expect(
      mapError(429, readFixtureText('error-rate-limit.json'), undefined).retryAfterSeconds,
    ).toBeUndefined();
    expect(mapError(429, readFixtureText('error-rate-limit.json'), 'soon').retryAfterSeconds).toBeUndefined();
    const inHalfAMinute = new Date(Date.now() + 30_000).toUTCString();
    const fromDate = mapError(429, readFixtureText('error-rate-limit.json'), inHalfAMinute).retryAfterSeconds;
    expect(fromDate).toBeGreaterThanOrEqual(29);
    expect(fromDate).toBeLessThanOrEqual(31);
  });

  it('treats the context-limit wording for prompt plus max_tokens as a context length error', () => {
    const body = JSON.stringify({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message:
          'input length and `max_tokens` exceed context limit: 188240 + 21333 > 200000, decrease input length or `max_tokens` and try again',
      },
    });
    expect(mapError(400, body, undefined).code).toBe('context_length_exceeded');
  });

  it.each([
    [403, 'permission_error', 'upstream_unauthorized', 502],
    [402, 'billing_error', 'upstream_unauthorized', 502],
    [404, 'not_found_error', 'upstream_bad_request', 404],
    [413, 'request_too_large', 'upstream_bad_request', 413],
    [503, 'overloaded_error', 'upstream_server_error', 503],
    [504, 'timeout_error', 'upstream_server_error', 504],
  ] as const)('maps HTTP %i %s to %s', (status, type, code, routerStatus) => {
    const error = mapError(
      status,
      JSON.stringify({ type: 'error', error: { type, message: 'x' } }),
      undefined,
    );
    expect([error.code, error.status]).toEqual([code, routerStatus]);
  });

  it('tolerates empty and non-JSON bodies, keeping at most 500 characters', () => {
    const empty = mapError(503, '', undefined);
    expect([empty.code, empty.status, empty.message]).toEqual([
      'upstream_server_error',
      503,
      'Anthropic upstream error 503: no message',
    ]);
    const long = mapError(400, 'x'.repeat(5_000), undefined);
    expect(long.code).toBe('upstream_bad_request');
    expect(long.metadata?.provider_error).toBe('x'.repeat(500));
  });
});

import { describe, expect, it } from 'vitest';
import { type ErrorCode, RouterError } from '../../core/errors.js';
import { mapErrorEnvelope } from './map-error-envelope.js';

describe('mapErrorEnvelope', () => {
  it.each([
    ['invalid_request', undefined, 400, 'invalid_request_error'],
    ['unauthorized', undefined, 401, 'authentication_error'],
    ['budget_exceeded', undefined, 402, 'billing_error'],
    ['forbidden_model', undefined, 403, 'permission_error'],
    ['no_candidate', undefined, 404, 'not_found_error'],
    ['timeout', undefined, 408, 'timeout_error'],
    ['body_too_large', undefined, 413, 'request_too_large'],
    ['rate_limited', undefined, 429, 'rate_limit_error'],
    ['internal', undefined, 500, 'api_error'],
    ['upstream_server_error', undefined, 502, 'api_error'],
    ['no_upstream', undefined, 503, 'overloaded_error'],
    ['upstream_server_error', 529, 529, 'overloaded_error'],
    ['upstream_timeout_first_byte', undefined, 504, 'timeout_error'],
    ['client_closed', undefined, 499, 'invalid_request_error'],
  ] as const)('renders %s (status %s) as %i %s', (code, status, expectedStatus, type) => {
    const error = new RouterError(
      code as ErrorCode,
      'what went wrong',
      status === undefined ? {} : { status },
    );
    const rendered = mapErrorEnvelope(error);
    expect(rendered.status).toBe(expectedStatus);
    expect(JSON.parse(rendered.body)).toEqual({ type: 'error', error: { type, message: 'what went wrong' } });
    expect(rendered.headers).toBeUndefined();
  });

  it('adds retry-after in whole seconds when known', () => {
    const error = new RouterError('rate_limited', 'slow down', { retryAfterSeconds: 1.2 });
    expect(mapErrorEnvelope(error)).toEqual({
      status: 429,
      body: '{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}',
      headers: { 'retry-after': '2' },
    });
  });
});

import { describe, expect, it } from 'vitest';
import { type ErrorCode, RouterError } from '../../core/errors.js';
import { mapErrorEnvelope } from './map-error-envelope.js';

function envelope(
  code: ErrorCode,
  message = 'm',
  options: ConstructorParameters<typeof RouterError>[2] = {},
) {
  const rendered = mapErrorEnvelope(new RouterError(code, message, options));
  return { ...rendered, body: JSON.parse(rendered.body) };
}

describe('mapErrorEnvelope', () => {
  it('renders a refused request in the OpenAI envelope with the router status', () => {
    expect(envelope('invalid_request', 'previous_response_id: the router does not store responses')).toEqual({
      status: 400,
      body: {
        error: {
          message: 'previous_response_id: the router does not store responses',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_request',
        },
      },
    });
  });

  it.each([
    ['unauthorized', 401, 'authentication_error', 'invalid_api_key'],
    ['budget_exceeded', 402, 'insufficient_quota', 'insufficient_quota'],
    ['forbidden_model', 403, 'permission_error', 'forbidden_model'],
    ['no_candidate', 404, 'not_found_error', 'model_not_found'],
    ['unknown_model', 400, 'invalid_request_error', 'model_not_found'],
    ['context_length_exceeded', 400, 'invalid_request_error', 'context_length_exceeded'],
    ['content_policy', 400, 'invalid_request_error', 'invalid_prompt'],
    ['rate_limited', 429, 'rate_limit_error', 'rate_limit_exceeded'],
    ['all_candidates_failed', 502, 'server_error', 'all_candidates_failed'],
    ['no_upstream', 503, 'server_error', 'no_upstream'],
    ['upstream_timeout_first_byte', 504, 'server_error', 'upstream_timeout_first_byte'],
  ] as const)('maps %s to status %i, type %s, code %s', (code, status, type, openaiCode) => {
    const rendered = envelope(code);
    expect(rendered.status).toBe(status);
    expect(rendered.body.error.type).toBe(type);
    expect(rendered.body.error.code).toBe(openaiCode);
  });

  it('keeps an upstream status and adds retry-after and metadata when the error has them', () => {
    const rendered = envelope('upstream_server_error', 'upstream error 503: overloaded', {
      status: 503,
      retryAfterSeconds: 2.5,
      metadata: { provider_name: 'Groq' },
    });
    expect(rendered.status).toBe(503);
    expect(rendered.headers).toEqual({ 'retry-after': '3' });
    expect(rendered.body.error.metadata).toEqual({ provider_name: 'Groq' });
  });

  it('sends no headers when there is nothing to wait for', () => {
    expect(envelope('invalid_request').headers).toBeUndefined();
  });
});

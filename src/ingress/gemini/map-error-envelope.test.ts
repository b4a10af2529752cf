import { describe, expect, it } from 'vitest';
import { RouterError } from '../../core/errors.js';
import { geminiIngress } from './index.js';
import { mapErrorEnvelope, mapStatusName } from './map-error-envelope.js';

describe('mapErrorEnvelope', () => {
  it('renders a rate limit with the retry delay the Gemini CLI reads', () => {
    const error = new RouterError(
      'upstream_rate_limited',
      'Gemini upstream error 429 RESOURCE_EXHAUSTED: slow down',
      {
        retryAfterSeconds: 11.2,
        metadata: { provider_status: 'RESOURCE_EXHAUSTED', attempts: 3 },
      },
    );
    expect(geminiIngress.renderError(error)).toEqual({
      status: 429,
      headers: { 'retry-after': '12' },
      body: JSON.stringify({
        error: {
          code: 429,
          message: 'Gemini upstream error 429 RESOURCE_EXHAUSTED: slow down',
          status: 'RESOURCE_EXHAUSTED',
          details: [
            {
              '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
              reason: 'UPSTREAM_RATE_LIMITED',
              domain: 'pareto-router',
              metadata: { provider_status: 'RESOURCE_EXHAUSTED', attempts: '3' },
            },
            { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' },
          ],
        },
      }),
    });
  });

  it('renders a bad request without a retry-after header', () => {
    const rendered = geminiIngress.renderError(
      new RouterError('invalid_request', 'contents: must not be empty'),
    );
    expect(rendered.status).toBe(400);
    expect(rendered.headers).toBeUndefined();
    expect(JSON.parse(rendered.body)).toEqual({
      error: {
        code: 400,
        message: 'contents: must not be empty',
        status: 'INVALID_ARGUMENT',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'INVALID_REQUEST',
            domain: 'pareto-router',
            metadata: {},
          },
        ],
      },
    });
  });

  it('names each status as Google does', () => {
    expect(
      [400, 401, 402, 403, 404, 408, 413, 429, 499, 500, 501, 502, 503, 504, 418, 599].map(mapStatusName),
    ).toEqual([
      'INVALID_ARGUMENT',
      'UNAUTHENTICATED',
      'RESOURCE_EXHAUSTED',
      'PERMISSION_DENIED',
      'NOT_FOUND',
      'DEADLINE_EXCEEDED',
      'INVALID_ARGUMENT',
      'RESOURCE_EXHAUSTED',
      'CANCELLED',
      'INTERNAL',
      'UNIMPLEMENTED',
      'UNAVAILABLE',
      'UNAVAILABLE',
      'DEADLINE_EXCEEDED',
      'INVALID_ARGUMENT',
      'INTERNAL',
    ]);
  });

  it('keeps the code within what the SDK raises as an API error', () => {
    const envelope = mapErrorEnvelope(new RouterError('internal', 'odd', { status: 302 }));
    expect(envelope.error.code).toBe(500);
    expect(envelope.error.status).toBe('INTERNAL');
  });

  it('renders a token count', () => {
    expect(geminiIngress.renderTokenCount?.(1234)).toBe('{"totalTokens":1234}');
  });
});

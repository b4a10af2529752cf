import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RouterError } from '../../core/errors.js';
import { fixturesOf } from '../test-support/read-fixture.js';
import { findGoogleError, googleErrorEnvelopeSchema, mapError, mapGoogleError } from './map-error.js';

const { text: fixture } = fixturesOf('gemini');

describe('findGoogleError', () => {
  it('finds the error of an envelope, bare or in a one-element array, and nothing in a chunk', () => {
    const error = { code: 429, message: 'Resource exhausted', status: 'RESOURCE_EXHAUSTED', details: [] };
    expect(findGoogleError({ error })).toEqual(error);
    expect(findGoogleError([{ error }])).toEqual(error);
    expect(findGoogleError({ candidates: [{ content: { parts: [{ text: 'hi' }] } }] })).toBeUndefined();
    expect(findGoogleError({ error: null })).toBeUndefined();
    expect(findGoogleError({ error: 'quota' })).toBeUndefined();
    expect(findGoogleError({ error: { code: 'not a number' } })).toBeUndefined();
    expect(findGoogleError(null)).toBeUndefined();
  });

  it('answers as the envelope schema does for any JSON value', () => {
    const errorLike = fc.record(
      { code: fc.jsonValue(), message: fc.jsonValue(), status: fc.jsonValue(), details: fc.jsonValue() },
      { requiredKeys: [] },
    );
    const value = fc.oneof(
      fc.jsonValue(),
      fc.record({ error: fc.oneof(fc.jsonValue(), errorLike) }),
      fc.tuple(fc.record({ error: fc.oneof(fc.jsonValue(), errorLike) })),
    );
    fc.assert(
      fc.property(value, (input) => {
        const candidate = Array.isArray(input) ? input[0] : input;
        const parsed = googleErrorEnvelopeSchema.safeParse(candidate);
        expect(findGoogleError(input)).toEqual(parsed.success ? parsed.data.error : undefined);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('mapError', () => {
  it.each([
    ['error-429.json', 429, 'upstream_rate_limited', true, 429],
    ['error-500.json', 500, 'upstream_server_error', true, 500],
    ['error-503.json', 503, 'upstream_server_error', true, 503],
    ['error-504.json', 504, 'upstream_server_error', true, 504],
    ['error-403.json', 403, 'upstream_unauthorized', true, 502],
    ['error-400-api-key.json', 400, 'upstream_unauthorized', true, 502],
    ['error-400-context-length.json', 400, 'context_length_exceeded', false, 400],
    ['error-400-schema.json', 400, 'upstream_bad_request', false, 400],
    ['error-404-model.json', 404, 'upstream_bad_request', false, 400],
  ] as const)('maps %s (HTTP %i) to %s', (name, status, code, retryable, routerStatus) => {
    const error = mapError(status, fixture(name), undefined);
    expect(error).toBeInstanceOf(RouterError);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.status).toBe(routerStatus);
  });

  it('keeps the upstream message in the error message and metadata', () => {
    const error = mapError(400, fixture('error-400-context-length.json'), undefined);
    const upstream =
      'The input token count (1187334) exceeds the maximum number of tokens allowed (1048576).';
    expect(error.message).toContain(upstream);
    expect(error.message).toContain('INVALID_ARGUMENT');
    expect(error.metadata).toEqual({ provider_error: upstream, provider_status: 'INVALID_ARGUMENT' });
  });

  it('takes the retry delay from the RetryInfo detail', () => {
    expect(mapError(429, fixture('error-429.json'), undefined).retryAfterSeconds).toBe(12);
  });

  it('prefers the Retry-After header over RetryInfo', () => {
    expect(mapError(429, fixture('error-429.json'), '3').retryAfterSeconds).toBe(3);
    const inHalfAMinute = new Date(Date.now() + 30_000).toUTCString();
    const fromDate = mapError(429, fixture('error-429.json'), inHalfAMinute).retryAfterSeconds;
    expect(fromDate).toBeGreaterThanOrEqual(29);
    expect(fromDate).toBeLessThanOrEqual(31);
  });

  it('rounds fractional retry delays up', () => {
    const body = JSON.stringify({
      error: {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        message: 'slow down',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.2s' }],
      },
    });
    expect(mapError(429, body, undefined).retryAfterSeconds).toBe(2);
  });

  it('has no retry delay when neither header nor RetryInfo gives one', () => {
    const error = mapError(
      429,
      '{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}',
      'soon',
    );
    expect(error.code).toBe('upstream_rate_limited');
    expect(error.retryAfterSeconds).toBeUndefined();
  });

  it('reads an envelope wrapped in an array (the shape of streamGenerateContent without alt=sse)', () => {
    const body = `[${fixture('error-503.json')}]`;
    const error = mapError(503, body, undefined);
    expect(error.code).toBe('upstream_server_error');
    expect(error.message).toContain('The model is overloaded');
  });

  it('tolerates a body that is not JSON', () => {
    const error = mapError(502, '<html><body>Bad Gateway</body></html>', undefined);
    expect(error.code).toBe('upstream_server_error');
    expect(error.status).toBe(502);
    expect(error.message).toContain('Bad Gateway');
    expect(error.metadata?.provider_error).toBe('<html><body>Bad Gateway</body></html>');
  });

  it('tolerates an empty body', () => {
    const error = mapError(401, '', undefined);
    expect(error.code).toBe('upstream_unauthorized');
    expect(error.message).toBe('Gemini upstream error 401: no message');
  });

  it('caps a huge upstream message', () => {
    const error = mapError(400, 'x'.repeat(100_000), undefined);
    expect(error.code).toBe('upstream_bad_request');
    expect(String(error.metadata?.provider_error).length).toBe(1_000);
  });

  it('maps a safety refusal to content_policy', () => {
    const body = JSON.stringify({
      error: {
        code: 400,
        message: 'The request was blocked for safety reasons.',
        status: 'INVALID_ARGUMENT',
      },
    });
    const error = mapError(400, body, undefined);
    expect(error.code).toBe('content_policy');
    expect(error.retryable).toBe(false);
  });

  it('maps a rate limit signalled only by its status name', () => {
    const body = JSON.stringify({
      error: { message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' },
    });
    expect(mapError(400, body, undefined).code).toBe('upstream_rate_limited');
  });

  it('never throws, whatever the status and body', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.string(),
        fc.option(fc.string(), { nil: undefined }),
        (status, body, retryAfter) => {
          expect(mapError(status, body, retryAfter)).toBeInstanceOf(RouterError);
        },
      ),
    );
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.jsonValue(), (status, value) => {
        expect(mapError(status, JSON.stringify({ error: value }), undefined)).toBeInstanceOf(RouterError);
      }),
    );
  });
});

describe('mapGoogleError', () => {
  it('derives the status of an in-stream error from its code', () => {
    const error = mapGoogleError(
      undefined,
      { code: 503, message: 'overloaded', status: 'UNAVAILABLE' },
      undefined,
    );
    expect(error.code).toBe('upstream_server_error');
    expect(error.status).toBe(503);
  });

  it('derives the status of an in-stream error from its status name when it has no code', () => {
    const error = mapGoogleError(undefined, { message: 'deadline', status: 'DEADLINE_EXCEEDED' }, undefined);
    expect(error.code).toBe('upstream_server_error');
    expect(error.status).toBe(504);
  });
});

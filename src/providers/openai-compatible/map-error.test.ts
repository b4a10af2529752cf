import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../core/errors.js';
import { RouterError } from '../../core/errors.js';
import { fixturesOf } from '../test-support/read-fixture.js';
import { findUpstreamError, mapError } from './map-error.js';

const { text: fixtureText } = fixturesOf('openai-compatible');

interface Row {
  fixture: string;
  status: number;
  code: ErrorCode;
  retryable: boolean;
  routerStatus: number;
  messageIncludes: string;
}

const table: Row[] = [
  {
    fixture: 'error-openai-429-rate-limit.json',
    status: 429,
    code: 'upstream_rate_limited',
    retryable: true,
    routerStatus: 429,
    messageIncludes: 'Rate limit reached for gpt-4.1',
  },
  {
    fixture: 'error-openai-429-insufficient-quota.json',
    status: 429,
    code: 'upstream_unauthorized',
    retryable: false,
    routerStatus: 502,
    messageIncludes: 'exceeded your current quota',
  },
  {
    fixture: 'error-openai-400-context-length.json',
    status: 400,
    code: 'context_length_exceeded',
    retryable: false,
    routerStatus: 400,
    messageIncludes: 'maximum context length is 128000 tokens',
  },
  {
    fixture: 'error-openai-400-invalid-prompt.json',
    status: 400,
    code: 'content_policy',
    retryable: false,
    routerStatus: 400,
    messageIncludes: 'flagged as potentially violating our usage policy',
  },
  {
    fixture: 'error-content-filter-400.json',
    status: 400,
    code: 'content_policy',
    retryable: false,
    routerStatus: 400,
    messageIncludes: 'content management policy',
  },
  {
    fixture: 'error-openai-400-bad-parameter.json',
    status: 400,
    code: 'upstream_bad_request',
    retryable: false,
    routerStatus: 400,
    messageIncludes: "Unsupported parameter: 'max_tokens'",
  },
  {
    fixture: 'error-openai-401.json',
    status: 401,
    code: 'upstream_unauthorized',
    retryable: false,
    routerStatus: 502,
    messageIncludes: 'Incorrect API key provided',
  },
  {
    fixture: 'error-openai-500.json',
    status: 500,
    code: 'upstream_server_error',
    retryable: true,
    routerStatus: 500,
    messageIncludes: 'The server had an error',
  },
  {
    fixture: 'error-openai-503.json',
    status: 503,
    code: 'upstream_server_error',
    retryable: true,
    routerStatus: 503,
    messageIncludes: 'currently overloaded',
  },
  {
    fixture: 'error-openrouter-403-moderation.json',
    status: 403,
    code: 'content_policy',
    retryable: false,
    routerStatus: 400,
    messageIncludes: 'reasons: harassment',
  },
  {
    fixture: 'error-openrouter-402.json',
    status: 402,
    code: 'upstream_unauthorized',
    retryable: false,
    routerStatus: 502,
    messageIncludes: 'requires more credits',
  },
  {
    fixture: 'error-openrouter-429.json',
    status: 429,
    code: 'upstream_rate_limited',
    retryable: true,
    routerStatus: 429,
    messageIncludes: 'temporarily rate-limited upstream',
  },
  {
    fixture: 'error-openrouter-400-context.json',
    status: 400,
    code: 'context_length_exceeded',
    retryable: false,
    routerStatus: 400,
    messageIncludes: 'maximum context length is 163840 tokens',
  },
  {
    fixture: 'error-deepseek-400-context.json',
    status: 400,
    code: 'context_length_exceeded',
    retryable: false,
    routerStatus: 400,
    messageIncludes: 'maximum context length is 65536 tokens',
  },
  {
    fixture: 'error-vllm-400-flat.json',
    status: 400,
    code: 'context_length_exceeded',
    retryable: false,
    routerStatus: 400,
    messageIncludes: 'maximum context length is 32768 tokens',
  },
  {
    fixture: 'error-ollama-404.json',
    status: 404,
    code: 'upstream_bad_request',
    retryable: false,
    routerStatus: 400,
    messageIncludes: 'not found, try pulling it first',
  },
  {
    fixture: 'error-plain-string.json',
    status: 503,
    code: 'upstream_server_error',
    retryable: true,
    routerStatus: 503,
    messageIncludes: 'model is loading',
  },
  {
    fixture: 'error-fastapi-detail.json',
    status: 404,
    code: 'upstream_bad_request',
    retryable: false,
    routerStatus: 400,
    messageIncludes: 'Not Found',
  },
  {
    fixture: 'error-gateway-502.html',
    status: 502,
    code: 'upstream_server_error',
    retryable: true,
    routerStatus: 502,
    messageIncludes: '<title>502 Bad Gateway</title>',
  },
];

describe('mapError', () => {
  it.each(table)('$fixture ($status) -> $code', (row) => {
    const error = mapError(row.status, fixtureText(row.fixture), undefined);
    expect(error).toBeInstanceOf(RouterError);
    expect(error.code).toBe(row.code);
    expect(error.retryable).toBe(row.retryable);
    expect(error.status).toBe(row.routerStatus);
    expect(error.message).toContain(row.messageIncludes);
    expect(String(error.metadata?.provider_error)).toContain(row.messageIncludes.replace('reasons: ', ''));
  });

  it('keeps the upstream code, type and param in the metadata', () => {
    const error = mapError(400, fixtureText('error-openai-400-context-length.json'), undefined);
    expect(error.message).toMatch(/^upstream error 400 \(context_length_exceeded\): This model's maximum/);
    expect(error.metadata).toMatchObject({
      provider_code: 'context_length_exceeded',
      provider_type: 'invalid_request_error',
      provider_param: 'messages',
    });
  });

  it('keeps the moderation reasons and provider in the metadata', () => {
    const error = mapError(403, fixtureText('error-openrouter-403-moderation.json'), undefined);
    expect(error.metadata).toMatchObject({ reasons: ['harassment'], provider_name: 'OpenAI' });
    expect(error.message).toContain('flagged for "harassment"');
  });

  it('reads Retry-After in seconds and as an HTTP date', () => {
    const body = fixtureText('error-openai-429-rate-limit.json');
    expect(mapError(429, body, '7').retryAfterSeconds).toBe(7);
    expect(mapError(429, body, '1.2').retryAfterSeconds).toBe(2);
    const inTwoMinutes = new Date(Date.now() + 120_000).toUTCString();
    const seconds = mapError(429, body, inTwoMinutes).retryAfterSeconds ?? 0;
    expect(seconds).toBeGreaterThanOrEqual(118);
    expect(seconds).toBeLessThanOrEqual(120);
    expect(mapError(429, body, undefined).retryAfterSeconds).toBeUndefined();
    expect(mapError(429, body, 'soon').retryAfterSeconds).toBeUndefined();
  });

  it('maps 408 to a first-byte timeout and the 5xx range to server errors with the status kept', () => {
    expect(mapError(408, 'Request Timeout', undefined)).toMatchObject({
      code: 'upstream_timeout_first_byte',
      retryable: true,
    });
    for (const status of [500, 502, 503, 504, 520, 522, 529]) {
      expect(mapError(status, '', undefined)).toMatchObject({
        code: 'upstream_server_error',
        retryable: true,
        status,
      });
    }
  });

  it('finds context-length and policy failures by message when the code says nothing', () => {
    const cases: [string, ErrorCode][] = [
      ['prompt is too long: 212000 tokens > 200000 maximum', 'context_length_exceeded'],
      ['Input is too long for requested model.', 'context_length_exceeded'],
      ['the request exceeds the available context size, try increasing it', 'context_length_exceeded'],
      ['Too many tokens in the request', 'context_length_exceeded'],
      ['Your request was rejected by the safety system.', 'content_policy'],
      ['Input data may contain inappropriate content.', 'content_policy'],
      ['messages[1].content must be a string', 'upstream_bad_request'],
    ];
    for (const [message, code] of cases) {
      expect(mapError(400, JSON.stringify({ error: { message } }), undefined).code).toBe(code);
    }
  });

  it('keeps only the first 500 characters of a body that is not JSON', () => {
    const error = mapError(502, `<html>${'x'.repeat(5_000)}</html>`, undefined);
    expect(String(error.metadata?.provider_error)).toHaveLength(500);
    expect(error.message.length).toBeLessThan(600);
  });

  it('reads OpenRouter metadata.raw when the message says only "Provider returned error"', () => {
    const body = JSON.stringify({
      error: {
        code: 400,
        message: 'Provider returned error',
        metadata: {
          raw: '{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long"}}',
        },
      },
    });
    expect(mapError(400, body, undefined).code).toBe('context_length_exceeded');
  });

  it('returns a RouterError for any body text (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 300, max: 599 }),
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((value) => JSON.stringify({ error: value })),
        ),
        fc.option(fc.string(), { nil: undefined }),
        (status, bodyText, retryAfter) => {
          const error = mapError(status, bodyText, retryAfter);
          expect(error).toBeInstanceOf(RouterError);
          expect(String(error.metadata?.provider_error).length).toBeLessThanOrEqual(500);
        },
      ),
    );
  });
});

describe('findUpstreamError', () => {
  it('finds object and string errors and ignores bodies without one', () => {
    expect(findUpstreamError({ error: { message: 'boom', code: 500 } })).toMatchObject({
      message: 'boom',
      code: 500,
    });
    expect(findUpstreamError({ error: 'boom' })).toEqual({ message: 'boom' });
    expect(findUpstreamError({ error: 12 })).toEqual({ message: '12' });
    expect(findUpstreamError({ error: null, choices: [] })).toBeUndefined();
    expect(findUpstreamError({ choices: [] })).toBeUndefined();
    expect(findUpstreamError([{ error: 'x' }])).toBeUndefined();
    expect(findUpstreamError('error')).toBeUndefined();
  });
});

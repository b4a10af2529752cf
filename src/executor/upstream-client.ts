/**
 * HTTP to upstreams: one keep-alive connection pool per origin (undici's Agent), time-to-first-byte and
 * idle limits enforced by undici itself (headersTimeout / bodyTimeout), and the caller's abort signal on
 * every call. Transport failures become RouterErrors with stable codes.
 */

import type { Readable } from 'node:stream';
import { Agent, type Dispatcher, errors as undiciErrors } from 'undici';
import { RouterError } from '../core/errors.js';
import { readStreamText } from './read-stream-text.js';

export interface UpstreamResponse {
  statusCode: number;
  headers: Dispatcher.ResponseData['headers'];
  body: Dispatcher.ResponseData['body'];
}

export interface SendOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
  firstByteMs: number;
  idleMs: number;
}

export class UpstreamClient {
  readonly #agent: Agent;

  constructor(options: { connections?: number } = {}) {
    this.#agent = new Agent({
      connections: options.connections ?? 256,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      pipelining: 1,
    });
  }

  /** Sends one request; resolves when response headers arrive, rejects with a RouterError. */
  async send(options: SendOptions): Promise<UpstreamResponse> {
    try {
      const pathStart = pathStartOf(options.url);
      const response = await this.#agent.request({
        // Base URLs are validated when the configuration loads; slicing spares a URL parse per call.
        origin: options.url.slice(0, pathStart),
        path: pathStart === options.url.length ? '/' : options.url.slice(pathStart),
        method: 'POST',
        headers: options.headers,
        body: options.body,
        signal: options.signal,
        headersTimeout: options.firstByteMs,
        bodyTimeout: options.idleMs,
      });
      return { statusCode: response.statusCode, headers: response.headers, body: response.body };
    } catch (error) {
      throw transportError(error, options.signal);
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

function pathStartOf(url: string): number {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  return start < 0 ? url.length : start;
}

/** Maps undici and socket errors (and aborts) to the router's codes. */
export function transportError(error: unknown, signal?: AbortSignal): RouterError {
  if (error instanceof RouterError) return error;
  if (signal?.aborted === true && signal.reason instanceof RouterError) return signal.reason;
  if (error instanceof undiciErrors.HeadersTimeoutError) {
    return new RouterError('upstream_timeout_first_byte', 'upstream sent no response headers in time', {
      retryable: true,
      cause: error,
    });
  }
  if (error instanceof undiciErrors.BodyTimeoutError) {
    return new RouterError('upstream_stream_idle', 'upstream went silent in the middle of its response', {
      retryable: true,
      cause: error,
    });
  }
  if (
    error instanceof undiciErrors.RequestAbortedError ||
    (error as Error | undefined)?.name === 'AbortError'
  ) {
    return new RouterError('client_closed', 'request aborted', { cause: error });
  }
  const code = (error as { code?: string } | undefined)?.code ?? '';
  const causeCode =
    ((error as { cause?: { code?: string } } | undefined)?.cause?.code as string | undefined) ?? '';
  const any = `${code} ${causeCode}`;
  if (
    any.includes('ECONNREFUSED') ||
    any.includes('ENOTFOUND') ||
    any.includes('EAI_AGAIN') ||
    any.includes('UND_ERR_CONNECT')
  ) {
    return new RouterError(
      'upstream_connect_failed',
      `could not connect to the upstream (${code || causeCode})`,
      {
        retryable: true,
        cause: error,
      },
    );
  }
  if (any.includes('ECONNRESET') || any.includes('UND_ERR_SOCKET') || any.includes('EPIPE')) {
    return new RouterError('upstream_stream_cut', 'the upstream connection was reset', {
      retryable: true,
      cause: error,
    });
  }
  return new RouterError(
    'upstream_connect_failed',
    `upstream request failed: ${(error as Error)?.message ?? String(error)}`,
    {
      retryable: true,
      cause: error,
    },
  );
}

/** Reads a whole body as text, failing once it passes `maxBytes`. */
export function readBodyText(body: Readable, maxBytes: number): Promise<string> {
  return readStreamText(body, {
    maxBytes,
    tooLarge: () =>
      new RouterError('upstream_bad_response', `upstream body is larger than ${maxBytes} bytes`, {
        retryable: true,
      }),
    closedEarly: () =>
      new RouterError('upstream_stream_cut', 'the upstream closed the connection before the body ended', {
        retryable: true,
      }),
  });
}

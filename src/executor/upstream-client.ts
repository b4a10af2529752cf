/**
 * HTTP to upstreams: one keep-alive connection pool per origin (undici's Agent), time-to-first-byte and
 * idle limits enforced by undici itself (headersTimeout / bodyTimeout), and the caller's abort signal on
 * every call. Transport failures become RouterErrors with stable codes. Both kinds of call are served
 * from undici's dispatch callbacks, without its request API: a whole answer is collected as text
 * (`fetchText`), a streamed one is handed to its reader chunk by chunk (`send`, `UpstreamBody`).
 *
 * The pool has no connection limit unless one is configured: an agent fleet holds thousands of long
 * streams open at once, and with HTTP/1.1 every open stream holds a connection, so any fixed limit puts
 * the next stream behind a whole answer. With a limit, the calls that wait for a connection are counted
 * (`queueStats`) and each one's wait is reported to `onQueued`, for the metrics and the request log.
 */

import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { Agent, type Dispatcher, Pool, errors as undiciErrors } from 'undici';
import { RouterError } from '../core/errors.js';
import type { AbortSource } from './call-abort.js';
import { bodyTooLarge, UpstreamBody } from './upstream-body.js';

export interface UpstreamResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: UpstreamBody;
}

export interface UpstreamClientOptions {
  /**
   * Connections per upstream origin; no limit when undefined. Past the limit, calls wait in the pool's
   * queue until a connection is free: for streams, until another whole answer has ended.
   */
  connections?: number | undefined;
  /** Called once per call that waited for a connection, with its origin and the wait in milliseconds. */
  onQueued?: ((origin: string, waitMs: number) => void) | undefined;
}

/** Calls waiting for a free connection, per origin (only with a connection limit). */
export interface QueueStats {
  origin: string;
  /** Calls in the pool's queue now. */
  queued: number;
  /** Open connections. */
  connected: number;
}

export interface SendOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSource;
  firstByteMs: number;
  idleMs: number;
  /** Called with the wait when a configured connection limit made this call queue. */
  onQueued?: ((waitMs: number) => void) | undefined;
}

/** A whole upstream answer read as text. */
export interface UpstreamText {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** The body; '' for an error status whose body passed `maxErrorBytes` (it is not read further). */
  text: string;
}

export interface FetchTextOptions extends SendOptions {
  /** Limit for a 2xx body; past it the call fails with `upstream_bad_response`. */
  maxBytes: number;
  /** Limit for an error status's body; past it the text is given up, not the call. */
  maxErrorBytes: number;
}

export class UpstreamClient {
  readonly #agent: Agent;
  /** The agent, or the agent with the queue-wait interceptor when connections are limited. */
  readonly #dispatcher: Dispatcher;
  /** The pool of each origin, kept only when connections are limited (only then can calls wait). */
  readonly #pools = new Map<string, Pool>();
  /** True when a connection limit is configured: only then can a call wait for a connection. */
  readonly queueing: boolean;

  constructor(options: UpstreamClientOptions = {}) {
    const limit = options.connections;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) {
      throw new RangeError(`connections must be a positive integer, got ${limit}`);
    }
    const pools = this.#pools;
    this.queueing = limit !== undefined;
    this.#agent = new Agent({
      // null is undici's "no limit": one connection per concurrent call, reused once it is free.
      connections: limit ?? null,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      // HTTP/1.1 only. With undici's HTTP/2 at pipelining 1 a session carries one stream at a time, so it
      // saves no connection: measured with 500 concurrent streams over TLS, it opened 500 sessions and
      // used more CPU and memory than HTTP/1.1; with a connection limit it ran the streams a few at a time.
      // Higher pipelining would let HTTP/1.1 upstreams queue streams behind each other on one socket.
      pipelining: 1,
      ...(limit === undefined
        ? {}
        : {
            factory: (origin: string | URL, poolOptions: Agent.Options) => {
              const pool = new Pool(origin, poolOptions);
              // The agent may drop an idle origin's pool and make a new one later; the newest counts.
              pools.set(String(origin), pool);
              return pool;
            },
          }),
    });
    const onQueued = options.onQueued;
    // Only a limited pool can queue, so only it pays for watching each call.
    this.#dispatcher =
      limit === undefined
        ? this.#agent
        : this.#agent.compose((dispatch) => (dispatchOptions, handler) => {
            const pool = pools.get(String(dispatchOptions.origin));
            const queuedBefore = pool?.stats.queued ?? 0;
            const timing = new QueueTimingHandler(handler);
            const result = dispatch(dispatchOptions, timing);
            // A call joins the pool's own queue only when every allowed connection is busy.
            const queuedPool = pool ?? pools.get(String(dispatchOptions.origin));
            if ((queuedPool?.stats.queued ?? 0) > queuedBefore) {
              const origin = String(dispatchOptions.origin);
              const onCallQueued = callQueueListeners.get(dispatchOptions);
              timing.reportWhenStarted((waitMs) => {
                onQueued?.(origin, waitMs);
                onCallQueued?.(waitMs);
              });
            }
            return result;
          });
  }

  /** Calls waiting for a connection, per origin; empty when the pool has no limit (nothing can wait). */
  queueStats(): QueueStats[] {
    const result: QueueStats[] = [];
    for (const [origin, pool] of this.#pools) {
      const stats = pool.stats;
      result.push({ origin, queued: stats.queued, connected: stats.connected });
    }
    return result;
  }

  /**
   * The dispatch options of one call, shared by `send` and `fetchText`; with a connection limit, the call's
   * queue listener is registered against the options object the pool's interceptor will see.
   */
  #dispatchOptions(options: SendOptions | FetchTextOptions): Dispatcher.DispatchOptions {
    const { origin, path } = originAndPath(options.url);
    const dispatchOptions: Dispatcher.DispatchOptions = {
      origin,
      path,
      method: 'POST',
      headers: options.headers,
      body: options.body,
      headersTimeout: options.firstByteMs,
      bodyTimeout: options.idleMs,
    };
    if (this.queueing && options.onQueued !== undefined) {
      callQueueListeners.set(dispatchOptions, options.onQueued);
    }
    return dispatchOptions;
  }

  /**
   * Sends one request; resolves when response headers arrive, with the body still arriving (read it with
   * `readSseStream` or `body.text`), and rejects with a RouterError. Like `fetchText`, it works from
   * undici's dispatch callbacks: no response stream and no request wrapper per call.
   */
  send(options: SendOptions): Promise<UpstreamResponse> {
    return this.#start(
      options,
      (resolve, reject) => new StreamResponseHandler(options.signal, resolve, reject),
    );
  }

  /**
   * Sends one request and reads the whole answer as text, for calls that are not streamed. It collects
   * the body straight from undici's dispatch callbacks: no response stream, and the only abort listener
   * is this call's own, so a plain call costs fewer objects than `send` plus a read.
   */
  fetchText(options: FetchTextOptions): Promise<UpstreamText> {
    return this.#start(options, (resolve, reject) => new TextResponseHandler(options, resolve, reject));
  }

  /** Dispatches one call through `handler`; a call whose signal has already fired is never sent. */
  #start<T>(
    options: SendOptions,
    handler: (resolve: (value: T) => void, reject: (error: RouterError) => void) => SettlingHandler<T>,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      if (options.signal.aborted) {
        reject(transportError(options.signal.reason, options.signal));
        return;
      }
      const started = handler(resolve, reject);
      try {
        this.#dispatcher.dispatch(this.#dispatchOptions(options), started);
      } catch (error) {
        started.onResponseError(undefined, error as Error);
      }
    });
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

/**
 * Each call's own queue listener, found by the options object undici hands to the interceptor (its
 * request API passes the caller's object through), so the interceptor needs no field undici does not know.
 */
const callQueueListeners = new WeakMap<object, (waitMs: number) => void>();

/**
 * Times how long a queued call waited before undici wrote it to a connection (its request-start event
 * comes when a connection takes it).
 */
class QueueTimingHandler implements Dispatcher.DispatchHandler {
  readonly #handler: Dispatcher.DispatchHandler;
  readonly #dispatchedAt = performance.now();
  #report: ((waitMs: number) => void) | undefined;

  constructor(handler: Dispatcher.DispatchHandler) {
    this.#handler = handler;
  }

  /** Marks this call as queued: its wait goes to `report` when a connection takes it. */
  reportWhenStarted(report: (waitMs: number) => void): void {
    this.#report = report;
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    const report = this.#report;
    if (report !== undefined) {
      this.#report = undefined;
      report(performance.now() - this.#dispatchedAt);
    }
    this.#handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    socket: Duplex,
  ): void {
    this.#handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    this.#handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.#handler.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.#handler.onResponseError?.(controller, error);
  }
}

/**
 * What both calls' handlers share: the caller's abort signal, undici's controller, and one settlement of
 * the call's promise. The abort listener is dropped when the promise fails, and when it succeeds unless
 * the handler keeps it for a body still arriving (it then calls `release` itself).
 */
abstract class SettlingHandler<T> implements Dispatcher.DispatchHandler {
  protected readonly signal: AbortSource;
  protected controller: Dispatcher.DispatchController | undefined;
  protected settled = false;
  readonly #resolve: (value: T) => void;
  readonly #reject: (error: RouterError) => void;
  readonly #onAbort = () => {
    const reason = this.signal.reason as Error;
    this.fail(transportError(reason, this.signal));
    // undici then reports the abort to onResponseError.
    this.controller?.abort(reason);
  };
  protected readonly release = () => this.signal.removeEventListener('abort', this.#onAbort);

  constructor(signal: AbortSource, resolve: (value: T) => void, reject: (error: RouterError) => void) {
    this.signal = signal;
    this.#resolve = resolve;
    this.#reject = reject;
    signal.addEventListener('abort', this.#onAbort);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Failed while it waited for a connection: it is not sent.
    if (this.settled) controller.abort(new RouterError('client_closed', 'request aborted'));
  }

  abstract onResponseError(controller: Dispatcher.DispatchController | undefined, error: Error): void;

  protected succeed(value: T, keepListening = false): void {
    if (this.settled) return;
    this.settled = true;
    if (!keepListening) this.release();
    this.#resolve(value);
  }

  protected fail(error: RouterError): void {
    if (this.settled) return;
    this.settled = true;
    this.release();
    this.#reject(error);
  }
}

/**
 * Answers `send`: resolves with the status, headers and an `UpstreamBody` once the headers arrive, then
 * feeds the body, which drops the abort listener when it is over.
 */
class StreamResponseHandler extends SettlingHandler<UpstreamResponse> {
  #body: UpstreamBody | undefined;

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (this.settled) return;
    const body = new UpstreamBody(controller, this.release);
    this.#body = body;
    this.succeed({ statusCode, headers, body }, true);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#body?.push(chunk);
  }

  onResponseEnd(): void {
    this.#body?.finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    const body = this.#body;
    if (body !== undefined) body.finish(this.signal.aborted ? (this.signal.reason ?? error) : error);
    else this.fail(transportError(error, this.signal));
  }
}

/** Collects one answer for `fetchText`. */
class TextResponseHandler extends SettlingHandler<UpstreamText> {
  readonly #options: FetchTextOptions;
  #statusCode = 0;
  #headers: IncomingHttpHeaders = {};
  #limit = 0;
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(
    options: FetchTextOptions,
    resolve: (value: UpstreamText) => void,
    reject: (error: RouterError) => void,
  ) {
    super(options.signal, resolve, reject);
    this.#options = options;
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    this.#statusCode = statusCode;
    this.#headers = headers;
    this.#limit =
      statusCode >= 200 && statusCode < 300 ? this.#options.maxBytes : this.#options.maxErrorBytes;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.#size += chunk.length;
    if (this.#size <= this.#limit) {
      this.#chunks.push(chunk);
      return;
    }
    const tooLarge = bodyTooLarge(this.#limit);
    if (this.#statusCode >= 200 && this.#statusCode < 300) this.fail(tooLarge);
    else this.#answer('');
    controller.abort(tooLarge);
  }

  onResponseEnd(): void {
    const chunks = this.#chunks;
    this.#answer(
      chunks.length === 1
        ? (chunks[0] as Buffer).toString('utf8')
        : Buffer.concat(chunks, this.#size).toString('utf8'),
    );
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.fail(transportError(error, this.signal));
  }

  protected override fail(error: RouterError): void {
    this.#chunks = [];
    super.fail(error);
  }

  #answer(text: string): void {
    this.#chunks = [];
    this.succeed({ statusCode: this.#statusCode, headers: this.#headers, text });
  }
}

/** Base URLs are validated when the configuration loads; slicing spares a URL parse per call. */
function originAndPath(url: string): { origin: string; path: string } {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  return start < 0 ? { origin: url, path: '/' } : { origin: url.slice(0, start), path: url.slice(start) };
}

/** Maps undici and socket errors (and aborts) to the router's codes. */
export function transportError(error: unknown, signal?: AbortSource): RouterError {
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
  if (any.includes('ECONNRESET') || any.includes('EPIPE')) {
    return new RouterError('upstream_stream_cut', 'the upstream connection was reset', {
      retryable: true,
      cause: error,
    });
  }
  if (any.includes('UND_ERR_SOCKET')) {
    // undici's "other side closed": the upstream ended the connection cleanly (no reset) in the middle
    // of its answer, before the final chunk.
    const message = /other side closed/i.test((error as Error)?.message ?? '')
      ? 'the upstream closed the connection before its answer was complete (no final chunk)'
      : `the upstream connection failed: ${(error as Error)?.message ?? String(error)}`;
    return new RouterError('upstream_stream_cut', message, { retryable: true, cause: error });
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

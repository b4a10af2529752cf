/**
 * The router's admission bounds at the HTTP edge: model calls in flight and request body bytes buffered.
 * Past either, a request is shed with a 503 and Retry-After before it costs anything, so a flood of
 * connections cannot take the process's memory or the upstream pools from the callers already served.
 */
import type { ServerResponse } from 'node:http';
import { defaultEdgeLimits, type EdgeLimits } from '../config/router-config.js';
import { RouterError } from '../core/errors.js';
import type { RouterMetrics, ShedReason } from '../observability/router-metrics.js';

export class EdgeGate {
  readonly limits: EdgeLimits;
  readonly #metrics: RouterMetrics;
  #inFlight = 0;
  #bufferedBodyBytes = 0;

  constructor(limits: EdgeLimits | undefined, metrics: RouterMetrics) {
    this.limits = limits ?? defaultEdgeLimits;
    this.#metrics = metrics;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get bufferedBodyBytes(): number {
    return this.#bufferedBodyBytes;
  }

  /** Counts a request or connection shed at the edge. */
  shed(reason: ShedReason): void {
    this.#metrics.observeShed(reason);
  }

  /** Admits a model call until its response closes, or throws a 503 when `maxInFlightRequests` are running. */
  enter(response: ServerResponse): void {
    if (this.#inFlight >= this.limits.maxInFlightRequests) {
      this.shed('overloaded');
      throw new RouterError(
        'overloaded',
        `the router is handling its limit of ${this.limits.maxInFlightRequests} requests at once; retry shortly`,
        { retryable: true, retryAfterSeconds: 1, metadata: { limit: 'max_in_flight_requests' } },
      );
    }
    this.#inFlight++;
    response.once('close', () => {
      this.#inFlight--;
    });
  }

  /**
   * Reserves `bytes` of the body buffer (the declared length, or the body limit when none is declared);
   * returns the release function, or throws a 503 when the buffer is full.
   */
  reserveBody(bytes: number): () => void {
    if (this.#bufferedBodyBytes > 0 && this.#bufferedBodyBytes + bytes > this.limits.maxBufferedBodyBytes) {
      this.shed('body_buffer_full');
      throw new RouterError(
        'overloaded',
        `request bodies waiting to be read are at their limit of ${this.limits.maxBufferedBodyBytes} bytes; retry shortly`,
        { retryable: true, retryAfterSeconds: 1, metadata: { limit: 'max_buffered_body_bytes' } },
      );
    }
    this.#bufferedBodyBytes += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#bufferedBodyBytes -= bytes;
    };
  }
}

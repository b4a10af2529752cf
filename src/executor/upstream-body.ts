/**
 * A streamed upstream body read straight from undici's dispatch callbacks: no Readable between the socket
 * and its one reader. The dispatch handler pushes chunks and the end in; the reader (the SSE reader, or
 * `text` for an error answer) takes them out, pausing and resuming the socket through undici's controller.
 */
import type { Dispatcher } from 'undici';
import { RouterError } from '../core/errors.js';
import type { ByteSource } from '../providers/sse/parse-sse-stream.js';

type DataListener = (chunk: Uint8Array) => void;
type EndListener = (error?: unknown) => void;

/**
 * Bytes kept for a reader that has not started: past this the socket is paused until it reads, as a
 * stream's high-water mark would, so a body nobody reads cannot grow without bound.
 */
const maxPendingBytes = 64 * 1024;

/**
 * The rest of a body whose reader stopped early (at the stream's terminator) is read and dropped for this
 * long and up to this many bytes, so the connection can go back to the pool: an upstream usually ends the
 * body right after the terminator, sometimes in the next packet. Past either bound the call is aborted and
 * the connection closed, as before.
 */
const discardGraceMs = 1_000;
const maxDiscardBytes = 64 * 1024;

export class UpstreamBody implements ByteSource {
  readonly #controller: Dispatcher.DispatchController;
  /** Called once the body is over (ended, failed or destroyed): drops the call's abort listener. */
  readonly #release: () => void;
  #onData: DataListener | undefined;
  #onEnd: EndListener | undefined;
  /** Chunks (and the end) that came before the reader's first delivery. */
  #pending: Buffer[] | undefined = [];
  #pendingBytes = 0;
  /** Paused because nothing read the pending chunks; undone when the reader takes them. */
  #heldBack = false;
  #over = false;
  #failure: unknown;
  #destroyed = false;
  #paused = false;

  constructor(controller: Dispatcher.DispatchController, release: () => void) {
    this.#controller = controller;
    this.#release = release;
  }

  /** From the dispatch handler: one chunk of the body. */
  push(chunk: Buffer): void {
    if (this.#destroyed) return;
    const pending = this.#pending;
    if (pending === undefined) {
      this.#onData?.(chunk);
      return;
    }
    pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes > maxPendingBytes && !this.#heldBack && !this.#over) {
      this.#heldBack = true;
      this.#controller.pause();
    }
  }

  /** From the dispatch handler: the body ended (`error` undefined) or failed. Only the first call counts. */
  finish(error?: unknown): void {
    if (this.#over) return;
    this.#over = true;
    this.#failure = error;
    this.#release();
    if (this.#destroyed || this.#pending !== undefined) return;
    this.#onEnd?.(error);
  }

  /**
   * Starts delivery to one reader. What has already arrived is delivered in a microtask, as a stream
   * would, so the reader's state is set up before its first chunk.
   */
  read(onData: DataListener, onEnd: EndListener): void {
    if (this.#onData !== undefined) throw new Error('an upstream body has one reader');
    this.#onData = onData;
    this.#onEnd = onEnd;
    queueMicrotask(() => {
      const pending = this.#pending ?? [];
      this.#pending = undefined;
      for (const chunk of pending) {
        if (this.#destroyed) return;
        onData(chunk);
      }
      if (this.#over) {
        if (!this.#destroyed) onEnd(this.#failure);
      } else if (this.#heldBack) {
        this.#heldBack = false;
        if (!this.#paused) this.#controller.resume();
      }
    });
  }

  pause(): void {
    if (this.#paused || this.#over) return;
    this.#paused = true;
    if (!this.#heldBack) this.#controller.pause();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (!this.#over && !this.#heldBack) this.#controller.resume();
  }

  /**
   * The reader is done with the body. Before its end this aborts the call, and undici closes the
   * connection; after it (the final chunk was read) the connection stays in the pool.
   */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#pending = undefined;
    if (this.#over) return;
    this.#over = true;
    this.#release();
    this.#controller.abort(new RouterError('client_closed', 'the upstream body was dropped'));
  }

  /**
   * The reader is done before the end of the body: what is left is read and dropped, within
   * `discardGraceMs` and `maxDiscardBytes`, so the connection is kept; past either bound, `destroy`.
   */
  discardRest(): void {
    if (this.#over || this.#destroyed) {
      this.destroy();
      return;
    }
    let left = maxDiscardBytes;
    const timer = setTimeout(() => this.destroy(), discardGraceMs);
    timer.unref();
    this.#onData = (chunk) => {
      left -= chunk.length;
      if (left >= 0) return;
      clearTimeout(timer);
      this.destroy();
    };
    this.#onEnd = () => clearTimeout(timer);
    this.resume();
  }

  /** Reads the whole body as text; past `maxBytes` the body is dropped and the call fails. */
  text(maxBytes: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      this.read(
        (chunk) => {
          if (size > maxBytes) return;
          size += chunk.length;
          if (size > maxBytes) {
            this.destroy();
            reject(bodyTooLarge(maxBytes));
            return;
          }
          chunks.push(chunk as Buffer);
        },
        (error) => {
          if (size > maxBytes) return;
          if (error !== undefined) reject(error);
          else resolve(Buffer.concat(chunks, size).toString('utf8'));
        },
      );
    });
  }
}

/** The error for an upstream body past its byte limit. */
export function bodyTooLarge(maxBytes: number): RouterError {
  return new RouterError('upstream_bad_response', `upstream body is larger than ${maxBytes} bytes`, {
    retryable: true,
  });
}

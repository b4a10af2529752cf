/**
 * The abort of one model call and of each of its streamed attempts. The executor and the upstream client
 * take any `AbortSource`, so an `AbortSignal` still does; the router's own calls use `CallAbort`.
 *
 * Why not `AbortController`: on Node.js 20 constructing one costs about 18,000 instructions, and every
 * signal gets a hidden class of its own, so each read of `aborted` and each listener added or removed
 * misses V8's inline caches, in this code and in Node's `EventTarget` (bench/README.md, "Hidden classes
 * per call"). A call used to make one controller, a streamed call two.
 */

/** What the executor and the upstream client read of an abort signal. `AbortSignal` has all of it. */
export interface AbortSource {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * An abort controller and its signal in one object, with `AbortSignal`'s semantics for what the router
 * uses: the first `abort` sets `aborted` and `reason` (an `AbortError` when none is given) and calls each
 * listener once, in the order added; later aborts do nothing; a listener added twice is called once, one
 * removed by an earlier listener is not called, and one added after the abort never is. A listener that
 * throws does not stop the others; its error is rethrown on the next tick, as `EventTarget` reports it.
 */
export class CallAbort implements AbortSource {
  aborted = false;
  reason: unknown = undefined;
  #listeners: (() => void)[] = [];

  /** The signal side, for code written against an `AbortController`. */
  get signal(): AbortSource {
    return this;
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason =
      reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
    for (const listener of [...this.#listeners]) {
      // One removed by an earlier listener is not called, as with EventTarget.
      if (!this.#listeners.includes(listener)) continue;
      try {
        listener();
      } catch (error) {
        process.nextTick(() => {
          throw error;
        });
      }
    }
    this.#listeners = [];
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.aborted && !this.#listeners.includes(listener)) this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.#listeners.indexOf(listener);
    if (index >= 0) this.#listeners.splice(index, 1);
  }
}

/** Resolves after `ms`, or as soon as `signal` aborts (at once when it already has). */
export function pauseUnlessAborted(ms: number, signal: AbortSource): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

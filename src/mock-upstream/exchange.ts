/**
 * One request and its response while the fake upstream works on it. It owns the single pending timer
 * (latency, pacing, a slow first token) so that a client going away, or close(), clears it: nothing is
 * written after the exchange ends and no timer outlives the server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export class Exchange {
  /** True once the response finished or the connection went away. */
  ended = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    private readonly onEnd: (exchange: Exchange) => void,
  ) {
    response.once('close', () => this.end());
  }

  /** Runs `callback` after `delayMs`, unless the exchange ends first; replaces any pending timer. */
  after(delayMs: number, callback: () => void): void {
    if (this.ended) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.ended) callback();
    }, delayMs);
  }

  /** Marks the exchange over and clears its timer; safe to call more than once. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.onEnd(this);
  }

  /** Drops the connection at once (connection resets, close()). */
  destroy(): void {
    this.end();
    this.request.socket.destroy();
  }

  /**
   * Sends what is queued, then closes the connection without finishing the response, so the client
   * sees a body cut short rather than a reset before any byte.
   */
  cut(pending: string): void {
    const socket = this.response.socket;
    if (pending.length > 0) this.response.write(pending);
    else if (!this.response.headersSent) this.response.flushHeaders();
    this.end();
    if (socket === null) return;
    socket.end(() => socket.destroy());
  }
}

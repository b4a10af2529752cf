/**
 * The router's connection to a shared Redis (or Valkey): one command connection and one subscriber,
 * every key and channel under one prefix, and a health flag the rest of the router reads without a round
 * trip. Commands are never queued while the link is down (they fail at once), so a call that needs
 * Redis learns straight away that it cannot have it and follows the configured fail-open or fail-closed
 * rule instead of waiting.
 *
 * The link also keeps an epoch: a random id set once (`SET NX`) in a fresh Redis. When the link comes
 * back after an outage, an unchanged epoch means Redis kept its data (a network cut); a new one means
 * Redis started empty, and what the router holds for it must be rebuilt from the request log rather
 * than replayed (replaying would count spend twice).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export interface RedisLinkOptions {
  url: string;
  /** Prefix of every key and channel (`pareto:` by default); several fleets can share one Redis. */
  prefix?: string | undefined;
  /** Called with each outage and each recovery (sameData: the epoch held). */
  onChange?: ((up: boolean, sameData: boolean) => void) | undefined;
}

export const defaultRedisPrefix = 'pareto:';

/** How long a command may go unanswered before it fails. */
const commandTimeoutMs = 2_000;

export class RedisLink {
  readonly client: Redis;
  readonly subscriber: Redis;
  readonly prefix: string;
  /** This process's id on the event channel (its own events are not applied twice). */
  readonly instanceId = randomUUID();
  #up = false;
  #epoch: string | undefined;
  #everUp = false;
  #startFailed = false;
  readonly #listeners: ((up: boolean, sameData: boolean) => void)[] = [];
  #closed = false;

  constructor(options: RedisLinkOptions) {
    this.prefix = options.prefix ?? defaultRedisPrefix;
    if (options.onChange !== undefined) this.#listeners.push(options.onChange);
    const common = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      // Reconnect quickly and forever: a router outlives its Redis's restarts.
      retryStrategy: (times: number) => Math.min(100 * times, 1_000),
    };
    // A Redis that stalls without closing the connection must not hold calls up: a command unanswered
    // after 2 s fails, and its caller follows the outage rules (a budget reservation fails closed or
    // counts locally; a settle is retried). The subscriber only listens, so it has no such limit.
    this.client = new Redis(options.url, { ...common, commandTimeout: commandTimeoutMs });
    this.subscriber = new Redis(options.url, { ...common, enableOfflineQueue: true });
    // Errors surface as the health flag; an unhandled 'error' event would end the process.
    this.client.on('error', () => undefined);
    this.subscriber.on('error', () => undefined);
    this.client.on('ready', () => {
      void this.#checkEpoch();
    });
    this.client.on('close', () => this.#setDown());
    this.client.on('end', () => this.#setDown());
  }

  /** Connects both connections; rejects when Redis does not answer (the router then starts without it). */
  async connect(): Promise<void> {
    try {
      await Promise.all([this.client.connect(), this.subscriber.connect()]);
    } catch (error) {
      // The connections keep retrying; when one succeeds, the listeners hear of it as a recovery.
      this.#startFailed = true;
      throw error;
    }
    await this.#checkEpoch();
  }

  /** Whether commands can be sent now (read without a round trip). */
  get up(): boolean {
    return this.#up;
  }

  onChange(listener: (up: boolean, sameData: boolean) => void): void {
    this.#listeners.push(listener);
  }

  key(...parts: string[]): string {
    return `${this.prefix}${parts.join(':')}`;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#up = false;
    this.client.disconnect();
    this.subscriber.disconnect();
  }

  async #checkEpoch(): Promise<void> {
    if (this.#closed) return;
    try {
      const epochKey = this.key('epoch');
      await this.client.set(epochKey, randomUUID(), 'NX');
      const epoch = await this.client.get(epochKey);
      const sameData = this.#epoch === undefined || this.#epoch === epoch;
      this.#epoch = epoch ?? undefined;
      const wasUp = this.#up;
      this.#up = true;
      if (!wasUp) {
        const recovered = this.#everUp || this.#startFailed;
        this.#everUp = true;
        if (recovered) for (const listener of this.#listeners) listener(true, sameData);
      }
    } catch {
      this.#setDown();
    }
  }

  #setDown(): void {
    if (!this.#up) return;
    this.#up = false;
    for (const listener of this.#listeners) listener(false, true);
  }
}

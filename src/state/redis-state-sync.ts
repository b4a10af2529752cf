/**
 * Live state shared through Redis. Every instance keeps its own `RouterState` and reads only that on the
 * request path (no round trip); this joins it to the others:
 *
 * - every local change is published on one channel and applied by every other instance as it arrives
 *   (circuit breakers, throughput, latencies, prefill refusals, sticky sessions): stale by one pub/sub
 *   hop, about a millisecond on a LAN;
 * - sticky sessions are also written as keys with the session TTL, and throughput samples as a capped
 *   list per model, so an instance that starts (or restarts) loads them and ranks `:nitro` on every
 *   sample the fleet has, not only its own.
 *
 * While Redis is down each instance goes on with its own state; changes made meanwhile stay local.
 */

import type { RedisLink } from './redis-link.js';
import type { RouterState, StateEvent } from './router-state.js';
import type { StickyTarget } from './sticky-sessions.js';

export interface RedisStateSyncOptions {
  /** Samples kept per model (the local ring's window). */
  throughputWindow?: number;
  /** Sticky session lifetime, ms. */
  stickyTtlMs: number;
  /** Wall-clock ms. */
  now: () => number;
}

/** One message on the channel: the changes one instance made within one turn of its event loop. */
interface Envelope {
  from: string;
  events: StateEvent[];
}

const maxStickyLoaded = 100_000;

export class RedisStateSync {
  readonly #link: RedisLink;
  readonly #state: RouterState;
  readonly #options: RedisStateSyncOptions;
  readonly #channel: string;
  #listening = false;
  #queue: StateEvent[] = [];

  constructor(link: RedisLink, state: RouterState, options: RedisStateSyncOptions) {
    this.#link = link;
    this.#state = state;
    this.#options = options;
    this.#channel = link.key('events');
  }

  /**
   * Subscribes, loads what Redis holds, and publishes every local change from then on. Called again when
   * Redis returns after an outage (it subscribes and loads afresh; the listener is attached once).
   */
  async start(): Promise<void> {
    this.#state.setPublisher((event) => this.#publish(event));
    if (!this.#listening) {
      this.#listening = true;
      this.#link.subscriber.on('message', (channel: string, message: string) => {
        if (channel === this.#channel) this.#receive(message);
      });
    }
    if (!this.#link.up) return;
    await this.#link.subscriber.subscribe(this.#channel);
    await this.load();
  }

  #receive(message: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message) as Envelope;
    } catch {
      return;
    }
    if (envelope.from === this.#link.instanceId || !Array.isArray(envelope.events)) return;
    for (const event of envelope.events) if (typeof event?.type === 'string') this.#state.apply(event);
  }

  /** Loads the fleet's throughput samples and live sticky sessions into the local state. */
  async load(): Promise<void> {
    const client = this.#link.client;
    const window = this.#options.throughputWindow ?? 50;
    const throughputKeys = await scanKeys(this.#link, this.#link.key('tp', '*'), 10_000);
    for (const key of throughputKeys) {
      const modelId = key.slice(this.#link.key('tp', '').length);
      const samples = await client.lrange(key, 0, window - 1);
      // Oldest first, so the local ring ends with the newest.
      for (const sample of samples.reverse()) this.#state.throughput.record(modelId, Number(sample));
    }
    const stickyPrefix = this.#link.key('sticky', '');
    const stickyKeys = await scanKeys(this.#link, `${stickyPrefix}*`, maxStickyLoaded);
    const now = this.#options.now();
    for (let start = 0; start < stickyKeys.length; start += 500) {
      const batch = stickyKeys.slice(start, start + 500);
      const pipeline = client.pipeline();
      for (const key of batch) pipeline.get(key).pttl(key);
      const results = (await pipeline.exec()) ?? [];
      batch.forEach((key, index) => {
        const value = results[index * 2]?.[1];
        const ttl = Number(results[index * 2 + 1]?.[1]);
        if (typeof value !== 'string' || !(ttl > 0)) return;
        const target = parseTarget(value);
        if (target === undefined) return;
        // Expires locally when it expires in Redis.
        this.#state.sticky.set(key.slice(stickyPrefix.length), target, now - this.#options.stickyTtlMs + ttl);
      });
    }
  }

  /** Stops publishing (the local state goes on alone). */
  stop(): void {
    this.#state.setPublisher(undefined);
  }

  /** Queues a local change; the changes of one event-loop turn go out as one message, in one round trip. */
  #publish(event: StateEvent): void {
    if (!this.#link.up) return;
    this.#queue.push(event);
    if (this.#queue.length === 1) setImmediate(() => this.#flush());
  }

  #flush(): void {
    const events = this.#queue;
    this.#queue = [];
    if (events.length === 0 || !this.#link.up) return;
    const message = JSON.stringify({ from: this.#link.instanceId, events } satisfies Envelope);
    const pipeline = this.#link.client.pipeline().publish(this.#channel, message);
    const window = this.#options.throughputWindow ?? 50;
    for (const event of events) {
      if (
        event.type === 'throughput' &&
        Number.isFinite(event.tokensPerSecond) &&
        event.tokensPerSecond > 0
      ) {
        const key = this.#link.key('tp', event.modelId);
        pipeline.lpush(key, String(event.tokensPerSecond)).ltrim(key, 0, window - 1);
      } else if (event.type === 'session') {
        pipeline.set(
          this.#link.key('sticky', event.sessionKey),
          JSON.stringify(event.target),
          'PX',
          this.#options.stickyTtlMs,
        );
      }
    }
    // Best effort: a change lost to an outage leaves the others slightly staler, never wrong for long.
    pipeline.exec().catch(() => undefined);
  }
}

function parseTarget(value: string): StickyTarget | undefined {
  try {
    const parsed = JSON.parse(value) as Partial<StickyTarget>;
    if (typeof parsed.modelId === 'string' && typeof parsed.upstream === 'string') {
      return { modelId: parsed.modelId, upstream: parsed.upstream };
    }
  } catch {
    // A foreign value under our prefix is skipped.
  }
  return undefined;
}

async function scanKeys(link: RedisLink, pattern: string, limit: number): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await link.client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0' && keys.length < limit);
  return keys.slice(0, limit);
}

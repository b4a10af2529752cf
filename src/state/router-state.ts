/**
 * The live state the router keeps between requests, behind one object: circuit breakers, sticky
 * sessions, measured throughput and stream latencies, and the upstreams that refused a prefill. Every change goes through a `record*` method, which applies it and
 * publishes it as a `StateEvent`; `apply` takes events published elsewhere. That is how several worker
 * processes keep the same state (the primary relays each worker's events to the others), and the seam
 * where a shared store such as Redis slots in. The routing core only ever sees a `LiveStatsView`.
 */
import type { LiveModelStats, LiveStatsView } from '../core/route.js';
import {
  type CircuitBreakerOptions,
  CircuitBreakers,
  defaultCircuitBreakerOptions,
} from './circuit-breaker.js';
import { LatencyStats } from './latency-stats.js';
import { PrefillRefusals } from './prefill-refusals.js';
import {
  defaultStickySessionOptions,
  type StickySessionOptions,
  StickySessions,
  type StickyTarget,
} from './sticky-sessions.js';
import { ThroughputStats } from './throughput-stats.js';

/** One change to the live state, as published to other processes. */
export type StateEvent =
  | { type: 'attempt-start'; modelId: string; upstream: string; now: number }
  | { type: 'success'; modelId: string; upstream: string }
  | { type: 'failure'; modelId: string; upstream: string; now: number }
  | { type: 'probe-released'; modelId: string; upstream: string }
  | { type: 'throughput'; modelId: string; tokensPerSecond: number }
  | { type: 'latency'; modelId: string; firstTokenMs: number | null; longestGapMs: number | null }
  | { type: 'prefill-refused'; upstream: string; model: string; now: number }
  | { type: 'session'; sessionKey: string; target: StickyTarget; now: number };

export interface RouterStateOptions {
  circuitBreaker?: CircuitBreakerOptions;
  sticky?: StickySessionOptions;
  /** Receives every local change, for replication. */
  publish?: (event: StateEvent) => void;
}

export class RouterState {
  readonly circuits: CircuitBreakers;
  readonly sticky: StickySessions;
  readonly throughput = new ThroughputStats();
  readonly latency = new LatencyStats();
  readonly prefillRefusals = new PrefillRefusals();
  #publish: ((event: StateEvent) => void) | undefined;

  constructor(options: RouterStateOptions = {}) {
    this.circuits = new CircuitBreakers(options.circuitBreaker ?? defaultCircuitBreakerOptions);
    this.sticky = new StickySessions(options.sticky ?? defaultStickySessionOptions);
    this.#publish = options.publish;
  }

  /** Sets (or clears) where local changes are published. */
  setPublisher(publish: ((event: StateEvent) => void) | undefined): void {
    this.#publish = publish;
  }

  /** An attempt on the model through `upstream` begins (in a half-open circuit, it is the probe). */
  recordAttemptStart(modelId: string, upstream: string, now: number): void {
    this.#record({ type: 'attempt-start', modelId, upstream, now });
  }

  recordSuccess(modelId: string, upstream: string): void {
    this.#record({ type: 'success', modelId, upstream });
  }

  recordFailure(modelId: string, upstream: string, now: number): void {
    this.#record({ type: 'failure', modelId, upstream, now });
  }

  /** An attempt ended saying nothing of the target's health: a circuit probe it held is released. */
  releaseProbe(modelId: string, upstream: string): void {
    this.#record({ type: 'probe-released', modelId, upstream });
  }

  recordThroughput(modelId: string, tokensPerSecond: number): void {
    this.#record({ type: 'throughput', modelId, tokensPerSecond });
  }

  /** One successful stream's time to first token and longest silence, for the learned deadlines. */
  recordLatency(modelId: string, firstTokenMs: number | null, longestGapMs: number | null): void {
    this.#record({ type: 'latency', modelId, firstTokenMs, longestGapMs });
  }

  /** `upstream` refused to continue a prefilled answer for its model name `model`. */
  recordPrefillRefused(upstream: string, model: string, now: number): void {
    this.#record({ type: 'prefill-refused', upstream, model, now });
  }

  rememberSession(sessionKey: string, target: StickyTarget, now: number): void {
    this.#record({ type: 'session', sessionKey, target, now });
  }

  /** Applies a change published by another process (not re-published). */
  apply(event: StateEvent): void {
    // A circuit event without its upstream (from an older version, mid-upgrade) names no circuit.
    if (isCircuitEvent(event) && typeof event.upstream !== 'string') return;
    switch (event.type) {
      case 'attempt-start':
        this.circuits.beginAttempt(event.modelId, event.upstream, event.now);
        return;
      case 'success':
        this.circuits.recordSuccess(event.modelId, event.upstream);
        return;
      case 'failure':
        this.circuits.recordFailure(event.modelId, event.upstream, event.now);
        return;
      case 'probe-released':
        this.circuits.releaseProbe(event.modelId, event.upstream);
        return;
      case 'throughput':
        this.throughput.record(event.modelId, event.tokensPerSecond);
        return;
      case 'latency':
        this.latency.record(event.modelId, event.firstTokenMs, event.longestGapMs);
        return;
      case 'prefill-refused':
        this.prefillRefusals.record(event.upstream, event.model, event.now);
        return;
      case 'session':
        this.sticky.set(event.sessionKey, event.target, event.now);
        return;
    }
  }

  /** Whether the model may take a request now through at least one of `upstreams`. */
  allowsAny(modelId: string, upstreams: readonly string[], now: number): boolean {
    return upstreams.some((upstream) => this.circuits.allows(modelId, upstream, now));
  }

  #record(event: StateEvent): void {
    this.apply(event);
    this.#publish?.(event);
  }

  /**
   * The view the routing core reads at time `now`. `upstreamsOf` names the configured upstreams that can
   * serve a model: a model with none is unavailable, and so is one whose every upstream has its circuit
   * open.
   */
  liveView(now: number, upstreamsOf: (modelId: string) => readonly string[]): LiveStatsView {
    return {
      get: (modelId): LiveModelStats | undefined => {
        const upstreams = upstreamsOf(modelId);
        if (upstreams.length === 0)
          return { available: false, unavailableReason: 'no configured upstream serves it' };
        if (!this.allowsAny(modelId, upstreams, now)) {
          return {
            available: false,
            unavailableReason:
              upstreams.length === 1
                ? 'circuit open after repeated failures'
                : `circuit open after repeated failures at each of its ${upstreams.length} upstreams`,
          };
        }
        const throughput = this.throughput.p50(modelId);
        if (throughput === undefined) return undefined;
        return {
          available: true,
          throughputP50: throughput.tokensPerSecond,
          throughputSamples: throughput.samples,
        };
      },
    };
  }
}

function isCircuitEvent(
  event: StateEvent,
): event is Extract<StateEvent, { type: 'attempt-start' | 'success' | 'failure' | 'probe-released' }> {
  return (
    event.type === 'attempt-start' ||
    event.type === 'success' ||
    event.type === 'failure' ||
    event.type === 'probe-released'
  );
}

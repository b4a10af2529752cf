/**
 * Per-model circuit breakers. A model's circuit opens after `failureThreshold` consecutive failures and
 * sends its traffic elsewhere for `openMs`; then one probe request goes through (half-open). A success
 * closes the circuit. A failed probe re-opens it, not for the whole `openMs` again, but for a short delay
 * that doubles with each failed probe in a row (`reopenBaseMs`, capped at `reopenMaxMs`, jittered), so a
 * model that recovers is back in use soon after, while a model that stays down sees at most one probe at a
 * time and fewer as the outage lasts. Time is passed in, so the logic is testable without a clock.
 */

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  failureThreshold: number;
  /** How long the circuit stays open after the threshold is reached. */
  openMs: number;
  /** The re-open delay after the first failed probe; it doubles with each further failed probe. */
  reopenBaseMs?: number | undefined;
  /** The longest re-open delay. */
  reopenMaxMs?: number | undefined;
  /**
   * A probe still unsettled after this long counts as lost (say, its process went away), and the next
   * request may probe. Probes normally settle within the stream deadlines, well before this.
   */
  probeLeaseMs?: number | undefined;
  /**
   * A number in [0, 1) that places each re-open delay between half and all of its ceiling. By default
   * it is derived from the model id and the time of the failure, so every process that applies the same
   * replicated failure computes the same delay.
   */
  jitter?: ((modelId: string, now: number) => number) | undefined;
}

/**
 * With these, a model that recovers takes traffic again within 10 s of its recovery plus the gap to the
 * next call (with a call every 4 s, within 14 s), and a model that stays down sees a probe every 5 to
 * 10 s at most.
 */
export const defaultCircuitBreakerOptions: CircuitBreakerOptions = {
  failureThreshold: 5,
  openMs: 10_000,
  reopenBaseMs: 2_000,
  reopenMaxMs: 10_000,
};

const defaultReopenBaseMs = 2_000;
const defaultReopenMaxMs = 10_000;
const defaultProbeLeaseMs = 60_000;

interface Circuit {
  state: CircuitState;
  consecutiveFailures: number;
  /** When an open circuit turns half-open. */
  openUntil: number;
  /** Failed probes since the circuit last closed: the exponent of the re-open delay. */
  failedProbes: number;
  /** When the probe in flight began; undefined when none is. */
  probeStartedAt: number | undefined;
}

export class CircuitBreakers {
  readonly #failureThreshold: number;
  readonly #openMs: number;
  readonly #reopenBaseMs: number;
  readonly #reopenMaxMs: number;
  readonly #probeLeaseMs: number;
  readonly #jitter: (modelId: string, now: number) => number;
  readonly #circuits = new Map<string, Circuit>();

  constructor(options: CircuitBreakerOptions = defaultCircuitBreakerOptions) {
    this.#failureThreshold = options.failureThreshold;
    this.#openMs = options.openMs;
    this.#reopenBaseMs = options.reopenBaseMs ?? defaultReopenBaseMs;
    this.#reopenMaxMs = options.reopenMaxMs ?? defaultReopenMaxMs;
    this.#probeLeaseMs = options.probeLeaseMs ?? defaultProbeLeaseMs;
    this.#jitter = options.jitter ?? stableJitter;
  }

  /** The state a request arriving at `now` sees (an open circuit whose time is up reads as half-open). */
  state(modelId: string, now: number): CircuitState {
    const circuit = this.#circuits.get(modelId);
    if (circuit === undefined) return 'closed';
    if (circuit.state === 'open' && now >= circuit.openUntil) return 'half_open';
    return circuit.state;
  }

  /** Whether a request may go to the model now; in half-open, only one probe at a time. */
  allows(modelId: string, now: number): boolean {
    const state = this.state(modelId, now);
    if (state === 'closed') return true;
    if (state === 'open') return false;
    const probeStartedAt = this.#circuits.get(modelId)?.probeStartedAt;
    return probeStartedAt === undefined || now - probeStartedAt >= this.#probeLeaseMs;
  }

  /**
   * Milliseconds until the first of `modelIds` whose circuit holds traffic back lets a request through
   * again (for Retry-After), or undefined when none of them is held back by its circuit.
   */
  reopensIn(modelIds: Iterable<string>, now: number): number | undefined {
    let soonest: number | undefined;
    for (const modelId of modelIds) {
      const circuit = this.#circuits.get(modelId);
      if (circuit === undefined || this.allows(modelId, now)) continue;
      const wait =
        this.state(modelId, now) === 'open'
          ? circuit.openUntil - now
          : (circuit.probeStartedAt ?? now) + this.#probeLeaseMs - now;
      soonest = soonest === undefined ? wait : Math.min(soonest, wait);
    }
    return soonest === undefined ? undefined : Math.max(0, soonest);
  }

  /** Marks the start of an attempt; in half-open this is the probe. */
  beginAttempt(modelId: string, now: number): void {
    const circuit = this.#circuits.get(modelId);
    if (circuit !== undefined && this.state(modelId, now) === 'half_open') {
      circuit.state = 'half_open';
      circuit.probeStartedAt = now;
    }
  }

  /**
   * An attempt ended without saying anything about the model's health (the client went away, or the
   * upstream refused the request's content): a probe it held is released, so the next request probes.
   */
  releaseProbe(modelId: string): void {
    const circuit = this.#circuits.get(modelId);
    if (circuit !== undefined) circuit.probeStartedAt = undefined;
  }

  recordSuccess(modelId: string): void {
    const circuit = this.#circuits.get(modelId);
    if (circuit === undefined) return;
    circuit.state = 'closed';
    circuit.consecutiveFailures = 0;
    circuit.failedProbes = 0;
    circuit.probeStartedAt = undefined;
  }

  recordFailure(modelId: string, now: number): void {
    let circuit = this.#circuits.get(modelId);
    if (circuit === undefined) {
      circuit = {
        state: 'closed',
        consecutiveFailures: 0,
        openUntil: 0,
        failedProbes: 0,
        probeStartedAt: undefined,
      };
      this.#circuits.set(modelId, circuit);
    }
    circuit.consecutiveFailures += 1;
    const current = this.state(modelId, now);
    // Already open: a late failure of a call that began before the circuit opened changes nothing.
    if (current === 'open') return;
    if (current === 'half_open') {
      // The probe failed (or a call that began before the circuit opened, which says as much).
      circuit.failedProbes += 1;
      this.#open(circuit, now + this.reopenDelay(modelId, circuit.failedProbes, now));
      return;
    }
    if (circuit.consecutiveFailures >= this.#failureThreshold) {
      circuit.failedProbes = 0;
      this.#open(circuit, now + this.#openMs);
    }
  }

  /**
   * How long the circuit re-opens after the `failedProbes`-th failed probe in a row: a ceiling of
   * `reopenBaseMs` x 2^(failedProbes - 1), capped at `reopenMaxMs`, with "equal jitter" (between half
   * and all of the ceiling) so the probes of many routers do not fall into step.
   */
  reopenDelay(modelId: string, failedProbes: number, now: number): number {
    const ceiling = Math.min(this.#reopenMaxMs, this.#reopenBaseMs * 2 ** Math.max(0, failedProbes - 1));
    const jitter = Math.min(Math.max(this.#jitter(modelId, now), 0), 1);
    return Math.round(ceiling / 2 + (jitter * ceiling) / 2);
  }

  /** Every model with a non-closed circuit, for metrics and the dashboard. */
  snapshot(now: number): { modelId: string; state: CircuitState; consecutiveFailures: number }[] {
    return [...this.#circuits].map(([modelId, circuit]) => ({
      modelId,
      state: this.state(modelId, now),
      consecutiveFailures: circuit.consecutiveFailures,
    }));
  }

  #open(circuit: Circuit, until: number): void {
    circuit.state = 'open';
    circuit.openUntil = until;
    circuit.probeStartedAt = undefined;
  }
}

/** FNV-1a of the model id and the time, scaled to [0, 1): the same in every process for the same event. */
function stableJitter(modelId: string, now: number): number {
  const text = `${modelId}@${now}`;
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 2 ** 32;
}

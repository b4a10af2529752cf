/**
 * Circuit breakers, one per model and upstream: an outage at one provider holds back only the calls that
 * would go there, and the model stays in use through its other upstreams. A circuit opens after
 * `failureThreshold` consecutive failures and sends its traffic elsewhere for `openMs`; then one probe
 * request goes through (half-open). A success
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
   * A number in [0, 1) that places each re-open delay between half and all of its ceiling, given the
   * circuit's name (`circuitName`) and the time of the failure. By default it is derived from both, so
   * every process that applies the same replicated failure computes the same delay.
   */
  jitter?: ((circuit: string, now: number) => number) | undefined;
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

/** One circuit's place: a model as served by one upstream. */
export interface CircuitTarget {
  modelId: string;
  upstream: string;
}

interface Circuit extends CircuitTarget {
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
  readonly #jitter: (circuit: string, now: number) => number;
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
  state(modelId: string, upstream: string, now: number): CircuitState {
    const circuit = this.#circuits.get(circuitName(modelId, upstream));
    return circuit === undefined ? 'closed' : stateAt(circuit, now);
  }

  /** Whether a request may go to the model through `upstream` now; in half-open, one probe at a time. */
  allows(modelId: string, upstream: string, now: number): boolean {
    // Most circuits never open: the common case is one map miss.
    if (this.#circuits.size === 0) return true;
    const circuit = this.#circuits.get(circuitName(modelId, upstream));
    return circuit === undefined || this.#allows(circuit, now);
  }

  /**
   * Milliseconds until the first of `targets` whose circuit holds traffic back lets a request through
   * again (for Retry-After), or undefined when none of them is held back by its circuit.
   */
  reopensIn(targets: Iterable<CircuitTarget>, now: number): number | undefined {
    let soonest: number | undefined;
    for (const { modelId, upstream } of targets) {
      const circuit = this.#circuits.get(circuitName(modelId, upstream));
      if (circuit === undefined || this.#allows(circuit, now)) continue;
      const wait =
        stateAt(circuit, now) === 'open'
          ? circuit.openUntil - now
          : (circuit.probeStartedAt ?? now) + this.#probeLeaseMs - now;
      soonest = soonest === undefined ? wait : Math.min(soonest, wait);
    }
    return soonest === undefined ? undefined : Math.max(0, soonest);
  }

  /** Marks the start of an attempt; in half-open this is the probe. */
  beginAttempt(modelId: string, upstream: string, now: number): void {
    const circuit = this.#circuits.get(circuitName(modelId, upstream));
    if (circuit !== undefined && stateAt(circuit, now) === 'half_open') {
      circuit.state = 'half_open';
      circuit.probeStartedAt = now;
    }
  }

  /**
   * An attempt ended without saying anything about the target's health (the client went away, or the
   * upstream refused the request's content): a probe it held is released, so the next request probes.
   */
  releaseProbe(modelId: string, upstream: string): void {
    const circuit = this.#circuits.get(circuitName(modelId, upstream));
    if (circuit !== undefined) circuit.probeStartedAt = undefined;
  }

  recordSuccess(modelId: string, upstream: string): void {
    const circuit = this.#circuits.get(circuitName(modelId, upstream));
    if (circuit === undefined) return;
    circuit.state = 'closed';
    circuit.consecutiveFailures = 0;
    circuit.failedProbes = 0;
    circuit.probeStartedAt = undefined;
  }

  recordFailure(modelId: string, upstream: string, now: number): void {
    const name = circuitName(modelId, upstream);
    let circuit = this.#circuits.get(name);
    if (circuit === undefined) {
      circuit = {
        modelId,
        upstream,
        state: 'closed',
        consecutiveFailures: 0,
        openUntil: 0,
        failedProbes: 0,
        probeStartedAt: undefined,
      };
      this.#circuits.set(name, circuit);
    }
    circuit.consecutiveFailures += 1;
    const current = stateAt(circuit, now);
    // Already open: a late failure of a call that began before the circuit opened changes nothing.
    if (current === 'open') return;
    if (current === 'half_open') {
      // The probe failed (or a call that began before the circuit opened, which says as much).
      circuit.failedProbes += 1;
      this.#open(circuit, now + this.reopenDelay(name, circuit.failedProbes, now));
      return;
    }
    if (circuit.consecutiveFailures >= this.#failureThreshold) {
      circuit.failedProbes = 0;
      this.#open(circuit, now + this.#openMs);
    }
  }

  /**
   * How long the circuit named `circuit` re-opens after the `failedProbes`-th failed probe in a row: a
   * ceiling of `reopenBaseMs` x 2^(failedProbes - 1), capped at `reopenMaxMs`, with "equal jitter"
   * (between half and all of the ceiling) so the probes of many routers do not fall into step.
   */
  reopenDelay(circuit: string, failedProbes: number, now: number): number {
    const ceiling = Math.min(this.#reopenMaxMs, this.#reopenBaseMs * 2 ** Math.max(0, failedProbes - 1));
    const jitter = Math.min(Math.max(this.#jitter(circuit, now), 0), 1);
    return Math.round(ceiling / 2 + (jitter * ceiling) / 2);
  }

  /** Every circuit that has seen a failure, for metrics, `/ready` and the dashboard. */
  snapshot(now: number): (CircuitTarget & { state: CircuitState; consecutiveFailures: number })[] {
    return [...this.#circuits.values()].map((circuit) => ({
      modelId: circuit.modelId,
      upstream: circuit.upstream,
      state: stateAt(circuit, now),
      consecutiveFailures: circuit.consecutiveFailures,
    }));
  }

  #allows(circuit: Circuit, now: number): boolean {
    const state = stateAt(circuit, now);
    if (state === 'closed') return true;
    if (state === 'open') return false;
    return circuit.probeStartedAt === undefined || now - circuit.probeStartedAt >= this.#probeLeaseMs;
  }

  #open(circuit: Circuit, until: number): void {
    circuit.state = 'open';
    circuit.openUntil = until;
    circuit.probeStartedAt = undefined;
  }
}

/**
 * The name of the circuit of `modelId` through `upstream`: its map key and the jitter's seed. A model id
 * holds printable ASCII only, so the NUL between the two cannot be forged by either.
 */
export function circuitName(modelId: string, upstream: string): string {
  return `${modelId}\u0000${upstream}`;
}

function stateAt(circuit: Circuit, now: number): CircuitState {
  if (circuit.state === 'open' && now >= circuit.openUntil) return 'half_open';
  return circuit.state;
}

/** FNV-1a of the circuit's name and the time, scaled to [0, 1): the same in every process for the same event. */
function stableJitter(circuit: string, now: number): number {
  const text = `${circuit}@${now}`;
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 2 ** 32;
}

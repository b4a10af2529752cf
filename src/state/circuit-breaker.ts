/**
 * Per-model circuit breakers. A model's circuit opens after `failureThreshold` consecutive failures,
 * sends its traffic elsewhere for `openMs`, then lets one probe through (half-open): a success closes
 * the circuit, a failure opens it again. Time is passed in, so the logic is testable without a clock.
 */

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  failureThreshold: number;
  openMs: number;
}

export const defaultCircuitBreakerOptions: CircuitBreakerOptions = { failureThreshold: 5, openMs: 30_000 };

interface Circuit {
  state: CircuitState;
  consecutiveFailures: number;
  openedAt: number;
  probeInFlight: boolean;
}

export class CircuitBreakers {
  readonly #options: CircuitBreakerOptions;
  readonly #circuits = new Map<string, Circuit>();

  constructor(options: CircuitBreakerOptions = defaultCircuitBreakerOptions) {
    this.#options = options;
  }

  /** The state a request arriving at `now` sees (an expired open circuit reads as half-open). */
  state(modelId: string, now: number): CircuitState {
    const circuit = this.#circuits.get(modelId);
    if (circuit === undefined) return 'closed';
    if (circuit.state === 'open' && now - circuit.openedAt >= this.#options.openMs) return 'half_open';
    return circuit.state;
  }

  /** Whether a request may go to the model now; in half-open, only one probe at a time. */
  allows(modelId: string, now: number): boolean {
    const state = this.state(modelId, now);
    if (state === 'closed') return true;
    if (state === 'open') return false;
    return !(this.#circuits.get(modelId)?.probeInFlight ?? false);
  }

  /** Marks the start of an attempt; in half-open this is the probe. */
  beginAttempt(modelId: string, now: number): void {
    const circuit = this.#circuits.get(modelId);
    if (circuit !== undefined && this.state(modelId, now) === 'half_open') {
      circuit.state = 'half_open';
      circuit.probeInFlight = true;
    }
  }

  recordSuccess(modelId: string): void {
    const circuit = this.#circuits.get(modelId);
    if (circuit === undefined) return;
    circuit.state = 'closed';
    circuit.consecutiveFailures = 0;
    circuit.probeInFlight = false;
  }

  recordFailure(modelId: string, now: number): void {
    let circuit = this.#circuits.get(modelId);
    if (circuit === undefined) {
      circuit = { state: 'closed', consecutiveFailures: 0, openedAt: 0, probeInFlight: false };
      this.#circuits.set(modelId, circuit);
    }
    circuit.consecutiveFailures += 1;
    const probeFailed = circuit.state === 'half_open';
    circuit.probeInFlight = false;
    if (probeFailed || circuit.consecutiveFailures >= this.#options.failureThreshold) {
      circuit.state = 'open';
      circuit.openedAt = now;
    }
  }

  /** Every model with a non-closed circuit, for metrics and the dashboard. */
  snapshot(now: number): { modelId: string; state: CircuitState; consecutiveFailures: number }[] {
    return [...this.#circuits].map(([modelId, circuit]) => ({
      modelId,
      state: this.state(modelId, now),
      consecutiveFailures: circuit.consecutiveFailures,
    }));
  }
}

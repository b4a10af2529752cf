/**
 * Multi-core mode: a primary process forks N workers that share the listening socket (node:cluster).
 * Live state stays the same whatever N is: each worker publishes its state changes to the primary, which
 * relays them to every other worker, and each worker applies them to its own replica. Reads stay local
 * and lock-free; a change reaches the other workers within one IPC hop. Without Redis, budgets and rate
 * limits live in the primary alone (cluster-ledger-primary.ts), so they are exact across the workers.
 */
import cluster, { type Worker } from 'node:cluster';
import type { RouterState, StateEvent } from '../state/router-state.js';
import type { RequestStore } from '../store/request-store.js';
import { ClusterLedgerPrimary } from './cluster-ledger-primary.js';
import { ClusterBudgetLedger, ClusterRateLimiter, PrimaryChannel } from './cluster-ledger-worker.js';

const stateMessage = 'pareto-router:state';

interface StateEnvelope {
  kind: typeof stateMessage;
  event: StateEvent;
}

function isStateEnvelope(message: unknown): message is StateEnvelope {
  return (
    typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === stateMessage
  );
}

/** True in the primary of a `--workers N` run. */
export function isClusterPrimary(): boolean {
  return cluster.isPrimary;
}

/**
 * Runs the primary: forks `workers` copies of this command and relays state between them; replaces a
 * worker that dies unexpectedly. Resolves when every worker has exited after a stop signal.
 */
export function runClusterPrimary(workers: number, log: (line: string) => void): Promise<void> {
  let stopping = false;
  const limits = new ClusterLedgerPrimary();
  const fork = (): Worker => {
    const worker = cluster.fork();
    limits.addWorker(worker.id, {
      send: (message) => worker.send(message),
      connected: () => worker.isConnected(),
    });
    worker.on('message', (message: unknown) => {
      if (!isStateEnvelope(message)) {
        limits.receive(worker.id, message);
        return;
      }
      for (const other of Object.values(cluster.workers ?? {})) {
        if (other !== undefined && other.id !== worker.id && other.isConnected()) other.send(message);
      }
    });
    return worker;
  };
  for (let count = 0; count < workers; count += 1) fork();
  log(`pareto-router primary ${process.pid}: ${workers} workers share the port and their live state`);
  return new Promise<void>((resolve) => {
    cluster.on('exit', (worker, code, signal) => {
      limits.removeWorker(worker.id);
      if (!stopping) {
        log(`worker ${worker.process.pid} exited (${signal ?? code}); starting a replacement`);
        fork();
        return;
      }
      if (Object.keys(cluster.workers ?? {}).length === 0) resolve();
    });
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping ${Object.keys(cluster.workers ?? {}).length} workers`);
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
      if (Object.keys(cluster.workers ?? {}).length === 0) resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/**
 * In a worker that has stopped serving: close the IPC channel to the primary. Its message listener keeps
 * the channel, and so the process, alive; without this a stopped worker never exits and the primary waits
 * on it forever.
 */
export function leaveCluster(): void {
  if (cluster.isWorker && process.connected) process.disconnect();
}

/** In a worker: publish local state changes to the primary and apply the ones it relays. */
export function joinClusterState(state: RouterState): void {
  if (!cluster.isWorker || process.send === undefined) return;
  const send = process.send.bind(process);
  state.setPublisher((event) => {
    if (process.connected) send({ kind: stateMessage, event } satisfies StateEnvelope);
  });
  process.on('message', (message: unknown) => {
    if (isStateEnvelope(message)) state.apply(message.event);
  });
}

/** A worker's budget ledger and rate limiter, answered by the primary. */
export interface ClusterLimits {
  ledger: ClusterBudgetLedger;
  rateLimiter: ClusterRateLimiter;
  /** Stops listening to the primary (the listener would keep the process alive). */
  leave(): void;
}

/**
 * In a worker: budgets and rate limits through the primary, which also reads a key's logged spend from
 * this worker's `store` when it needs it. Undefined outside a worker (one process keeps its own).
 */
export function joinClusterLimits(store: Pick<RequestStore, 'keySpend'>): ClusterLimits | undefined {
  if (!cluster.isWorker || process.send === undefined) return undefined;
  const send = process.send.bind(process);
  const channel = new PrimaryChannel({
    port: { send: (message) => send(message), connected: () => process.connected },
    store,
  });
  const onMessage = (message: unknown) => channel.receive(message);
  const onDisconnect = () => channel.disconnected();
  process.on('message', onMessage);
  process.once('disconnect', onDisconnect);
  return {
    ledger: new ClusterBudgetLedger({ channel, store }),
    rateLimiter: new ClusterRateLimiter(channel),
    leave() {
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
    },
  };
}

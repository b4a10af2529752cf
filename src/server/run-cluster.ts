/**
 * Multi-core mode: a primary process forks N workers that share the listening socket (node:cluster).
 * Live state stays the same whatever N is: each worker publishes its state changes to the primary, which
 * relays them to every other worker, and each worker applies them to its own replica. Reads stay local
 * and lock-free; a change reaches the other workers within one IPC hop.
 */
import cluster, { type Worker } from 'node:cluster';
import type { RouterState, StateEvent } from '../state/router-state.js';

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
  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if (!isStateEnvelope(message)) return;
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

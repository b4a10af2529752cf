/**
 * Dashboard aggregates for the SQLite store, read on a worker thread (see `sqlite-read-worker.ts`). The
 * thread starts on the first read and stops after a minute without one, so a router whose dashboard is
 * never opened runs no extra thread. Where the compiled worker is missing (running from TypeScript
 * sources) or the thread fails, the read runs on the store itself.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RouterError } from '../core/errors.js';
import type { DashboardStats, DashboardStatsQuery } from './build-dashboard-queries.js';
import type { RequestStore } from './request-store.js';
import type { SqliteDriverName } from './sqlite-driver.js';
import type { ReadReplyMessage, ReadRequestMessage } from './sqlite-read-worker.js';

const workerUrl = new URL('./sqlite-read-worker.js', import.meta.url);
const idleMs = 60_000;

export class WorkerDashboardReads {
  readonly #filePath: string;
  readonly #driver: SqliteDriverName | undefined;
  readonly #fallback: Pick<RequestStore, 'dashboardStats'>;
  readonly #pending = new Map<
    number,
    { resolve: (stats: DashboardStats) => void; reject: (error: unknown) => void }
  >();
  #worker: Worker | null = null;
  #idle: NodeJS.Timeout | undefined;
  #nextId = 1;

  /** True when the compiled worker script exists. */
  static available(): boolean {
    return existsSync(fileURLToPath(workerUrl));
  }

  constructor(filePath: string, fallback: Pick<RequestStore, 'dashboardStats'>, driver?: SqliteDriverName) {
    this.#filePath = filePath;
    this.#driver = driver;
    this.#fallback = fallback;
  }

  dashboardStats(query: DashboardStatsQuery): Promise<DashboardStats> {
    const worker = this.#start();
    if (worker === null) return this.#fallback.dashboardStats(query);
    const id = this.#nextId++;
    return new Promise<DashboardStats>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, query } satisfies ReadRequestMessage);
    });
  }

  #start(): Worker | null {
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.#stop(), idleMs);
    this.#idle.unref();
    if (this.#worker !== null) return this.#worker;
    try {
      const worker = new Worker(workerUrl, {
        workerData: { filePath: this.#filePath, driver: this.#driver },
      });
      worker.unref();
      worker.on('message', (reply: ReadReplyMessage) => this.#settle(reply));
      worker.on('error', () => this.#abandon(worker));
      worker.on('exit', () => this.#abandon(worker));
      this.#worker = worker;
      return worker;
    } catch {
      return null;
    }
  }

  #settle(reply: ReadReplyMessage): void {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.stats);
    else pending.reject(new RouterError('internal', `dashboard read failed: ${reply.message}`));
  }

  #stop(): void {
    const worker = this.#worker;
    if (worker === null || this.#pending.size > 0) return;
    this.#worker = null;
    void worker.terminate();
  }

  /** The thread is gone: reads it had not answered fail, and the next one starts a new thread. */
  #abandon(worker: Worker): void {
    if (this.#worker === worker) this.#worker = null;
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.reject(new RouterError('internal', 'the dashboard read thread stopped'));
    }
  }
}

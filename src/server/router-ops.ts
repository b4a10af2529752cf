/**
 * The operating side of a running router: the request log and key store, key authentication, budgets,
 * rate limits, metrics and the structured logger. Opened once at start, before the port is bound, so a
 * data directory that cannot be written stops the start with a clear message instead of losing records.
 */
import pino, { type DestinationStream } from 'pino';
import { KeyAuthenticator } from '../auth/authenticate-request.js';
import { BudgetLedger, type KeyBudgetLedger } from '../auth/budget-ledger.js';
import { type KeyRateLimiter, RateLimiter } from '../auth/rate-limiter.js';
import { RedisBudgetLedger } from '../auth/redis-budget-ledger.js';
import { RedisRateLimiter } from '../auth/redis-rate-limiter.js';
import type { RouterConfig } from '../config/router-config.js';
import { RouterError } from '../core/errors.js';
import { collectSecrets, createLogger, type Logger } from '../observability/create-logger.js';
import { RouterMetrics } from '../observability/router-metrics.js';
import { RedisLink } from '../state/redis-link.js';
import { createRequestStore } from '../store/create-request-store.js';
import { RequestLogWriter } from '../store/request-log-writer.js';
import type { RequestStore } from '../store/request-store.js';
import { SqliteRequestStore } from '../store/sqlite-request-store.js';
import { WorkerRequestWrites } from '../store/worker-request-writes.js';
import { joinClusterLimits } from './run-cluster.js';

export interface RouterOps {
  store: RequestStore;
  authenticator: KeyAuthenticator;
  ledger: KeyBudgetLedger;
  rateLimiter: KeyRateLimiter;
  /** The shared Redis of a fleet (`REDIS_URL`); undefined when each process keeps its own state. */
  redis: RedisLink | undefined;
  /** Budget settles Redis has not seen yet (0 without Redis). */
  pendingSettles(): number;
  logWriter: RequestLogWriter;
  metrics: RouterMetrics;
  logger: Logger;
  /** False on a non-loopback address without `--allow-unauthenticated`: every call needs a gateway key. */
  openModeAllowed: boolean;
  /** Flushes the request log and closes the store; what was completed before is never lost. */
  close(): Promise<void>;
}

export interface OpenRouterOpsOptions {
  /** Where JSON log lines go (tests capture them); buffered standard output by default. */
  logDestination?: DestinationStream;
  /** Overrides `PARETO_ROUTER_LOG_LEVEL` (default info). */
  logLevel?: LogLevel;
  /** Wall-clock milliseconds. */
  now: () => number;
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1', '::ffff:127.0.0.1']);

/** True when `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return loopbackHosts.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The longest a request's log line waits in the log's buffer before it is written. */
const logFlushIntervalMs = 1_000;

/** Opens the store (running its migrations) and builds everything around it. */
export async function openRouterOps(config: RouterConfig, options: OpenRouterOpsOptions): Promise<RouterOps> {
  const secrets = collectSecrets(process.env);
  for (const upstream of config.upstreams) if (upstream.apiKey !== undefined) secrets.push(upstream.apiKey);
  if (config.masterKey !== undefined) secrets.push(config.masterKey);
  const logger = createLogger({
    level: options.logLevel ?? logLevelOf(process.env.PARETO_ROUTER_LOG_LEVEL),
    secrets,
    name: 'pareto-router',
    // Buffered, so a log line per request costs a memory copy, not a write system call; flushed at least
    // once a second, so a quiet router's lines do not wait for 4 KB of others.
    destination:
      options.logDestination ??
      pino.destination({ dest: 1, minLength: 4096, sync: false, periodicFlush: logFlushIntervalMs }),
  });
  const store = createRequestStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  // SQLite inserts are synchronous: on a thread of their own they never hold up requests in flight.
  const writes =
    store instanceof SqliteRequestStore && WorkerRequestWrites.available()
      ? new WorkerRequestWrites(store.filePath, store, store.driver)
      : undefined;
  const metrics = new RouterMetrics({ knownUpstreams: config.upstreams.map((upstream) => upstream.name) });
  let warnedFull = false;
  const logWriter = new RequestLogWriter({
    store: writes ?? store,
    capacity: config.requestLog.capacity,
    batchSize: config.requestLog.batchSize,
    flushIntervalMs: config.requestLog.flushIntervalMs,
    onDrop(record, reason) {
      if (reason === 'buffer_full' && warnedFull) return;
      if (reason === 'buffer_full') warnedFull = true;
      logger.warn(
        { generation_id: record.id, reason },
        reason === 'buffer_full'
          ? 'request log buffer full: records are being dropped and counted (pareto_router_request_log_dropped_total)'
          : 'request record dropped',
      );
    },
    onError(error, failure) {
      logger.error(
        { err: error, records: failure.records, attempt: failure.attempt, will_retry: failure.willRetry },
        'request log write failed',
      );
    },
  });
  const authenticator = new KeyAuthenticator({ store, masterKey: config.masterKey, now: options.now });
  const shared = await openRedis(config, store, logger, () => logWriter.flush());
  // A worker of `serve --workers N` without Redis: the primary keeps the machine's one ledger and limiter.
  const clustered = shared === undefined ? joinClusterLimits(store) : undefined;
  return {
    store,
    authenticator,
    ledger: shared?.ledger ?? clustered?.ledger ?? new BudgetLedger({ store }),
    rateLimiter: shared?.rateLimiter ?? clustered?.rateLimiter ?? new RateLimiter(),
    redis: shared?.link,
    pendingSettles: () => shared?.ledger.pendingSettles ?? 0,
    logWriter,
    metrics,
    logger,
    openModeAllowed: isLoopbackHost(config.host) || config.allowUnauthenticated,
    async close() {
      let unstored: RouterError | undefined;
      try {
        await logWriter.close();
      } catch (error) {
        unstored = spillUnwritten(logWriter, logger, error);
      }
      await shared?.ledger.drain();
      await shared?.link.close();
      clustered?.leave();
      try {
        await writes?.close();
      } finally {
        try {
          await store.close();
        } finally {
          await new Promise<void>((resolve) => logger.flush(() => resolve()));
        }
      }
      if (unstored !== undefined) throw unstored;
    },
  };
}

/**
 * Connects to the fleet's Redis when one is configured. A Redis that does not answer at start does not
 * stop the router: it starts on local state, says so, and joins the fleet when Redis answers.
 */
async function openRedis(
  config: RouterConfig,
  store: RequestStore,
  logger: Logger,
  flushLog: () => Promise<void>,
): Promise<{ link: RedisLink; ledger: RedisBudgetLedger; rateLimiter: RedisRateLimiter } | undefined> {
  if (config.redisUrl === undefined) return undefined;
  const link = new RedisLink({ url: config.redisUrl, prefix: config.redisPrefix });
  link.onChange((up, sameData) => {
    if (up) logger.warn({ same_data: sameData }, 'redis: reachable again; shared state resumes');
    else
      logger.error(
        {},
        `redis: unreachable; routing goes on with local state, keys with budgets are ${config.budgetFailOpen === true ? 'counted per instance (fail open)' : 'refused with 503 (fail closed)'}`,
      );
  });
  try {
    await link.connect();
  } catch (error) {
    logger.error(
      { error: error instanceof Error ? error.message : String(error) },
      'redis: not reachable at start; starting on local state and retrying',
    );
  }
  const ledger = new RedisBudgetLedger({
    link,
    store,
    failOpen: config.budgetFailOpen ?? false,
    beforeResume: flushLog,
    resumeGraceMs: 2 * config.requestLog.flushIntervalMs + 1_000,
    staleCounterDelayMs: 2 * config.requestLog.flushIntervalMs + 1_000,
    ...(config.reservationTtlMs === undefined ? {} : { reservationTtlMs: config.reservationTtlMs }),
    onError: (error) =>
      logger.warn(
        { error: error instanceof Error ? error.message : String(error) },
        'redis: a budget write failed; it is retried shortly, or replayed when Redis answers again',
      ),
  });
  return { link, ledger, rateLimiter: new RedisRateLimiter(link) };
}

/**
 * The store still refused records at shutdown (a full disk, a database gone): rather than let them die
 * with the process, each goes into the log as one `unstored_request` line, whatever the log level, for
 * `pareto-router logs --restore` to store later. Returns the error the shutdown reports.
 */
function spillUnwritten(logWriter: RequestLogWriter, logger: Logger, cause: unknown): RouterError {
  const records = logWriter.takeUnwritten();
  const reason = cause instanceof Error ? cause.message : String(cause);
  // A child has its own level: `silent` or `fatal` on the router must not silence these.
  const spill = logger.child({}, { level: 'error' });
  spill.error(
    { err: cause, records: records.length },
    'request log: records could not be stored at shutdown; each follows as an unstored_request line',
  );
  for (const record of records) spill.error({ unstored_request: record }, 'unstored request record');
  return new RouterError(
    'internal',
    `the request log could not store ${records.length} record(s) at shutdown (${reason}); they were written to the log as unstored_request lines: store them with \`pareto-router logs --restore LOGFILE\` once the database takes writes`,
    { cause },
  );
}

const logLevels = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

function logLevelOf(value: string | undefined): LogLevel {
  if (value === undefined || value === '') return 'info';
  const level = value.toLowerCase();
  if (!logLevels.has(level)) {
    throw new RouterError(
      'config_invalid',
      `PARETO_ROUTER_LOG_LEVEL must be one of ${[...logLevels].join(', ')}, got "${value}"`,
    );
  }
  return level as LogLevel;
}

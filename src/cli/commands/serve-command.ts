import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { limitHeapGrowth } from '../../server/limit-heap-growth.js';
import {
  isClusterPrimary,
  joinClusterState,
  leaveCluster,
  runClusterPrimary,
} from '../../server/run-cluster.js';
import { startRouter } from '../../server/start-router.js';
import { definedOnly, programOptionsOf } from '../program-options.js';
import { UsageError } from '../usage-error.js';

interface ServeOptions {
  port?: string;
  host?: string;
  config?: string;
  demo?: boolean;
  snapshot?: string;
  dataDir?: string;
  workers?: string;
  allowUnauthenticated?: boolean;
  redisUrl?: string;
  allowedOrigins?: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be an integer 0..65535, got "${value}"`);
  }
  return port;
}

/** Adds `serve` to the program. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the router: an OpenRouter-compatible HTTP API on 127.0.0.1:8080 by default')
    .option('--port <port>', 'port to listen on (env PORT; default 8080)')
    .option('--host <host>', 'address to bind (env HOST; default 127.0.0.1)')
    .option('--config <file>', 'YAML configuration file (env PARETO_ROUTER_CONFIG)')
    .option('--snapshot <version>', 'index snapshot to route with (default: the latest)')
    .option('--data-dir <dir>', 'data directory (env PARETO_ROUTER_DATA_DIR; default ~/.pareto-router)')
    .option('--demo', 'serve answers from the built-in fake upstream (no provider keys needed)')
    .option('--workers <n>', 'worker processes sharing the port and live state (default 1)')
    .option(
      '--redis-url <url>',
      'Redis or Valkey shared by a fleet of routers: live state, budgets and rate limits (env REDIS_URL)',
    )
    .option(
      '--allow-unauthenticated',
      'serve without gateway keys on a non-loopback address (anyone who reaches the port spends your provider keys)',
    )
    .option(
      '--allowed-origins <list>',
      'comma-separated browser origins allowed to call the router, e.g. https://app.example (env PARETO_ROUTER_ALLOWED_ORIGINS)',
    )
    .action(async (own: ServeOptions, self: Command) => {
      // `pareto-router --data-dir DIR serve` and `serve --data-dir DIR` are the same; the command's own wins.
      const options: ServeOptions = { ...programOptionsOf(self), ...definedOnly(own) };
      const workers = options.workers === undefined ? 1 : Number(options.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
        throw new UsageError(`--workers must be an integer 1..256, got "${options.workers}"`);
      }
      const overrides: NonNullable<Parameters<typeof loadConfig>[0]>['overrides'] = {};
      if (options.port !== undefined) overrides.port = parsePort(options.port);
      if (options.host !== undefined) overrides.host = options.host;
      if (options.snapshot !== undefined) overrides.snapshotVersion = options.snapshot;
      if (options.dataDir !== undefined) overrides.dataDir = options.dataDir;
      if (options.demo === true) overrides.demo = true;
      if (options.allowUnauthenticated === true) overrides.allowUnauthenticated = true;
      if (options.redisUrl !== undefined) overrides.redisUrl = options.redisUrl;
      if (options.allowedOrigins !== undefined) overrides.allowedOrigins = options.allowedOrigins.split(',');
      const config = loadConfig({ configPath: options.config, overrides });
      // The start report is for people; standard output carries the JSON log lines.
      const log = (line: string) => process.stderr.write(`${line}\n`);
      if (workers > 1 && isClusterPrimary()) {
        await runClusterPrimary(workers, log);
        return;
      }
      limitHeapGrowth();
      const router = await startRouter(config, { log: workers > 1 ? () => undefined : log });
      // With Redis every worker is a fleet member of its own; without, the primary relays their state.
      if (router.app.ops.redis === undefined) joinClusterState(router.app.state);
      if (workers > 1) log(`worker ${process.pid} listening on ${router.url}`);
      await new Promise<void>((resolve, reject) => {
        const stop = (signal: string) => {
          process.stderr.write(
            `${signal}: finishing in-flight requests, flushing the request log, then stopping\n`,
          );
          // A close that fails (records the store still refused) ends the command with its message.
          router.close().then(resolve, reject);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      leaveCluster();
    });
}

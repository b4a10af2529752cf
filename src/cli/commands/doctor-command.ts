/**
 * `pareto-router doctor`: whether `serve` with the same configuration would work, and what to fix when
 * not. It reads the configuration, the data directory and the database, asks each upstream with a key
 * for its model listing (an authenticated call that costs nothing), says which shortlist models those
 * upstreams can serve, and describes the bind address and the auth mode. It never writes: a database
 * that does not exist yet is not created.
 */
import { constants, existsSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import type { RouterConfig, UpstreamConfig } from '../../config/router-config.js';
import { buildModelIndex } from '../../core/build-model-index.js';
import { UpstreamCatalog } from '../../executor/upstream-catalog.js';
import { isLoopbackHost } from '../../server/router-ops.js';
import { createRequestStore, sqliteFileName } from '../../store/create-request-store.js';
import { redactConnectionString } from '../../store/postgres-request-store.js';
import { chooseSqliteDriver } from '../../store/sqlite-driver.js';
import type { CliContext } from '../cli-context.js';
import { formatJson } from '../format-values.js';
import { createPalette, type Palette } from '../palette.js';
import { withSpinner } from '../progress.js';
import { ReportedFailure, UsageError } from '../usage-error.js';
import { addStoreOptions } from '../with-command-store.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface DoctorCheck {
  /** `config`, `data-dir`, `database`, `upstream:<name>`, `shortlist`, `bind`. */
  name: string;
  status: CheckStatus;
  /** What was found, one line. */
  detail: string;
  /** What to do about it; null when nothing needs doing. */
  fix: string | null;
}

/** The whole `doctor --json` document. */
export interface DoctorReport {
  /** `fail` when any check failed, `warn` when any warned, else `ok`. */
  status: 'ok' | 'warn' | 'fail';
  checks: DoctorCheck[];
  /** Shortlist models and the upstreams that answered which can serve them (empty list: none can). */
  shortlist: { modelId: string; upstreams: string[] }[];
}

export interface DoctorOptions {
  configPath?: string | undefined;
  dataDir?: string | undefined;
  environment: Readonly<Record<string, string | undefined>>;
  /** How long one upstream may take to answer, in ms. */
  timeoutMs: number;
  fetch?: typeof fetch;
}

const defaultTimeoutMs = 5_000;

/** Runs every check; never throws for what it finds (a broken setup is the report, not an error). */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  let config: RouterConfig;
  try {
    config = loadConfig({
      configPath: options.configPath,
      env: { ...options.environment },
      overrides: options.dataDir === undefined ? {} : { dataDir: options.dataDir },
    });
  } catch (error) {
    checks.push({
      name: 'config',
      status: 'fail',
      detail: messageOf(error),
      fix: 'correct the configuration file or the environment variable named above',
    });
    for (const name of ['data-dir', 'database', 'upstreams', 'shortlist', 'bind']) {
      checks.push({
        name,
        status: 'skip',
        detail: 'not checked: the configuration does not load',
        fix: null,
      });
    }
    return summarise(checks, []);
  }
  checks.push({
    name: 'config',
    status: 'ok',
    detail:
      options.configPath === undefined && options.environment.PARETO_ROUTER_CONFIG === undefined
        ? 'no configuration file; environment and defaults'
        : `loaded ${options.configPath ?? options.environment.PARETO_ROUTER_CONFIG}`,
    fix: null,
  });
  checks.push(await checkDataDir(config.dataDir));
  const database = await checkDatabase(config);
  checks.push(database.check);
  const upstreamChecks = config.demo
    ? [
        {
          name: 'upstreams',
          status: 'ok' as const,
          detail: 'demo mode: every answer comes from the built-in fake upstream; no provider key is used',
          fix: null,
        },
      ]
    : await checkUpstreams(config.upstreams, options);
  checks.push(...upstreamChecks);
  const answering = config.demo
    ? config.upstreams
    : config.upstreams.filter((upstream) =>
        upstreamChecks.some((check) => check.name === `upstream:${upstream.name}` && check.status === 'ok'),
      );
  const shortlist = await checkShortlist(config, answering);
  checks.push(shortlist.check);
  checks.push(checkBind(config, database.activeKeys));
  return summarise(checks, shortlist.report);
}

function summarise(checks: DoctorCheck[], shortlist: DoctorReport['shortlist']): DoctorReport {
  const status = checks.some((check) => check.status === 'fail')
    ? 'fail'
    : checks.some((check) => check.status === 'warn')
      ? 'warn'
      : 'ok';
  return { status, checks, shortlist };
}

async function checkDataDir(dataDir: string): Promise<DoctorCheck> {
  const info = await stat(dataDir).catch(() => null);
  if (info === null) {
    return {
      name: 'data-dir',
      status: 'ok',
      detail: `${dataDir} does not exist yet; serve creates it`,
      fix: null,
    };
  }
  if (!info.isDirectory()) {
    return {
      name: 'data-dir',
      status: 'fail',
      detail: `${dataDir} is not a directory`,
      fix: 'point --data-dir or PARETO_ROUTER_DATA_DIR at a directory',
    };
  }
  try {
    await access(dataDir, constants.R_OK | constants.W_OK);
  } catch (error) {
    return {
      name: 'data-dir',
      status: 'fail',
      detail: `${dataDir} is not writable: ${messageOf(error)}`,
      fix: `make ${dataDir} writable by this user, or choose another with --data-dir`,
    };
  }
  return { name: 'data-dir', status: 'ok', detail: `${dataDir} is writable`, fix: null };
}

async function checkDatabase(
  config: RouterConfig,
): Promise<{ check: DoctorCheck; activeKeys: number | null }> {
  const postgres = config.databaseUrl !== undefined;
  const where = postgres
    ? redactConnectionString(config.databaseUrl ?? '')
    : join(config.dataDir, sqliteFileName);
  let library = 'PostgreSQL';
  if (!postgres) {
    try {
      library = chooseSqliteDriver() === 'node' ? 'SQLite (node:sqlite)' : 'SQLite (better-sqlite3)';
    } catch (error) {
      return {
        check: {
          name: 'database',
          status: 'fail',
          detail: messageOf(error),
          fix: 'use Node.js 22.13 or later',
        },
        activeKeys: null,
      };
    }
    if (!existsSync(where)) {
      return {
        check: {
          name: 'database',
          status: 'ok',
          detail: `${library} at ${where} does not exist yet; serve creates it`,
          fix: null,
        },
        activeKeys: 0,
      };
    }
  }
  try {
    const store = createRequestStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
    try {
      // Both stores record their migrations; the interface leaves it out for test doubles.
      const versions =
        'appliedMigrations' in store && typeof store.appliedMigrations === 'function'
          ? ((await store.appliedMigrations()) as number[])
          : [];
      const keys = await store.listKeys();
      const active = keys.filter((key) => key.revokedAt === null).length;
      return {
        check: {
          name: 'database',
          status: 'ok',
          detail: `${library} at ${where}: schema version ${versions.at(-1) ?? 0}, ${active} active gateway key${active === 1 ? '' : 's'}`,
          fix: null,
        },
        activeKeys: active,
      };
    } finally {
      await store.close();
    }
  } catch (error) {
    return {
      check: {
        name: 'database',
        status: 'fail',
        detail: `${library} at ${where}: ${messageOf(error)}`,
        fix: postgres
          ? 'check DATABASE_URL: the server, the database name, the user and its password'
          : `check that ${where} is a pareto-router database this user can read and write`,
      },
      activeKeys: null,
    };
  }
}

/** The cheap authenticated call for an upstream: its model listing, or OpenRouter's key endpoint. */
export function probeRequestOf(upstream: UpstreamConfig): { url: string; headers: Record<string, string> } {
  const base = upstream.baseUrl.replace(/\/+$/, '');
  const key = upstream.apiKey;
  switch (upstream.protocol) {
    case 'anthropic':
      return {
        url: `${base}/models`,
        headers: { 'anthropic-version': '2023-06-01', ...(key === undefined ? {} : { 'x-api-key': key }) },
      };
    case 'gemini':
      return { url: `${base}/models`, headers: key === undefined ? {} : { 'x-goog-api-key': key } };
    default:
      // OpenRouter lists models to anyone; its key endpoint answers only a valid key.
      return {
        url: upstream.passthrough ? `${base}/key` : `${base}/models`,
        headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
      };
  }
}

async function checkUpstreams(
  upstreams: readonly UpstreamConfig[],
  options: DoctorOptions,
): Promise<DoctorCheck[]> {
  if (upstreams.length === 0) {
    return [
      {
        name: 'upstreams',
        status: 'fail',
        detail: 'no upstream has a key',
        fix: 'set OPENROUTER_API_KEY (or OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, ...), or try serve --demo',
      },
    ];
  }
  const doFetch = options.fetch ?? fetch;
  return Promise.all(
    upstreams.map(async (upstream): Promise<DoctorCheck> => {
      const name = `upstream:${upstream.name}`;
      const probe = probeRequestOf(upstream);
      let status: number;
      try {
        const response = await doFetch(probe.url, {
          headers: probe.headers,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        status = response.status;
        await response.body?.cancel();
      } catch (error) {
        return {
          name,
          status: 'fail',
          detail: `${upstream.displayName} at ${upstream.baseUrl} does not answer: ${causeOf(error)}`,
          fix: `check the network and the base URL of ${upstream.name}`,
        };
      }
      if (status === 401 || status === 403) {
        return {
          name,
          status: 'fail',
          detail: `${upstream.displayName} at ${upstream.baseUrl} refuses the key (HTTP ${status})`,
          fix: `replace the key of ${upstream.name}: it is wrong, revoked or lacks access`,
        };
      }
      if (status >= 200 && status < 300) {
        return {
          name,
          status: 'ok',
          detail: `${upstream.displayName} at ${upstream.baseUrl} accepts the key`,
          fix: null,
        };
      }
      return {
        name,
        status: status >= 500 ? 'fail' : 'warn',
        detail: `${upstream.displayName} at ${upstream.baseUrl} answered HTTP ${status} to ${probe.url.slice(upstream.baseUrl.replace(/\/+$/, '').length) || '/'}`,
        fix:
          status >= 500
            ? `${upstream.name} is failing: try again later`
            : `check the base URL of ${upstream.name}`,
      };
    }),
  );
}

async function checkShortlist(
  config: RouterConfig,
  answering: readonly UpstreamConfig[],
): Promise<{ check: DoctorCheck; report: DoctorReport['shortlist'] }> {
  let index: ReturnType<typeof buildModelIndex>;
  try {
    const { loadSnapshot } = await import('../../index/snapshot-store.js');
    index = buildModelIndex(
      await loadSnapshot({
        dataDir: config.dataDir,
        ...(config.snapshotVersion === undefined ? {} : { version: config.snapshotVersion }),
      }),
    );
  } catch (error) {
    return {
      check: {
        name: 'shortlist',
        status: 'fail',
        detail: `the index snapshot does not load: ${messageOf(error)}`,
        fix: 'check the pinned snapshot version (PARETO_ROUTER_SNAPSHOT or snapshot: in the configuration)',
      },
      report: [],
    };
  }
  const report = new UpstreamCatalog([...answering], config.upstreamPreference).servingReport(index);
  const servable = report.filter((entry) => entry.upstreams.length > 0).length;
  const status: CheckStatus = servable === 0 ? 'fail' : servable < report.length ? 'warn' : 'ok';
  return {
    check: {
      name: 'shortlist',
      status,
      detail: `${servable}/${report.length} shortlist models servable by the upstreams that answered (snapshot ${index.version})`,
      fix:
        status === 'ok'
          ? null
          : 'fix the upstreams above, or add one that serves the others (OPENROUTER_API_KEY serves them all)',
    },
    report,
  };
}

function checkBind(config: RouterConfig, activeKeys: number | null): DoctorCheck {
  const where = `${config.host}:${config.port}`;
  const admin = config.masterKey === undefined ? '' : '; admin API on (PARETO_ROUTER_MASTER_KEY)';
  if (activeKeys !== null && activeKeys > 0) {
    return {
      name: 'bind',
      status: 'ok',
      detail: `${where}, gateway keys required (${activeKeys} active)${admin}`,
      fix: null,
    };
  }
  if (isLoopbackHost(config.host)) {
    return {
      name: 'bind',
      status: 'ok',
      detail: `${where}, open mode: no gateway keys, only this machine can call it${admin}`,
      fix: null,
    };
  }
  if (config.allowUnauthenticated) {
    return {
      name: 'bind',
      status: 'warn',
      detail: `${where}, open to anyone who reaches the port (--allow-unauthenticated)${admin}`,
      fix: 'create a gateway key with `pareto-router keys create --name NAME` and drop --allow-unauthenticated',
    };
  }
  return {
    name: 'bind',
    status: 'warn',
    detail: `${where} without gateway keys: every call is refused until a key exists${admin}`,
    fix: 'create a gateway key with `pareto-router keys create --name NAME`',
  };
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
}

/** The most specific reason a fetch failed: `ECONNREFUSED`, a timeout, a DNS error. */
function causeOf(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer within the timeout';
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause !== undefined && typeof cause.code === 'string') return cause.code;
  if (cause !== undefined && typeof cause.message === 'string') return cause.message;
  return messageOf(error);
}

const statusLabel: Record<CheckStatus, string> = { ok: 'ok', warn: 'warn', fail: 'FAIL', skip: 'skip' };

/** The readable report: one line per check, its fix indented below. */
export function formatDoctorReport(report: DoctorReport, colours: Palette): string {
  const paint = (status: CheckStatus, text: string) =>
    status === 'ok'
      ? colours.green(text)
      : status === 'warn'
        ? colours.yellow(text)
        : status === 'fail'
          ? colours.red(text)
          : colours.dim(text);
  const width = Math.max(...report.checks.map((check) => check.name.length));
  const lines = report.checks.flatMap((check) => [
    `${paint(check.status, statusLabel[check.status].padEnd(4))}  ${check.name.padEnd(width)}  ${check.detail}`,
    ...(check.fix === null ? [] : [`      ${' '.repeat(width)}  fix: ${check.fix}`]),
  ]);
  const unservable = report.shortlist
    .filter((entry) => entry.upstreams.length === 0)
    .map((entry) => entry.modelId);
  if (unservable.length > 0 && unservable.length < report.shortlist.length) {
    lines.push('', `not servable: ${unservable.join(', ')}`);
  }
  const verdict =
    report.status === 'ok'
      ? 'everything serve needs is in place'
      : report.status === 'warn'
        ? 'serve will start; see the warnings above'
        : 'serve will not work as configured; fix the failures above';
  lines.push('', colours.bold(verdict));
  return `${lines.join('\n')}\n`;
}

interface DoctorCommandOptions {
  dataDir?: string;
  config?: string;
  json?: boolean;
  timeout?: string;
}

/** Adds `doctor` to the program. */
export function registerDoctorCommand(program: Command, context: CliContext): void {
  const command = program
    .command('doctor')
    .description(
      'check the configuration, data directory, database, upstream keys, servable models and bind; say what to fix',
    )
    .option('--timeout <ms>', `how long each upstream may take to answer (default ${defaultTimeoutMs})`)
    .option('--json', 'print JSON (see docs/cli-json.md)');
  addStoreOptions(command).action(async (options: DoctorCommandOptions, self: Command) => {
    const timeoutMs = options.timeout === undefined ? defaultTimeoutMs : Number(options.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 120_000) {
      throw new UsageError(`--timeout must be an integer 1..120000 (milliseconds), got "${options.timeout}"`);
    }
    let dataDir = options.dataDir;
    for (let current = self.parent; dataDir === undefined && current !== null; current = current.parent) {
      dataDir = current.opts<{ dataDir?: string }>().dataDir;
    }
    const report = await withSpinner(context.progress, 'checking', () =>
      runDoctor({
        configPath: options.config,
        dataDir,
        environment: context.environment,
        timeoutMs,
      }),
    );
    context.stdout(
      options.json === true ? formatJson(report) : formatDoctorReport(report, createPalette(context.colour)),
    );
    // A failed check is a failure of the setup, not of the call: exit 1 so scripts can gate on it.
    if (report.status === 'fail') throw new ReportedFailure();
  });
}

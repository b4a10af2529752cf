/**
 * Loads the configuration: a YAML file (`--config` or PARETO_ROUTER_CONFIG), then environment variables
 * (the vendors' own SDK variable names for keys and base URLs), then defaults. Invalid files fail with one
 * line naming the file and the field.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { defaultBlendRatio } from '../core/blended-price.js';
import { RouterError } from '../core/errors.js';
import { defaultRoutePolicy, routingRules } from '../core/route.js';
import { parseRouterModel } from '../core/router-model.js';
import { defaultTierCutoffs } from '../core/tiers.js';
import {
  defaultEdgeLimits,
  defaultLearnedTimeouts,
  defaultRescue,
  defaultRetries,
  defaultTimeouts,
  type RouterConfig,
  type UpstreamConfig,
} from './router-config.js';
import { upstreamPresets } from './upstream-presets.js';

// At most 2^31 - 1: Node runs a longer setTimeout after 1 ms, so a "practically never" timeout would fire at once.
const positiveInteger = z.number().int().positive().max(2_147_483_647);

const upstreamSchema = z.strictObject({
  name: z.string().min(1),
  displayName: z.string().optional(),
  protocol: z.enum(['openai', 'anthropic', 'gemini']).optional(),
  baseUrl: z.url().optional(),
  apiKey: z.string().optional(),
  /** Name of an environment variable holding the key, so keys stay out of the file. */
  apiKeyEnv: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  passthrough: z.boolean().optional(),
  prefill: z.boolean().optional(),
  models: z.record(z.string(), z.string()).optional(),
  enabled: z.boolean().optional(),
});

/** The YAML file's schema; every key it names is in docs/configuration.md (test/docs.test.ts checks). */
export const configFileSchema = z.strictObject({
  host: z.string().optional(),
  port: z.number().int().min(0).max(65535).optional(),
  bodyLimitMb: z.number().positive().max(1024).optional(),
  dataDir: z.string().optional(),
  /** A postgres:// URL; prefer the DATABASE_URL variable so credentials stay out of the file. */
  databaseUrl: z.string().optional(),
  /** A redis:// URL shared by a fleet; prefer the REDIS_URL variable. */
  redisUrl: z.string().optional(),
  redisPrefix: z.string().min(1).max(64).optional(),
  budgetFailOpen: z.boolean().optional(),
  allowUnauthenticated: z.boolean().optional(),
  fastPath: z.boolean().optional(),
  allowedOrigins: z.array(z.string()).optional(),
  limits: z
    .strictObject({
      headersTimeoutMs: positiveInteger.optional(),
      bodyTimeoutMs: positiveInteger.optional(),
      maxInFlightRequests: positiveInteger.optional(),
      maxBufferedBodyMb: z.number().positive().optional(),
      slowReaderTimeoutMs: positiveInteger.optional(),
    })
    .optional(),
  requestLog: z
    .strictObject({
      batchSize: z.number().int().min(1).max(10_000).optional(),
      capacity: z.number().int().min(1).max(10_000_000).optional(),
      flushIntervalMs: z.number().int().min(1).max(60_000).optional(),
    })
    .optional(),
  snapshot: z.string().optional(),
  upstreams: z.array(upstreamSchema).optional(),
  upstreamPreference: z.array(z.string()).optional(),
  /** Requested model name or `*` pattern -> the model name to use instead (usually a router spec). */
  modelAliases: z.record(z.string().min(1).max(256), z.string().min(1).max(256)).optional(),
  routing: z
    .strictObject({
      tierCutoffs: z
        .strictObject({ high: z.number().min(0).max(1), medium: z.number().min(0).max(1) })
        .optional(),
      blendRatio: z
        .strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative() })
        .optional(),
      maxFallbacks: z.number().int().min(0).max(10).optional(),
      policy: z.enum(routingRules).optional(),
    })
    .optional(),
  timeouts: z
    .strictObject({
      firstByteMs: positiveInteger.optional(),
      firstTokenMs: positiveInteger.optional(),
      streamIdleMs: positiveInteger.optional(),
      keepAliveMs: positiveInteger.optional(),
      learned: z
        .strictObject({
          enabled: z.boolean().optional(),
          multiplier: z.number().min(1).max(100).optional(),
          floorMs: positiveInteger.optional(),
          defaultMs: positiveInteger.optional(),
          minSamples: z.number().int().min(1).max(100).optional(),
        })
        .optional(),
    })
    .optional(),
  rescue: z
    .strictObject({
      enabled: z.boolean().optional(),
      maxAttempts: z.number().int().min(1).max(5).optional(),
    })
    .optional(),
  retries: z
    .strictObject({
      maxAttemptsPerModel: z.number().int().min(1).max(10).optional(),
      retryAfterMaxWaitMs: z.number().int().min(0).optional(),
      backoffBaseMs: z.number().int().min(0).optional(),
      backoffMaxMs: z.number().int().min(0).optional(),
    })
    .optional(),
  circuitBreaker: z
    .strictObject({
      failureThreshold: positiveInteger.optional(),
      openMs: positiveInteger.optional(),
      reopenBaseMs: positiveInteger.optional(),
      reopenMaxMs: positiveInteger.optional(),
    })
    .optional(),
  sticky: z
    .strictObject({ ttlMs: positiveInteger.optional(), maxEntries: positiveInteger.optional() })
    .optional(),
  upstreamPool: z
    .strictObject({
      connections: z.number().int().min(1).max(1_000_000).optional(),
    })
    .optional(),
});

export type ConfigFile = z.infer<typeof configFileSchema>;

export interface LoadConfigOptions {
  configPath?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Command-line overrides, applied last. */
  overrides?: Partial<
    Pick<
      RouterConfig,
      | 'host'
      | 'port'
      | 'dataDir'
      | 'snapshotVersion'
      | 'demo'
      | 'allowUnauthenticated'
      | 'redisUrl'
      | 'allowedOrigins'
    >
  >;
}

/** Reads and validates a YAML config file. */
export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RouterError('config_invalid', `cannot read config ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new RouterError(
      'config_invalid',
      `${path}: not valid YAML: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '(root)' : issue.path.join('.');
    throw new RouterError('config_invalid', `${path}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Builds the full configuration. Precedence, highest first: command-line overrides, environment
 * variables, the YAML file, defaults.
 */
export function loadConfig(options: LoadConfigOptions = {}): RouterConfig {
  const env = options.env ?? process.env;
  const configPath = options.configPath ?? env.PARETO_ROUTER_CONFIG;
  const file: ConfigFile = configPath === undefined || configPath === '' ? {} : readConfigFile(configPath);
  const upstreams = resolveUpstreams(file, env);
  const portFromEnv = env.PORT === undefined || env.PORT === '' ? undefined : Number(env.PORT);
  if (
    portFromEnv !== undefined &&
    !(Number.isInteger(portFromEnv) && portFromEnv >= 0 && portFromEnv <= 65535)
  ) {
    throw new RouterError('config_invalid', `PORT must be an integer 0..65535, got "${env.PORT}"`);
  }
  const config: RouterConfig = {
    host: nonEmpty(env.HOST) ?? file.host ?? '127.0.0.1',
    port: portFromEnv ?? file.port ?? 8080,
    bodyLimitBytes: Math.round((file.bodyLimitMb ?? 32) * 1024 * 1024),
    dataDir: nonEmpty(env.PARETO_ROUTER_DATA_DIR) ?? file.dataDir ?? join(homedir(), '.pareto-router'),
    upstreams,
    upstreamPreference: file.upstreamPreference ?? [],
    tierCutoffs: file.routing?.tierCutoffs ?? defaultTierCutoffs,
    blendRatio: file.routing?.blendRatio ?? defaultBlendRatio,
    maxFallbacks: file.routing?.maxFallbacks ?? 2,
    routingPolicy: file.routing?.policy ?? defaultRoutePolicy.rule,
    timeouts: {
      ...withDefaults(defaultTimeouts, { ...file.timeouts, learned: undefined }),
      learned: withDefaults(defaultLearnedTimeouts, file.timeouts?.learned),
    },
    retries: withDefaults(defaultRetries, file.retries),
    rescue: withDefaults(defaultRescue, file.rescue),
    circuitBreaker: withDefaults(
      { failureThreshold: 5, openMs: 10_000, reopenBaseMs: 2_000, reopenMaxMs: 10_000 },
      file.circuitBreaker,
    ),
    sticky: withDefaults({ ttlMs: 10 * 60_000, maxEntries: 100_000 }, file.sticky),
    demo: false,
    allowUnauthenticated: file.allowUnauthenticated ?? false,
    budgetFailOpen:
      parseSwitch('PARETO_ROUTER_BUDGET_FAIL_OPEN', env.PARETO_ROUTER_BUDGET_FAIL_OPEN) ??
      file.budgetFailOpen ??
      false,
    requestLog: withDefaults({ batchSize: 500, capacity: 50_000, flushIntervalMs: 200 }, file.requestLog),
  };
  if (file.modelAliases !== undefined) config.modelAliases = checkedAliases(file.modelAliases);
  if (file.limits !== undefined) {
    const { maxBufferedBodyMb, ...rest } = file.limits;
    config.limits = withDefaults(defaultEdgeLimits, {
      ...rest,
      maxBufferedBodyBytes:
        maxBufferedBodyMb === undefined ? undefined : Math.round(maxBufferedBodyMb * 1024 * 1024),
    });
  }
  const origins =
    options.overrides?.allowedOrigins ??
    nonEmpty(env.PARETO_ROUTER_ALLOWED_ORIGINS)?.split(',') ??
    file.allowedOrigins;
  if (origins !== undefined) config.allowedOrigins = checkedOrigins(origins);
  if (file.upstreamPool !== undefined) {
    config.upstreamPool = {};
    if (file.upstreamPool.connections !== undefined)
      config.upstreamPool.connections = file.upstreamPool.connections;
  }
  const databaseUrl = env.DATABASE_URL ?? file.databaseUrl;
  if (databaseUrl !== undefined && databaseUrl.trim() !== '') config.databaseUrl = databaseUrl.trim();
  const redisUrl = nonEmpty(env.REDIS_URL) ?? file.redisUrl;
  if (redisUrl !== undefined && redisUrl.trim() !== '') config.redisUrl = checkedRedisUrl(redisUrl.trim());
  const reservationTtl = nonEmpty(env.PARETO_ROUTER_RESERVATION_TTL_MS);
  if (reservationTtl !== undefined) {
    const ms = Number(reservationTtl);
    if (!Number.isInteger(ms) || ms < 100 || ms > 86_400_000) {
      throw new RouterError(
        'config_invalid',
        `PARETO_ROUTER_RESERVATION_TTL_MS must be an integer 100..86400000 (ms), got "${reservationTtl}"`,
      );
    }
    config.reservationTtlMs = ms;
  }
  const redisPrefix = nonEmpty(env.PARETO_ROUTER_REDIS_PREFIX) ?? file.redisPrefix;
  if (redisPrefix !== undefined) config.redisPrefix = redisPrefix;
  const masterKey = env.PARETO_ROUTER_MASTER_KEY;
  if (masterKey !== undefined && masterKey !== '') {
    if (masterKey.length < 16) {
      throw new RouterError(
        'config_invalid',
        'PARETO_ROUTER_MASTER_KEY must be at least 16 characters (e.g. openssl rand -hex 32)',
      );
    }
    config.masterKey = masterKey;
  }
  const fastPath = parseSwitch('PARETO_ROUTER_FAST_PATH', env.PARETO_ROUTER_FAST_PATH) ?? file.fastPath;
  if (fastPath !== undefined) config.fastPath = fastPath;
  const snapshot = nonEmpty(env.PARETO_ROUTER_SNAPSHOT) ?? file.snapshot;
  if (snapshot !== undefined && snapshot !== '') config.snapshotVersion = snapshot;
  const overrides = options.overrides ?? {};
  if (overrides.host !== undefined) config.host = overrides.host;
  if (overrides.port !== undefined) config.port = overrides.port;
  if (overrides.dataDir !== undefined) config.dataDir = overrides.dataDir;
  if (overrides.snapshotVersion !== undefined) config.snapshotVersion = overrides.snapshotVersion;
  if (overrides.demo !== undefined) config.demo = overrides.demo;
  if (overrides.redisUrl !== undefined) config.redisUrl = checkedRedisUrl(overrides.redisUrl);
  if (overrides.allowUnauthenticated !== undefined)
    config.allowUnauthenticated = overrides.allowUnauthenticated;
  if (config.tierCutoffs.medium > config.tierCutoffs.high) {
    throw new RouterError(
      'config_invalid',
      'routing.tierCutoffs.medium must not be above routing.tierCutoffs.high',
    );
  }
  return config;
}

/** An on/off environment variable: `on`/`off`, `true`/`false` or `1`/`0`; undefined when unset. */
function parseSwitch(name: string, value: string | undefined): boolean | undefined {
  const text = nonEmpty(value)?.trim().toLowerCase();
  if (text === undefined) return undefined;
  if (text === 'on' || text === 'true' || text === '1') return true;
  if (text === 'off' || text === 'false' || text === '0') return false;
  throw new RouterError('config_invalid', `${name} must be on/off, true/false or 1/0, got "${value}"`);
}

/** Allowed browser origins as `scheme://host[:port]`, each checked; `*` is refused (it would allow any page). */
function checkedOrigins(values: readonly string[]): string[] {
  const origins: string[] = [];
  for (const raw of values) {
    const value = raw.trim();
    if (value === '') continue;
    let origin: string;
    try {
      origin = new URL(value).origin;
    } catch {
      origin = 'null';
    }
    if (origin === 'null' || !/^https?:/.test(origin) || origin !== value.replace(/\/$/, '')) {
      throw new RouterError(
        'config_invalid',
        `allowed origin "${value}" is not an origin: use scheme://host[:port], such as https://app.example`,
      );
    }
    origins.push(origin);
  }
  return origins;
}

function resolveUpstreams(file: ConfigFile, env: NodeJS.ProcessEnv): UpstreamConfig[] {
  const fromFile = new Map((file.upstreams ?? []).map((upstream) => [upstream.name, upstream] as const));
  const result: UpstreamConfig[] = [];
  for (const preset of upstreamPresets) {
    const override = fromFile.get(preset.name);
    fromFile.delete(preset.name);
    if (override?.enabled === false) continue;
    const apiKey =
      override?.apiKey ??
      (override?.apiKeyEnv === undefined ? undefined : env[override.apiKeyEnv]) ??
      preset.keyEnv.map((name) => env[name]).find((value) => value !== undefined && value !== '');
    const baseUrlFromEnv = env[preset.baseUrlEnv];
    const enabled =
      override !== undefined ||
      (apiKey !== undefined && apiKey !== '') ||
      (preset.keyless === true && baseUrlFromEnv !== undefined && baseUrlFromEnv !== '');
    if (!enabled) continue;
    const upstream: UpstreamConfig = {
      name: preset.name,
      displayName: override?.displayName ?? preset.displayName,
      protocol: override?.protocol ?? preset.protocol,
      baseUrl: trimSlash(override?.baseUrl ?? (baseUrlFromEnv || preset.baseUrl)),
      passthrough: override?.passthrough ?? preset.passthrough ?? false,
      models: override?.models ?? {},
    };
    if (apiKey !== undefined && apiKey !== '') upstream.apiKey = apiKey;
    const headers = { ...preset.headers, ...override?.headers };
    if (Object.keys(headers).length > 0) upstream.headers = headers;
    const maxTokensField = override?.maxTokensField ?? preset.maxTokensField;
    if (maxTokensField !== undefined) upstream.maxTokensField = maxTokensField;
    const prefill = override?.prefill ?? preset.prefill;
    if (prefill !== undefined) upstream.prefill = prefill;
    result.push(upstream);
  }
  for (const custom of fromFile.values()) {
    if (custom.enabled === false) continue;
    if (custom.protocol === undefined || custom.baseUrl === undefined) {
      throw new RouterError(
        'config_invalid',
        `upstream "${custom.name}" is not a known vendor, so it needs both protocol and baseUrl`,
      );
    }
    const upstream: UpstreamConfig = {
      name: custom.name,
      displayName: custom.displayName ?? custom.name,
      protocol: custom.protocol,
      baseUrl: trimSlash(custom.baseUrl),
      passthrough: custom.passthrough ?? false,
      models: custom.models ?? {},
    };
    const apiKey = custom.apiKey ?? (custom.apiKeyEnv === undefined ? undefined : env[custom.apiKeyEnv]);
    if (apiKey !== undefined && apiKey !== '') upstream.apiKey = apiKey;
    if (custom.headers !== undefined) upstream.headers = custom.headers;
    if (custom.maxTokensField !== undefined) upstream.maxTokensField = custom.maxTokensField;
    if (custom.prefill !== undefined) upstream.prefill = custom.prefill;
    result.push(upstream);
  }
  return result;
}

/** Aliases whose targets name a router spec must parse as one: a typo would route with the defaults. */
function checkedAliases(aliases: Record<string, string>): Record<string, string> {
  for (const [pattern, target] of Object.entries(aliases)) {
    if (/^(?:openrouter\/)?pareto-code/.test(target) && parseRouterModel(target) === null) {
      throw new RouterError(
        'config_invalid',
        `modelAliases.${pattern}: "${target}" is not a valid router model (pareto-code[@BAR][@VERSION][:nitro])`,
      );
    }
  }
  return aliases;
}

/** `defaults` with every field of `values` that is set. */
function withDefaults<T extends object>(
  defaults: T,
  values: { [K in keyof T]?: T[K] | undefined } | undefined,
): T {
  const result = { ...defaults };
  if (values === undefined) return result;
  for (const key of Object.keys(values) as (keyof T)[]) {
    const value = values[key];
    if (value !== undefined) result[key] = value;
  }
  return result;
}

function trimSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/** `REDIS_URL` / `--redis-url`: a redis:// or rediss:// URL (its password is never echoed back). */
function checkedRedisUrl(value: string): string {
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    throw new RouterError(
      'config_invalid',
      'REDIS_URL (--redis-url) is not a URL; expected redis://HOST:PORT',
    );
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new RouterError(
      'config_invalid',
      `REDIS_URL (--redis-url) must start with redis:// or rediss://, got ${protocol}//`,
    );
  }
  return value;
}

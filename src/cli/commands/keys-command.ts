/**
 * `pareto-router keys create|list|revoke|update`: the gateway keys (`pr-...`) callers send to the router.
 * The store keeps only a key's SHA-256, so `create` is the one moment the secret exists in full: it is
 * printed once and never again; every other view shows the id and the `pr-XXXXXXXX...` label.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { keyLabel } from '../../admin/render-key-info.js';
import { defaultKeyCacheTtlMs } from '../../auth/authenticate-request.js';
import { isRouterError } from '../../core/errors.js';
import {
  type ApiKeyPatch,
  type ApiKeyRecord,
  type ApiKeySettings,
  apiKeySettingFields,
  createApiKeyRecord,
  maxLimitUsd,
  maxRateLimitPerMinute,
  validateApiKeySettings,
} from '../../store/api-key.js';
import type { CliContext } from '../cli-context.js';
import { formatTable, type TableColumn } from '../format-table.js';
import { formatJson, formatUsd, formatUtcTime } from '../format-values.js';
import { createPalette, type Palette } from '../palette.js';
import {
  parseNonNegativeInteger,
  parseNonNegativeNumber,
  parseUnitInterval,
} from '../parse-option-values.js';
import { requireKnownKey } from '../require-known-key.js';
import { UsageError } from '../usage-error.js';
import { addStoreOptions, withCommandStore } from '../with-command-store.js';

/** How long a running router may keep trusting a key it looked up before the change (its key cache). */
const routerKeyCacheSeconds = defaultKeyCacheTtlMs / 1000;

/** One key as `keys ... --json` prints it (documented in docs/cli-json.md): never the secret or its hash. */
export interface KeyReportEntry extends ApiKeySettings {
  id: string;
  label: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

/** `keys create --json`: the only document that ever holds the secret. */
export interface KeyCreateReport {
  key: string;
  record: KeyReportEntry;
}

/** `keys list --json`. */
export interface KeyListReport {
  keys: KeyReportEntry[];
}

/** `keys revoke --json`. */
export interface KeyRevokeReport {
  record: KeyReportEntry;
  alreadyRevoked: boolean;
}

/** `keys update --json`. */
export interface KeyUpdateReport {
  record: KeyReportEntry;
  /** The settings whose value changed, by their `record` field name. */
  changed: (keyof ApiKeySettings)[];
}

/** A key record without its hash, times as ISO 8601. */
export function toKeyReportEntry(record: ApiKeyRecord): KeyReportEntry {
  return {
    id: record.id,
    name: record.name,
    label: keyLabel(record),
    prefix: record.prefix,
    defaultMinCodingScore: record.defaultMinCodingScore,
    preventOverrides: record.preventOverrides,
    allowedModels: [...record.allowedModels],
    excludedModels: [...record.excludedModels],
    limitDailyUsd: record.limitDailyUsd,
    limitMonthlyUsd: record.limitMonthlyUsd,
    limitTotalUsd: record.limitTotalUsd,
    rateLimitPerMinute: record.rateLimitPerMinute,
    createdAt: new Date(record.createdAt).toISOString(),
    revokedAt: record.revokedAt === null ? null : new Date(record.revokedAt).toISOString(),
  };
}

/** The flag that sets each setting, so a refused value is reported as the operator typed it. */
const flagBySetting: Readonly<Record<keyof ApiKeySettings, string>> = {
  name: '--name',
  defaultMinCodingScore: '--min-coding-score',
  preventOverrides: '--prevent-overrides',
  allowedModels: '--allowed-models',
  excludedModels: '--excluded-models',
  limitDailyUsd: '--limit-daily',
  limitMonthlyUsd: '--limit-monthly',
  limitTotalUsd: '--limit-total',
  rateLimitPerMinute: '--rate-limit',
};

const money = (value: number | null): string => (value === null ? 'none' : formatUsd(value));

/** Each setting in words, in the order `create` and `update` print them. */
const settingDescriptions: ReadonlyArray<
  readonly [keyof ApiKeySettings, string, (record: ApiKeySettings) => string]
> = [
  ['name', 'name', (record) => JSON.stringify(record.name)],
  [
    'defaultMinCodingScore',
    'default min coding score',
    (record) => (record.defaultMinCodingScore === null ? 'none' : String(record.defaultMinCodingScore)),
  ],
  ['preventOverrides', 'caller overrides', (record) => (record.preventOverrides ? 'prevented' : 'allowed')],
  [
    'allowedModels',
    'allowed models',
    (record) => (record.allowedModels.length === 0 ? 'any' : record.allowedModels.join(', ')),
  ],
  [
    'excludedModels',
    'excluded models',
    (record) => (record.excludedModels.length === 0 ? 'none' : record.excludedModels.join(', ')),
  ],
  ['limitDailyUsd', 'daily limit', (record) => money(record.limitDailyUsd)],
  ['limitMonthlyUsd', 'monthly limit', (record) => money(record.limitMonthlyUsd)],
  ['limitTotalUsd', 'total limit', (record) => money(record.limitTotalUsd)],
  [
    'rateLimitPerMinute',
    'rate limit',
    (record) =>
      record.rateLimitPerMinute === null ? 'none' : `${record.rateLimitPerMinute} requests/minute`,
  ],
];

/** `a,b` to `['a', 'b']`; an empty entry (`a,,b`, a trailing comma) is a typo, not "no model". */
function parseModelList(raw: string, previous: string[] | undefined): string[] {
  const entries = raw.split(',').map((entry) => entry.trim());
  if (entries.some((entry) => entry === '')) {
    throw new InvalidArgumentError(
      'expected comma-separated model ids or patterns such as anthropic/*,openai/gpt-5*',
    );
  }
  // Repeating the flag adds to the list rather than silently keeping only the last one.
  return [...(previous ?? []), ...entries];
}

function parseUsdLimit(raw: string): number {
  const value = parseNonNegativeNumber(raw);
  if (value > maxLimitUsd) throw new InvalidArgumentError(`expected at most ${maxLimitUsd} USD`);
  return value;
}

function parseRateLimit(raw: string): number {
  const value = parseNonNegativeInteger(raw);
  if (value > maxRateLimitPerMinute) {
    throw new InvalidArgumentError(`expected at most ${maxRateLimitPerMinute} requests per minute`);
  }
  return value;
}

/**
 * For `update`: `none` clears a setting. Commander turns a parser's null into an empty string, so the
 * parser answers with this marker and `keyPatchOf` turns it into null.
 */
const cleared = Symbol('none');
type Cleared = typeof cleared;

function orNone<Value>(parse: (raw: string) => Value): (raw: string) => Value | Cleared {
  return (raw) => (raw === 'none' ? cleared : parse(raw));
}

function valueOrNull<Value>(value: Value | Cleared): Value | null {
  return value === cleared ? null : value;
}

function parseModelListOrNone(raw: string, previous: string[] | undefined): string[] {
  return raw === 'none' ? [] : parseModelList(raw, previous);
}

interface KeySettingOptions {
  name?: string;
  minCodingScore?: number | Cleared;
  preventOverrides?: boolean;
  allowOverrides?: boolean;
  allowedModels?: string[];
  excludedModels?: string[];
  limitDaily?: number | Cleared;
  limitMonthly?: number | Cleared;
  limitTotal?: number | Cleared;
  rateLimit?: number | Cleared;
  json?: boolean;
}

/** The settings the flags name; flags not given are left out. */
export function keyPatchOf(options: KeySettingOptions): ApiKeyPatch {
  const patch: ApiKeyPatch = {};
  if (options.name !== undefined) patch.name = options.name;
  if (options.minCodingScore !== undefined) patch.defaultMinCodingScore = valueOrNull(options.minCodingScore);
  if (options.preventOverrides === true) patch.preventOverrides = true;
  if (options.allowOverrides === true) patch.preventOverrides = false;
  if (options.allowedModels !== undefined) patch.allowedModels = options.allowedModels;
  if (options.excludedModels !== undefined) patch.excludedModels = options.excludedModels;
  if (options.limitDaily !== undefined) patch.limitDailyUsd = valueOrNull(options.limitDaily);
  if (options.limitMonthly !== undefined) patch.limitMonthlyUsd = valueOrNull(options.limitMonthly);
  if (options.limitTotal !== undefined) patch.limitTotalUsd = valueOrNull(options.limitTotal);
  if (options.rateLimit !== undefined) patch.rateLimitPerMinute = valueOrNull(options.rateLimit);
  return patch;
}

/** Runs the store's own validation and reports a refusal with the flag's name, as a usage error. */
function validateFlags(patch: ApiKeyPatch): void {
  try {
    validateApiKeySettings(patch);
  } catch (error) {
    if (!isRouterError(error) || error.code !== 'invalid_request') throw error;
    const field = error.metadata?.field;
    const flag = typeof field === 'string' ? flagBySetting[field as keyof ApiKeySettings] : undefined;
    if (flag === undefined || typeof field !== 'string') throw new UsageError(error.message);
    throw new UsageError(
      `${flag}${error.message.startsWith(field) ? error.message.slice(field.length) : `: ${error.message}`}`,
    );
  }
}

function describeSettings(record: ApiKeySettings): string {
  return settingDescriptions.map(([, label, describe]) => `  ${label}: ${describe(record)}`).join('\n');
}

/** The readable table of `keys list`. */
export function formatKeyList(records: readonly ApiKeyRecord[], colours: Palette): string {
  if (records.length === 0) return 'no keys yet: `pareto-router keys create --name NAME` makes one\n';
  const limit = (value: number | null) => (value === null ? '-' : formatUsd(value));
  const columns: TableColumn<ApiKeyRecord>[] = [
    { header: 'id', value: (record) => record.id },
    { header: 'name', value: (record) => record.name },
    { header: 'key', value: (record) => keyLabel(record) },
    {
      header: 'min score',
      align: 'right',
      value: (record) => (record.defaultMinCodingScore === null ? '-' : String(record.defaultMinCodingScore)),
    },
    { header: 'overrides', value: (record) => (record.preventOverrides ? 'prevented' : 'allowed') },
    {
      header: 'models',
      value: (record) => {
        const parts: string[] = [];
        if (record.allowedModels.length > 0) parts.push(`allow ${record.allowedModels.length}`);
        if (record.excludedModels.length > 0) parts.push(`exclude ${record.excludedModels.length}`);
        return parts.length === 0 ? 'any' : parts.join(', ');
      },
    },
    { header: 'daily', align: 'right', value: (record) => limit(record.limitDailyUsd) },
    { header: 'monthly', align: 'right', value: (record) => limit(record.limitMonthlyUsd) },
    { header: 'total', align: 'right', value: (record) => limit(record.limitTotalUsd) },
    {
      header: 'rate/min',
      align: 'right',
      value: (record) => (record.rateLimitPerMinute === null ? '-' : String(record.rateLimitPerMinute)),
    },
    { header: 'created', value: (record) => formatUtcTime(record.createdAt) },
    {
      header: 'status',
      value: (record) =>
        record.revokedAt === null ? 'active' : `revoked ${formatUtcTime(record.revokedAt)}`,
      colour: (text, record, palette) =>
        record.revokedAt === null ? palette.green(text) : palette.red(text),
    },
  ];
  const active = records.filter((record) => record.revokedAt === null).length;
  const title = `${records.length} key${records.length === 1 ? '' : 's'} (${active} active)`;
  return `${colours.bold(title)}\n\n${formatTable(columns, records, colours)}`;
}

function printJson(context: CliContext, value: unknown): void {
  context.stdout(formatJson(value));
}

function addSettingFlags(command: Command, forUpdate: boolean): Command {
  const nullable = <Value>(parse: (raw: string) => Value) => (forUpdate ? orNone(parse) : parse);
  const clear = forUpdate ? '; none clears it' : '';
  return command
    .addOption(
      new Option(
        '--min-coding-score <score>',
        `default bar when the caller sends none, 0..1${clear}`,
      ).argParser(nullable(parseUnitInterval)),
    )
    .option('--prevent-overrides', "callers may not loosen the key's bar and model lists")
    .addOption(
      new Option(
        '--allowed-models <list>',
        `comma-separated model ids or patterns the key may reach (anthropic/*)${forUpdate ? '; none lifts the restriction' : ''}`,
      ).argParser(forUpdate ? parseModelListOrNone : parseModelList),
    )
    .addOption(
      new Option(
        '--excluded-models <list>',
        `comma-separated model ids or patterns the key never reaches${forUpdate ? '; none clears the list' : ''}`,
      ).argParser(forUpdate ? parseModelListOrNone : parseModelList),
    )
    .addOption(
      new Option('--limit-daily <usd>', `spend limit per UTC day, USD${clear}`).argParser(
        nullable(parseUsdLimit),
      ),
    )
    .addOption(
      new Option('--limit-monthly <usd>', `spend limit per UTC month, USD${clear}`).argParser(
        nullable(parseUsdLimit),
      ),
    )
    .addOption(
      new Option('--limit-total <usd>', `spend limit over the key's life, USD${clear}`).argParser(
        nullable(parseUsdLimit),
      ),
    )
    .addOption(
      new Option('--rate-limit <per-minute>', `requests per minute${clear}`).argParser(
        nullable(parseRateLimit),
      ),
    )
    .option('--json', 'print JSON (see docs/cli-json.md)');
}

/** Adds `keys create|list|revoke|update` to the program. */
export function registerKeysCommand(program: Command, context: CliContext): void {
  const keys = program
    .command('keys')
    .description('create, list, revoke and update the API keys callers send to the router');

  const create = keys
    .command('create')
    .description('create a key; the key is printed once and only its hash is stored')
    .requiredOption('--name <name>', 'a name to tell the key apart (who or what uses it)');
  addStoreOptions(addSettingFlags(create, false)).action(
    async (options: KeySettingOptions, self: Command) => {
      const patch = keyPatchOf(options);
      validateFlags(patch);
      const name = patch.name ?? '';
      const { key, record } = createApiKeyRecord({ ...patch, name }, context.now());
      const isFirst = await withCommandStore(self, context, { mustExist: false }, async (store) => {
        const existing = await store.listKeys();
        await store.createKey(record);
        return existing.length === 0;
      });
      if (options.json === true) {
        printJson(context, { key, record: toKeyReportEntry(record) } satisfies KeyCreateReport);
        context.stderr('store the key now: it will not be shown again\n');
        return;
      }
      const colours = createPalette(context.colour);
      const lines = [
        `created key ${record.id} ${JSON.stringify(record.name)}`,
        '',
        `  ${colours.bold(key)}`,
        '',
        colours.yellow('Store it now: it will not be shown again. Only its SHA-256 hash is kept.'),
        '',
        describeSettings(record),
      ];
      if (isFirst) {
        lines.push(
          '',
          'This is the first key of this store: the router leaves open mode, and every request must now carry a key.',
        );
      }
      context.stdout(`${lines.join('\n')}\n`);
    },
  );

  const list = keys
    .command('list')
    .description('list the keys (id, name, label, limits, created, revoked); never the key itself')
    .option('--json', 'print JSON (see docs/cli-json.md)');
  addStoreOptions(list).action(async (options: { json?: boolean }, self: Command) => {
    const records = await withCommandStore(self, context, { mustExist: true }, (store) => store.listKeys());
    if (options.json === true)
      printJson(context, { keys: records.map(toKeyReportEntry) } satisfies KeyListReport);
    else context.stdout(formatKeyList(records, createPalette(context.colour)));
  });

  const revoke = keys
    .command('revoke <id>')
    .description('revoke a key: requests carrying it are refused from then on')
    .option('--json', 'print JSON (see docs/cli-json.md)');
  addStoreOptions(revoke).action(async (id: string, options: { json?: boolean }, self: Command) => {
    const { record, alreadyRevoked } = await withCommandStore(
      self,
      context,
      { mustExist: true },
      async (store) => {
        const before = await requireKnownKey(store, id);
        if (before.revokedAt !== null) return { record: before, alreadyRevoked: true };
        await store.revokeKey(id, context.now());
        return { record: await requireKnownKey(store, id), alreadyRevoked: false };
      },
    );
    if (options.json === true) {
      printJson(context, { record: toKeyReportEntry(record), alreadyRevoked } satisfies KeyRevokeReport);
      return;
    }
    const who = `${record.id} (${JSON.stringify(record.name)}, ${keyLabel(record)})`;
    const revokedAt = formatUtcTime(record.revokedAt ?? context.now());
    context.stdout(
      alreadyRevoked
        ? `key ${who} was already revoked at ${revokedAt}; nothing changed\n`
        : `revoked key ${who} at ${revokedAt}: a running router refuses it within ${routerKeyCacheSeconds} seconds\n`,
    );
  });

  const update = keys
    .command('update <id>')
    .description('change the settings of a key; flags not given keep their value')
    .option('--name <name>', 'a new name')
    .addOption(
      new Option('--allow-overrides', "callers may loosen the key's defaults again").conflicts(
        'preventOverrides',
      ),
    );
  addStoreOptions(addSettingFlags(update, true)).action(
    async (id: string, options: KeySettingOptions, self: Command) => {
      const patch = keyPatchOf(options);
      if (Object.keys(patch).length === 0) {
        const flags = Object.values(flagBySetting).concat('--allow-overrides');
        throw new UsageError(`keys update ${id} changes nothing; give at least one of ${flags.join(', ')}`);
      }
      validateFlags(patch);
      const { before, after } = await withCommandStore(self, context, { mustExist: true }, async (store) => {
        const current = await requireKnownKey(store, id);
        const updated = (await store.updateKey(id, patch)) ?? (await requireKnownKey(store, id));
        return { before: current, after: updated };
      });
      const changed = apiKeySettingFields.filter(
        (field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]),
      );
      if (options.json === true) {
        printJson(context, { record: toKeyReportEntry(after), changed } satisfies KeyUpdateReport);
        return;
      }
      const lines = [
        changed.length === 0
          ? `key ${after.id} (${JSON.stringify(after.name)}) already had these settings; nothing changed`
          : `updated key ${after.id} (${JSON.stringify(after.name)}):`,
      ];
      for (const [field, label, describe] of settingDescriptions) {
        if (changed.includes(field)) lines.push(`  ${label}: ${describe(before)} -> ${describe(after)}`);
      }
      if (after.revokedAt !== null)
        lines.push(`note: this key was revoked at ${formatUtcTime(after.revokedAt)}`);
      if (changed.length > 0)
        lines.push(`a running router applies the change within ${routerKeyCacheSeconds} seconds`);
      context.stdout(`${lines.join('\n')}\n`);
    },
  );
}

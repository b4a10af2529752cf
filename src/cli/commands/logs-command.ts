/**
 * `pareto-router logs`: the newest records of the request log, as a table (what answered, what it cost,
 * how long it took, how it ended) or as JSON with every field of each record.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { RouterError } from '../../core/errors.js';
import type { RequestRecord } from '../../store/request-record.js';
import { maxRequestQueryLimit, type RequestQuery, type RequestStore } from '../../store/request-store.js';
import type { CliContext } from '../cli-context.js';
import { formatTable, type TableColumn } from '../format-table.js';
import {
  formatCost,
  formatCount,
  formatDuration,
  formatJson,
  formatTokenCount,
  formatUtcTime,
} from '../format-values.js';
import { createPalette, type Palette } from '../palette.js';
import { isTierName, parsePositiveInteger } from '../parse-option-values.js';
import { parseSince, resolveSince, type SinceSpec } from '../parse-since.js';
import { readUnstoredRecords, type UnstoredRecords } from '../read-unstored-records.js';
import { requireKnownKey } from '../require-known-key.js';
import { colourTier } from '../tier-colour.js';
import { UsageError } from '../usage-error.js';
import { addStoreOptions, withCommandStore } from '../with-command-store.js';

export const defaultLogsLimit = 50;

/** One record of `logs --json`: the stored record, `createdAt` as ISO 8601. */
export type LogsReportEntry = Omit<RequestRecord, 'createdAt'> & { createdAt: string };

/** The whole `logs --json` document (documented in docs/cli-json.md). */
export interface LogsReport {
  since: string | null;
  model: string | null;
  keyId: string | null;
  limit: number;
  /** How many records match the filters; more than `records.length` when `limit` cut the list. */
  matched: number;
  records: LogsReportEntry[];
}

export interface LogsFilter {
  since?: number;
  model?: string;
  keyId?: string;
  limit: number;
}

/** Reads the records a `logs` call selects, newest first, and how many match in all. */
export async function buildLogsReport(store: RequestStore, filter: LogsFilter): Promise<LogsReport> {
  const query: RequestQuery = { limit: filter.limit };
  if (filter.since !== undefined) query.since = filter.since;
  if (filter.model !== undefined) query.model = filter.model;
  if (filter.keyId !== undefined) query.keyId = filter.keyId;
  const records = await store.queryRequests(query);
  // The count comes from the same aggregate `spend` uses, so it costs one grouped query, not a scan here.
  const groups = await store.spend({
    by: 'model',
    ...(filter.since === undefined ? {} : { since: filter.since }),
    ...(filter.keyId === undefined ? {} : { keyId: filter.keyId }),
  });
  const matched = groups
    .filter((group) => filter.model === undefined || group.group === filter.model)
    .reduce((sum, group) => sum + group.requests, 0);
  return {
    since: filter.since === undefined ? null : new Date(filter.since).toISOString(),
    model: filter.model ?? null,
    keyId: filter.keyId ?? null,
    limit: filter.limit,
    matched: Math.max(matched, records.length),
    records: records.map((record) => ({ ...record, createdAt: new Date(record.createdAt).toISOString() })),
  };
}

/** How a request ended: the error code and status when it failed, else the finish reason. */
export function describeOutcome(
  record: Pick<RequestRecord, 'errorCode' | 'status' | 'finishReason'>,
): string {
  if (record.errorCode !== null) return `${record.errorCode} (${record.status})`;
  if (record.status >= 400) return `HTTP ${record.status}`;
  return record.finishReason ?? '-';
}

function describeFilters(report: LogsReport): string {
  const parts: string[] = [];
  if (report.since !== null) parts.push(`since ${formatUtcTime(Date.parse(report.since))}`);
  if (report.model !== null) parts.push(`answered by ${report.model}`);
  if (report.keyId !== null) parts.push(`with key ${report.keyId}`);
  return parts.length === 0 ? '' : ` ${parts.join(', ')}`;
}

/** The readable table of a logs report. */
export function formatLogsReport(report: LogsReport, colours: Palette): string {
  const filters = describeFilters(report);
  if (report.records.length === 0) return `no requests logged${filters}\n`;
  const failed = (entry: LogsReportEntry) => entry.errorCode !== null || entry.status >= 400;
  const columns: TableColumn<LogsReportEntry>[] = [
    { header: 'time (UTC)', value: (entry) => formatUtcTime(Date.parse(entry.createdAt)).slice(0, -1) },
    { header: 'generation', value: (entry) => entry.id },
    { header: 'key', value: (entry) => entry.keyId ?? '-' },
    {
      header: 'tier',
      value: (entry) => entry.tier ?? '-',
      colour: (text, entry, palette) =>
        colourTier(text, entry.tier !== null && isTierName(entry.tier) ? entry.tier : null, palette),
    },
    { header: 'model', value: (entry) => entry.model ?? '-' },
    { header: 'tries', align: 'right', value: (entry) => String(entry.attempts.length) },
    { header: 'in', align: 'right', value: (entry) => formatTokenCount(entry.promptTokens) },
    { header: 'cached', align: 'right', value: (entry) => formatTokenCount(entry.cachedTokens) },
    { header: 'out', align: 'right', value: (entry) => formatTokenCount(entry.completionTokens) },
    { header: 'cost', align: 'right', value: (entry) => formatCost(entry.costUsd) },
    { header: 'latency', align: 'right', value: (entry) => formatDuration(entry.latencyMs) },
    {
      header: 'finish / error',
      value: (entry) => describeOutcome(entry),
      colour: (text, entry, palette) => (failed(entry) ? palette.red(text) : text),
    },
  ];
  const shown = report.records.length;
  const title =
    shown < report.matched
      ? `${shown} newest of ${formatCount(report.matched)} requests${filters} (--limit shows more)`
      : `${shown} request${shown === 1 ? '' : 's'}${filters}, newest first`;
  return `${colours.bold(title)}\n\n${formatTable(columns, report.records, colours)}`;
}

function parseLogsLimit(raw: string): number {
  const value = parsePositiveInteger(raw);
  if (value > maxRequestQueryLimit)
    throw new InvalidArgumentError(`expected at most ${maxRequestQueryLimit}`);
  return value;
}

interface LogsOptions {
  since?: SinceSpec;
  model?: string;
  key?: string;
  limit?: number;
  json?: boolean;
  restore?: string;
}

/** Adds `logs` to the program. */
export function registerLogsCommand(program: Command, context: CliContext): void {
  const command = program
    .command('logs')
    .description('recent requests from the request log, newest first')
    .addOption(
      new Option(
        '--since <when>',
        'only requests since then: 30m, 1h, 2d, 1w or an ISO date (UTC unless an offset is given)',
      ).argParser(parseSince),
    )
    .option('--model <id>', 'only requests this model answered')
    .option('--key <id>', 'only requests made with this key id (see keys list)')
    .addOption(
      new Option(
        '--limit <n>',
        `at most this many records, 1..${maxRequestQueryLimit} (default ${defaultLogsLimit})`,
      ).argParser(parseLogsLimit),
    )
    .option('--json', 'print JSON (see docs/cli-json.md)')
    .option(
      '--restore <file>',
      'store the records a router wrote to FILE (its JSON log) as unstored_request lines when it could not store them; records already in the log are left as they are',
    );
  addStoreOptions(command).action(async (options: LogsOptions, self: Command) => {
    if (options.restore !== undefined) {
      await restoreUnstored(self, context, options);
      return;
    }
    const filter: LogsFilter = { limit: options.limit ?? defaultLogsLimit };
    if (options.since !== undefined) filter.since = resolveSince(options.since, context.now());
    if (options.model !== undefined) filter.model = options.model;
    if (options.key !== undefined) filter.keyId = options.key;
    const report = await withCommandStore(self, context, { mustExist: true }, async (store) => {
      if (filter.keyId !== undefined) await requireKnownKey(store, filter.keyId);
      return buildLogsReport(store, filter);
    });
    if (options.json === true) context.stdout(formatJson(report));
    else context.stdout(formatLogsReport(report, createPalette(context.colour)));
  });
}

/** How many records one store write carries during `--restore`. */
const restoreBatchSize = 500;

/** The `logs --restore` result as `--json` prints it. */
export interface RestoreReport {
  file: string;
  /** Records found and stored (or already there: the store keeps the first copy of an id). */
  restored: number;
  /** Lines that carried `unstored_request` without a storable record. */
  invalid: { line: number; problem: string }[];
}

async function restoreUnstored(self: Command, context: CliContext, options: LogsOptions): Promise<void> {
  const file = options.restore as string;
  if (
    options.since !== undefined ||
    options.model !== undefined ||
    options.key !== undefined ||
    options.limit !== undefined
  ) {
    throw new UsageError(
      '--restore reads a log file into the request log; it takes no --since, --model, --key or --limit',
    );
  }
  let found: UnstoredRecords;
  try {
    found = await readUnstoredRecords(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const location = await withCommandStore(self, context, { mustExist: false }, async (store, where) => {
    for (let start = 0; start < found.records.length; start += restoreBatchSize) {
      await store.insertRequests(found.records.slice(start, start + restoreBatchSize));
    }
    return where;
  });
  const report: RestoreReport = { file, restored: found.records.length, invalid: found.invalid };
  if (options.json === true) {
    context.stdout(formatJson(report));
  } else {
    context.stdout(`restored ${report.restored} record(s) from ${file} into ${location.description}\n`);
    for (const { line, problem } of found.invalid) context.stderr(`line ${line} skipped: ${problem}\n`);
  }
  if (found.invalid.length > 0) {
    throw new RouterError(
      'invalid_request',
      `${found.invalid.length} unstored_request line(s) held no storable record and were skipped`,
    );
  }
}

/**
 * `pareto-router spend`: what the logged requests cost, totalled per model, tier, key or UTC day. The
 * sums are the store's own aggregate, the same numbers the key budgets are checked against.
 */
import { type Command, Option } from 'commander';
import {
  noneGroup,
  type RequestStore,
  type SpendGrouping,
  type SpendQuery,
  type SpendRow,
} from '../../store/request-store.js';
import type { CliContext } from '../cli-context.js';
import { formatTable, type TableColumn } from '../format-table.js';
import { formatCost, formatCount, formatJson, formatTokenCount, formatUtcTime } from '../format-values.js';
import { createPalette, type Palette } from '../palette.js';
import { parseSince, resolveSince, type SinceSpec } from '../parse-since.js';
import { requireKnownKey } from '../require-known-key.js';
import { addStoreOptions, withCommandStore } from '../with-command-store.js';

export const spendGroupings: readonly SpendGrouping[] = ['model', 'tier', 'key', 'day'];

/** One group of `spend --json`. */
export interface SpendReportRow extends SpendRow {
  /** The key's name when grouping by key (null for `(none)` and for ids the store no longer knows). */
  name: string | null;
}

export interface SpendTotals {
  requests: number;
  costUsd: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

/** The whole `spend --json` document (documented in docs/cli-json.md). */
export interface SpendReport {
  by: SpendGrouping;
  since: string | null;
  keyId: string | null;
  rows: SpendReportRow[];
  total: SpendTotals;
}

export interface SpendFilter {
  by: SpendGrouping;
  since?: number;
  keyId?: string;
}

/** Totals per group and overall for a `spend` call. */
export async function buildSpendReport(store: RequestStore, filter: SpendFilter): Promise<SpendReport> {
  const query: SpendQuery = { by: filter.by };
  if (filter.since !== undefined) query.since = filter.since;
  if (filter.keyId !== undefined) query.keyId = filter.keyId;
  const rows = await store.spend(query);
  const names =
    filter.by === 'key'
      ? new Map((await store.listKeys()).map((key) => [key.id, key.name] as const))
      : new Map<string, string>();
  const total: SpendTotals = {
    requests: 0,
    costUsd: 0,
    promptTokens: 0,
    completionTokens: 0,
    cachedTokens: 0,
  };
  for (const row of rows) {
    total.requests += row.requests;
    total.costUsd += row.costUsd;
    total.promptTokens += row.promptTokens;
    total.completionTokens += row.completionTokens;
    total.cachedTokens += row.cachedTokens;
  }
  return {
    by: filter.by,
    since: filter.since === undefined ? null : new Date(filter.since).toISOString(),
    keyId: filter.keyId ?? null,
    rows: rows.map((row) => ({ ...row, name: names.get(row.group) ?? null })),
    total,
  };
}

/** The readable table of a spend report, with a total line. */
export function formatSpendReport(report: SpendReport, colours: Palette): string {
  const scope = [
    report.since === null ? 'all logged requests' : `since ${formatUtcTime(Date.parse(report.since))}`,
    ...(report.keyId === null ? [] : [`key ${report.keyId}`]),
  ].join(', ');
  if (report.rows.length === 0) return `no requests logged (${scope})\n`;
  type Line = SpendReportRow & { isTotal: boolean };
  const share = (line: Line) =>
    report.total.costUsd === 0 ? '-' : `${((line.costUsd / report.total.costUsd) * 100).toFixed(1)}%`;
  const columns: TableColumn<Line>[] = [
    {
      header: report.by,
      value: (line) => line.group,
      colour: (text, line, palette) =>
        line.isTotal ? palette.bold(text) : line.group === noneGroup ? palette.dim(text) : text,
    },
    ...(report.by === 'key' ? [{ header: 'name', value: (line: Line) => line.name ?? '' }] : []),
    { header: 'requests', align: 'right', value: (line) => formatCount(line.requests) },
    {
      header: 'cost',
      align: 'right',
      value: (line) => formatCost(line.costUsd),
      colour: (text, _line, palette) => palette.bold(text),
    },
    { header: 'share', align: 'right', value: share },
    {
      header: 'per request',
      align: 'right',
      value: (line) => (line.requests === 0 ? '-' : formatCost(line.costUsd / line.requests)),
    },
    { header: 'input', align: 'right', value: (line) => formatTokenCount(line.promptTokens) },
    { header: 'cached', align: 'right', value: (line) => formatTokenCount(line.cachedTokens) },
    { header: 'output', align: 'right', value: (line) => formatTokenCount(line.completionTokens) },
  ];
  const lines: Line[] = report.rows.map((row) => ({ ...row, isTotal: false }));
  lines.push({ ...report.total, group: 'total', name: null, isTotal: true });
  const title = `spend by ${report.by}, ${scope}: ${formatCost(report.total.costUsd)} over ${formatCount(report.total.requests)} requests`;
  const footer = colours.dim(
    report.by === 'day' ? 'days are UTC dates; input includes cached tokens' : 'input includes cached tokens',
  );
  return `${colours.bold(title)}\n\n${formatTable(columns, lines, colours)}\n${footer}\n`;
}

interface SpendOptions {
  by?: SpendGrouping;
  since?: SinceSpec;
  key?: string;
  json?: boolean;
}

/** Adds `spend` to the program. */
export function registerSpendCommand(program: Command, context: CliContext): void {
  const command = program
    .command('spend')
    .description('what the logged requests cost, per model, tier, key or UTC day')
    .addOption(
      new Option('--by <grouping>', 'group by model, tier, key or day (default model)').choices(
        spendGroupings,
      ),
    )
    .addOption(
      new Option(
        '--since <when>',
        'only requests since then: 30m, 1h, 2d, 1w or an ISO date (UTC unless an offset is given); default all',
      ).argParser(parseSince),
    )
    .option('--key <id>', 'only requests made with this key id (see keys list)')
    .option('--json', 'print JSON (see docs/cli-json.md)');
  addStoreOptions(command).action(async (options: SpendOptions, self: Command) => {
    const filter: SpendFilter = { by: options.by ?? 'model' };
    if (options.since !== undefined) filter.since = resolveSince(options.since, context.now());
    if (options.key !== undefined) filter.keyId = options.key;
    const report = await withCommandStore(self, context, { mustExist: true }, async (store) => {
      if (filter.keyId !== undefined) await requireKnownKey(store, filter.keyId);
      return buildSpendReport(store, filter);
    });
    if (options.json === true) context.stdout(formatJson(report));
    else context.stdout(formatSpendReport(report, createPalette(context.colour)));
  });
}

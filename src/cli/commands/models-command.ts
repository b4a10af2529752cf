/** `pareto-router models`: the shortlist (or every model) with tier, percentile, prices and capabilities. */
import { type Command, Option } from 'commander';
import type { IndexedModel, ModelCapabilities, ModelIndex } from '../../core/model-index.js';
import { defaultTierCutoffs, type TierCutoffs, type TierName, tierOf } from '../../core/tiers.js';
import type { CliContext } from '../cli-context.js';
import { formatTable, type TableColumn } from '../format-table.js';
import { formatJson, formatPercentile, formatPricePerMillion, formatTokenCount } from '../format-values.js';
import { addSnapshotOptions, loadCommandIndex } from '../load-command-index.js';
import { createPalette, type Palette } from '../palette.js';
import { parseTierChoice, type TierChoice, tierOfChoice } from '../parse-option-values.js';
import { colourTier } from '../tier-colour.js';

/** One row of `models --json` (documented in docs/cli-json.md). */
export interface ModelsReportEntry {
  id: string;
  name: string;
  tier: TierName | null;
  codingPercentile: number | null;
  codingScore: number | null;
  pricing: { input: number; output: number; cacheRead: number | null; cacheWrite: number | null };
  blendedPrice: number;
  contextLength: number;
  maxOutputTokens: number;
  capabilities: ModelCapabilities;
  shortlist: boolean;
  onFrontier: boolean;
}

/** The whole `models --json` document. */
export interface ModelsReport {
  snapshotVersion: string;
  createdAt: string;
  cutoffs: TierCutoffs;
  scope: 'shortlist' | 'all';
  tier: TierName | null;
  models: ModelsReportEntry[];
}

export interface ModelsSelection {
  all: boolean;
  tier?: TierName | undefined;
}

/** The models a `models` call lists, best percentile first (unbenchmarked last), then cheapest. */
export function buildModelsReport(
  index: ModelIndex,
  selection: ModelsSelection,
  cutoffs: TierCutoffs = defaultTierCutoffs,
): ModelsReport {
  const source = selection.all ? index.models : index.shortlist;
  const entries = source
    .map((model) => toEntry(model, cutoffs))
    .filter((entry) => selection.tier === undefined || entry.tier === selection.tier)
    .sort(
      (a, b) =>
        (b.codingPercentile ?? -1) - (a.codingPercentile ?? -1) ||
        a.blendedPrice - b.blendedPrice ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  return {
    snapshotVersion: index.version,
    createdAt: index.createdAt,
    cutoffs: { ...cutoffs },
    scope: selection.all ? 'all' : 'shortlist',
    tier: selection.tier ?? null,
    models: entries,
  };
}

function toEntry(model: IndexedModel, cutoffs: TierCutoffs): ModelsReportEntry {
  return {
    id: model.id,
    name: model.name,
    tier: model.codingPercentile === null ? null : tierOf(model.codingPercentile, cutoffs),
    codingPercentile: model.codingPercentile,
    codingScore: model.codingScore,
    pricing: {
      input: model.pricing.input,
      output: model.pricing.output,
      cacheRead: model.pricing.cacheRead ?? null,
      cacheWrite: model.pricing.cacheWrite ?? null,
    },
    blendedPrice: model.blendedPrice,
    contextLength: model.contextLength,
    maxOutputTokens: model.maxOutputTokens,
    capabilities: { ...model.capabilities },
    shortlist: model.shortlist,
    onFrontier: model.onFrontier,
  };
}

/** Capabilities as four fixed letters, `-` where absent, so the column lines up: T S R I. */
export function formatCapabilities(capabilities: ModelCapabilities): string {
  return [
    capabilities.tools ? 'T' : '-',
    capabilities.structuredOutput ? 'S' : '-',
    capabilities.reasoning ? 'R' : '-',
    capabilities.imageInput ? 'I' : '-',
  ].join('');
}

/** The readable table of a models report. */
export function formatModelsReport(report: ModelsReport, colours: Palette): string {
  const columns: TableColumn<ModelsReportEntry>[] = [
    { header: 'model', value: (entry) => entry.id },
    {
      header: 'tier',
      value: (entry) => entry.tier ?? '-',
      colour: (text, entry, palette) => colourTier(text, entry.tier, palette),
    },
    { header: 'coding', align: 'right', value: (entry) => formatPercentile(entry.codingPercentile) },
    { header: 'input', align: 'right', value: (entry) => formatPricePerMillion(entry.pricing.input) },
    { header: 'output', align: 'right', value: (entry) => formatPricePerMillion(entry.pricing.output) },
    {
      header: 'cache read',
      align: 'right',
      value: (entry) =>
        entry.pricing.cacheRead === null ? '-' : formatPricePerMillion(entry.pricing.cacheRead),
    },
    { header: 'blended', align: 'right', value: (entry) => formatPricePerMillion(entry.blendedPrice) },
    { header: 'context', align: 'right', value: (entry) => formatTokenCount(entry.contextLength) },
    { header: 'max out', align: 'right', value: (entry) => formatTokenCount(entry.maxOutputTokens) },
    { header: 'caps', value: (entry) => formatCapabilities(entry.capabilities) },
    {
      header: 'frontier',
      value: (entry) => (entry.onFrontier ? '*' : ''),
      colour: (text, _entry, palette) => palette.yellow(text),
    },
  ];
  const scope = report.scope === 'all' ? 'all models' : 'shortlist';
  const tier = report.tier === null ? '' : `, ${report.tier} tier`;
  const title = `snapshot ${report.snapshotVersion}: ${report.models.length} models (${scope}${tier})`;
  const footer = [
    'prices: USD per million tokens; blended = (3 x input + output) / 4; coding: percentile in 0..1',
    'caps: T tools, S structured output, R reasoning, I image input; frontier *: on the Pareto frontier',
  ]
    .map((line) => colours.dim(line))
    .join('\n');
  if (report.models.length === 0) return `${title}\n`;
  return `${colours.bold(title)}\n\n${formatTable(columns, report.models, colours)}\n${footer}\n`;
}

interface ModelsOptions {
  tier?: TierChoice;
  all?: boolean;
  json?: boolean;
}

/** Adds `models` to the program. */
export function registerModelsCommand(program: Command, context: CliContext): void {
  const command = program
    .command('models')
    .description('list the shortlist with tier, coding percentile, prices, context and capabilities')
    .addOption(
      new Option(
        '--tier <tier>',
        'only this tier: high, medium, low (or quick, balanced, reasoning)',
      ).argParser(parseTierChoice),
    )
    .option('--all', 'every model of the snapshot, not only the shortlist')
    .option('--json', 'print JSON (see docs/cli-json.md)');
  addSnapshotOptions(command).action(async (options: ModelsOptions, self: Command) => {
    const index = await loadCommandIndex(self, context);
    const report = buildModelsReport(index, {
      all: options.all === true,
      tier: options.tier === undefined ? undefined : tierOfChoice(options.tier, defaultTierCutoffs),
    });
    if (options.json === true) context.stdout(formatJson(report));
    else context.stdout(formatModelsReport(report, createPalette(context.colour)));
  });
}

/** `pareto-router frontier`: the price/quality Pareto frontier of the shortlist, as a table and a chart. */
import type { Command } from 'commander';
import type { ModelIndex } from '../../core/model-index.js';
import { dominatorOf } from '../../core/pareto-frontier.js';
import { defaultRoutePolicy } from '../../core/route.js';
import { defaultTierCutoffs, type TierCutoffs, tierOf } from '../../core/tiers.js';
import { buildFrontierData } from '../../dashboard/build-frontier-data.js';
import type { FrontierChartPoint } from '../../dashboard/frontier-chart-spec.js';
import { renderFrontierSvg } from '../../dashboard/render-frontier-svg.js';
import type { CliContext } from '../cli-context.js';
import { formatTable } from '../format-table.js';
import { formatJson, formatPercentile, formatPricePerMillion } from '../format-values.js';
import { addSnapshotOptions, loadCommandIndex } from '../load-command-index.js';
import { createPalette, type Palette } from '../palette.js';
import { colourTier } from '../tier-colour.js';
import { UsageError } from '../usage-error.js';

/** One benchmarked shortlist model of `frontier --json`: the placement fields of a chart point. */
export type FrontierEntry = Pick<
  FrontierChartPoint,
  'id' | 'name' | 'tier' | 'codingPercentile' | 'blendedPrice' | 'onFrontier' | 'dominatedBy'
>;

/** The whole `frontier --json` document. */
export interface FrontierReport {
  snapshotVersion: string;
  createdAt: string;
  cutoffs: TierCutoffs;
  /** Frontier models first (cheapest first), then dominated ones (cheapest first). */
  models: FrontierEntry[];
  /** Shortlist models without a coding percentile: they cannot be placed on the chart. */
  unbenchmarked: string[];
  /** Where the SVG chart was written, when `--svg` was given. */
  svgFile: string | null;
}

function compareEntries(a: FrontierEntry, b: FrontierEntry): number {
  return (
    a.blendedPrice - b.blendedPrice ||
    b.codingPercentile - a.codingPercentile ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** The frontier of an index's shortlist, with the model that dominates each dominated one. */
export function buildFrontierReport(
  index: ModelIndex,
  cutoffs: TierCutoffs = defaultTierCutoffs,
): FrontierReport {
  const entries: FrontierEntry[] = [];
  const unbenchmarked: string[] = [];
  for (const model of index.shortlist) {
    if (model.codingPercentile === null) {
      unbenchmarked.push(model.id);
      continue;
    }
    entries.push({
      id: model.id,
      name: model.name,
      tier: tierOf(model.codingPercentile, cutoffs),
      codingPercentile: model.codingPercentile,
      blendedPrice: model.blendedPrice,
      onFrontier: model.onFrontier,
      dominatedBy: null,
    });
  }
  const frontier = entries.filter((entry) => entry.onFrontier).sort(compareEntries);
  const dominated = entries.filter((entry) => !entry.onFrontier).sort(compareEntries);
  for (const entry of dominated) entry.dominatedBy = dominatorOf(entry, frontier);
  return {
    snapshotVersion: index.version,
    createdAt: index.createdAt,
    cutoffs: { ...cutoffs },
    models: [...frontier, ...dominated],
    unbenchmarked: unbenchmarked.sort(),
    svgFile: null,
  };
}

/** Who dominates a model and how (`x (better and cheaper)`); empty on the frontier. */
export function describeDominator(
  model: Pick<FrontierEntry, 'dominatedBy' | 'codingPercentile' | 'blendedPrice'>,
  models: readonly Pick<FrontierEntry, 'id' | 'codingPercentile' | 'blendedPrice'>[],
): string {
  if (model.dominatedBy === null) return '';
  const dominator = models.find((other) => other.id === model.dominatedBy);
  if (dominator === undefined) return model.dominatedBy;
  const quality = dominator.codingPercentile > model.codingPercentile ? 'better' : 'as good';
  const price = dominator.blendedPrice < model.blendedPrice ? 'cheaper' : 'as cheap';
  return `${dominator.id} (${quality} and ${price})`;
}

/** The readable table of a frontier report. */
export function formatFrontierReport(report: FrontierReport, colours: Palette): string {
  const frontierCount = report.models.filter((entry) => entry.onFrontier).length;
  const lines = [
    colours.bold(
      `snapshot ${report.snapshotVersion}: ${frontierCount} of ${report.models.length} benchmarked shortlist models on the Pareto frontier`,
    ),
    '',
    formatTable<FrontierEntry>(
      [
        {
          header: 'frontier',
          value: (entry) => (entry.onFrontier ? '*' : 'dominated'),
          colour: (text, entry, palette) => (entry.onFrontier ? palette.yellow(text) : palette.dim(text)),
        },
        { header: 'model', value: (entry) => entry.id },
        {
          header: 'tier',
          value: (entry) => entry.tier,
          colour: (text, entry, palette) => colourTier(text, entry.tier, palette),
        },
        { header: 'coding', align: 'right', value: (entry) => formatPercentile(entry.codingPercentile) },
        { header: 'blended', align: 'right', value: (entry) => formatPricePerMillion(entry.blendedPrice) },
        {
          header: 'dominated by',
          value: (entry) => describeDominator(entry, report.models),
          colour: (text, _entry, palette) => palette.dim(text),
        },
      ],
      report.models,
      colours,
    ).trimEnd(),
    '',
    colours.dim('blended: USD per million tokens, (3 x input + output) / 4; coding: percentile in 0..1'),
    colours.dim(
      'dominated: another model is no dearer and codes at least as well (the pareto rule never routes there first)',
    ),
  ];
  if (report.unbenchmarked.length > 0) {
    lines.push(colours.dim(`not placed (no coding benchmark): ${report.unbenchmarked.join(', ')}`));
  }
  if (report.svgFile !== null) lines.push(`chart written to ${report.svgFile}`);
  return `${lines.join('\n')}\n`;
}

interface FrontierOptions {
  svg?: string;
  json?: boolean;
}

/** Adds `frontier` to the program. */
export function registerFrontierCommand(program: Command, context: CliContext): void {
  const command = program
    .command('frontier')
    .description('show the price/quality Pareto frontier of the shortlist; --svg writes it as a chart')
    .option('--svg <file>', 'also write the chart as an SVG file')
    .option('--json', 'print JSON (see docs/cli-json.md)');
  addSnapshotOptions(command).action(async (options: FrontierOptions, self: Command) => {
    const index = await loadCommandIndex(self, context);
    const report = buildFrontierReport(index);
    if (options.svg !== undefined) {
      // The dashboard's chart, from the same spec; picks as route() makes them with no live state.
      const svg = renderFrontierSvg(
        buildFrontierData(index, { ...defaultRoutePolicy, cutoffs: report.cutoffs }),
      );
      try {
        await context.writeTextFile(options.svg, svg);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        throw new UsageError(`cannot write --svg "${options.svg}": ${why}`);
      }
      report.svgFile = options.svg;
    }
    if (options.json === true) context.stdout(formatJson(report));
    else context.stdout(formatFrontierReport(report, createPalette(context.colour)));
  });
}

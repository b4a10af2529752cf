/**
 * What changed between two snapshots, as the router sees it: models added and removed, tier moves,
 * coding-percentile moves and price moves. Percentiles and tiers are derived with the core's own
 * `buildModelIndex` and `tierOf`, so the diff shows exactly what routing would do differently.
 */
import { type BuildIndexOptions, buildModelIndex } from '../core/build-model-index.js';
import type { IndexedModel, IndexSnapshot } from '../core/model-index.js';
import { defaultTierCutoffs, type TierCutoffs, type TierName, tierOf } from '../core/tiers.js';

export interface DiffOptions extends BuildIndexOptions {
  cutoffs?: TierCutoffs;
}

export interface ModelSummary {
  id: string;
  name: string;
  shortlist: boolean;
  codingPercentile: number | null;
  /** Null when the model has no percentile (unbenchmarked). */
  tier: TierName | null;
  blendedPrice: number;
}

export interface TierChange {
  id: string;
  name: string;
  shortlist: boolean;
  from: TierName | null;
  to: TierName | null;
}

export interface PercentileChange {
  id: string;
  name: string;
  from: number | null;
  to: number | null;
  /** `to - from`, null when either side is unbenchmarked. */
  delta: number | null;
}

export interface PriceMove {
  from: number;
  to: number;
  /** Relative change in percent; null when the old price was 0. */
  percent: number | null;
}

export interface PriceChange {
  id: string;
  name: string;
  input?: PriceMove;
  output?: PriceMove;
}

export interface ShortlistChange {
  id: string;
  name: string;
  shortlist: boolean;
}

export interface SnapshotDiff {
  from: { version: string; createdAt: string; models: number };
  to: { version: string; createdAt: string; models: number };
  added: ModelSummary[];
  removed: ModelSummary[];
  tierChanges: TierChange[];
  percentileChanges: PercentileChange[];
  priceChanges: PriceChange[];
  shortlistChanges: ShortlistChange[];
}

// Percentiles are rounded to 6 digits by the core; smaller differences are noise.
const percentileEpsilon = 1e-6;

/** Compares snapshot `a` (older) with `b` (newer). */
export function diffSnapshots(a: IndexSnapshot, b: IndexSnapshot, options: DiffOptions = {}): SnapshotDiff {
  const cutoffs = options.cutoffs ?? defaultTierCutoffs;
  const before = buildModelIndex(a, options);
  const after = buildModelIndex(b, options);
  const summarize = (model: IndexedModel): ModelSummary => ({
    id: model.id,
    name: model.name,
    shortlist: model.shortlist,
    codingPercentile: model.codingPercentile,
    tier: tierOrNull(model.codingPercentile, cutoffs),
    blendedPrice: model.blendedPrice,
  });

  const diff: SnapshotDiff = {
    from: { version: a.version, createdAt: a.createdAt, models: a.models.length },
    to: { version: b.version, createdAt: b.createdAt, models: b.models.length },
    added: after.models.filter((model) => !before.byId.has(model.id)).map(summarize),
    removed: before.models.filter((model) => !after.byId.has(model.id)).map(summarize),
    tierChanges: [],
    percentileChanges: [],
    priceChanges: [],
    shortlistChanges: [],
  };
  for (const newer of after.models) {
    const older = before.byId.get(newer.id);
    if (older === undefined) continue;
    const fromTier = tierOrNull(older.codingPercentile, cutoffs);
    const toTier = tierOrNull(newer.codingPercentile, cutoffs);
    if (fromTier !== toTier) {
      diff.tierChanges.push({
        id: newer.id,
        name: newer.name,
        shortlist: newer.shortlist,
        from: fromTier,
        to: toTier,
      });
    }
    if (percentileMoved(older.codingPercentile, newer.codingPercentile)) {
      diff.percentileChanges.push({
        id: newer.id,
        name: newer.name,
        from: older.codingPercentile,
        to: newer.codingPercentile,
        delta:
          older.codingPercentile === null || newer.codingPercentile === null
            ? null
            : roundTo(newer.codingPercentile - older.codingPercentile, 6),
      });
    }
    const price: PriceChange = { id: newer.id, name: newer.name };
    if (older.pricing.input !== newer.pricing.input)
      price.input = priceMove(older.pricing.input, newer.pricing.input);
    if (older.pricing.output !== newer.pricing.output)
      price.output = priceMove(older.pricing.output, newer.pricing.output);
    if (price.input !== undefined || price.output !== undefined) diff.priceChanges.push(price);
    if (older.shortlist !== newer.shortlist) {
      diff.shortlistChanges.push({ id: newer.id, name: newer.name, shortlist: newer.shortlist });
    }
  }
  return diff;
}

/** The diff as plain text, one fact per line. */
export function renderSnapshotDiff(diff: SnapshotDiff): string {
  const lines: string[] = [
    `Snapshot ${diff.from.version} (${diff.from.models} models) -> ${diff.to.version} (${diff.to.models} models)`,
  ];
  const section = (title: string, entries: string[]) => {
    lines.push('', `${title} (${entries.length})${entries.length === 0 ? ': none' : ':'}`);
    for (const entry of entries) lines.push(`  ${entry}`);
  };
  const describe = (model: ModelSummary) =>
    `${model.id}  ${formatTier(model.tier)}${model.codingPercentile === null ? '' : ` (percentile ${formatPercentile(model.codingPercentile)})`}  ${formatUsd(model.blendedPrice)}/M blended${model.shortlist ? '  [shortlist]' : ''}`;
  section(
    'Added',
    diff.added.map((model) => `+ ${describe(model)}`),
  );
  section(
    'Removed',
    diff.removed.map((model) => `- ${describe(model)}`),
  );
  section(
    'Tier changes',
    diff.tierChanges.map(
      (change) =>
        `${change.id}: ${formatTier(change.from)} -> ${formatTier(change.to)}${change.shortlist ? '  [shortlist]' : ''}`,
    ),
  );
  section(
    'Percentile changes',
    diff.percentileChanges.map((change) => {
      const delta =
        change.delta === null ? '' : ` (${change.delta >= 0 ? '+' : ''}${change.delta.toFixed(3)})`;
      return `${change.id}: ${formatPercentileOrNone(change.from)} -> ${formatPercentileOrNone(change.to)}${delta}`;
    }),
  );
  section(
    'Price changes (USD per million tokens)',
    diff.priceChanges.map((change) => {
      const parts: string[] = [];
      if (change.input !== undefined) parts.push(`input ${formatMove(change.input)}`);
      if (change.output !== undefined) parts.push(`output ${formatMove(change.output)}`);
      return `${change.id}: ${parts.join(', ')}`;
    }),
  );
  section(
    'Shortlist changes',
    diff.shortlistChanges.map(
      (change) => `${change.id}: ${change.shortlist ? 'joined' : 'left'} the shortlist`,
    ),
  );
  return `${lines.join('\n')}\n`;
}

function tierOrNull(percentile: number | null, cutoffs: TierCutoffs): TierName | null {
  return percentile === null ? null : tierOf(percentile, cutoffs);
}

function percentileMoved(from: number | null, to: number | null): boolean {
  if (from === null || to === null) return from !== to;
  return Math.abs(to - from) > percentileEpsilon;
}

function priceMove(from: number, to: number): PriceMove {
  return { from, to, percent: from === 0 ? null : roundTo(((to - from) / from) * 100, 2) };
}

function roundTo(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function formatTier(tier: TierName | null): string {
  return tier ?? 'unranked';
}

function formatPercentile(value: number): string {
  return value.toFixed(3);
}

function formatPercentileOrNone(value: number | null): string {
  return value === null ? 'none' : formatPercentile(value);
}

/** `$0.15`, `$12.50`, `$0.0375`: at least two decimals, more only when the price needs them. */
export function formatUsd(value: number): string {
  const text = value.toFixed(4).replace(/0{1,2}$/, '');
  return `$${text}`;
}

function formatMove(move: PriceMove): string {
  const percent =
    move.percent === null ? '' : ` (${move.percent >= 0 ? '+' : ''}${move.percent.toFixed(1)}%)`;
  return `${formatUsd(move.from)} -> ${formatUsd(move.to)}${percent}`;
}

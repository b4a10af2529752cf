/**
 * What `route()` needs from an index that no request changes, worked out once per index (and per set of
 * tier cut-offs) instead of on every decision: the shortlist in price order per tier, each model's place
 * in id order (where its decision goes), its constraint fields in one flat shape, and the fixed text of
 * its decision details. An index is immutable once built, so the cache never goes stale.
 */
import type { IndexedModel, ModelIndex } from './model-index.js';
import { defaultTierCutoffs, type TierCutoffs, type TierName, tierNames, tierOf } from './tiers.js';

/** One shortlist model as the router reads it; every instance has the same shape, so reads stay fast. */
export class RouteEntry {
  readonly model: IndexedModel;
  readonly id: string;
  /** Position in id order: where this model's decision goes in a plan. */
  readonly slot: number;
  readonly percentile: number | null;
  readonly blendedPrice: number;
  readonly inputPrice: number;
  readonly outputPrice: number;
  readonly contextLength: number;
  readonly maxOutputTokens: number;
  readonly tools: boolean;
  readonly structuredOutput: boolean;
  readonly imageInput: boolean;
  readonly hasReferenceThroughput: boolean;
  /** Reference throughput in tokens per second; 0 when the index has no figure. */
  readonly referenceThroughput: number;
  private texts: EntryTexts | undefined;
  /** Reason and detail strings by tier pair, made on first use (see `tierText`). */
  private tierTexts: (string | undefined)[] | undefined;
  /** Reasons of the pareto rule's steps, made on first use (see `stepText`). */
  private stepTexts: (string | undefined)[] | undefined;

  constructor(model: IndexedModel, slot: number) {
    this.model = model;
    this.id = model.id;
    this.slot = slot;
    this.percentile = model.codingPercentile;
    this.blendedPrice = model.blendedPrice;
    this.inputPrice = model.pricing.input;
    this.outputPrice = model.pricing.output;
    this.contextLength = model.contextLength;
    this.maxOutputTokens = model.maxOutputTokens;
    this.tools = model.capabilities.tools;
    this.structuredOutput = model.capabilities.structuredOutput;
    this.imageInput = model.capabilities.imageInput;
    this.hasReferenceThroughput = model.throughputTokensPerSecond !== undefined;
    this.referenceThroughput = model.throughputTokensPerSecond ?? 0;
    this.texts = undefined;
    this.tierTexts = undefined;
    this.stepTexts = undefined;
  }

  /** Number formatting is the dearest part of a detail, and the numbers never change: format once. */
  get text(): EntryTexts {
    if (this.texts === undefined) {
      this.texts = {
        percentile: String(this.percentile),
        blendedPrice: formatPrice(this.blendedPrice),
        priceOrder: `${formatPrice(this.blendedPrice)} blended`,
        inputPrice: formatPrice(this.inputPrice),
        outputPrice: formatPrice(this.outputPrice),
        contextLength: String(this.contextLength),
        maxOutputTokens: String(this.maxOutputTokens),
      };
    }
    return this.texts;
  }

  /**
   * The texts that depend on this model's tier and the requested one, kept by the pair so a decision
   * list of a large index does not rebuild the same strings on every request.
   */
  tierText(kind: 'neighbour' | 'other_tier', tier: TierName, requested: TierName): string {
    const key = (kind === 'neighbour' ? 9 : 0) + tierNumber[tier] * 3 + tierNumber[requested];
    this.tierTexts ??= [];
    let text = this.tierTexts[key];
    if (text === undefined) {
      text =
        kind === 'neighbour'
          ? `neighbouring ${tier} tier; ${this.text.blendedPrice} blended`
          : `percentile ${this.text.percentile} is in the ${tier} tier, not ${requested}`;
      this.tierTexts[key] = text;
    }
    return text;
  }

  /**
   * Why a model sits where the pareto rule put it, ranked by price: `up` (the next better and dearer model
   * of the frontier), `down` (the cheapest model left at or above the bar) or `below` (under the bar,
   * best first). Kept per model, as the tier texts are.
   */
  stepText(step: 'up' | 'down' | 'below'): string {
    const key = step === 'up' ? 0 : step === 'down' ? 1 : 2;
    this.stepTexts ??= [];
    let text = this.stepTexts[key];
    if (text === undefined) {
      text =
        step === 'up'
          ? `next up the frontier; ${this.text.priceOrder}`
          : step === 'down'
            ? `cheapest left at or above the bar; ${this.text.priceOrder}`
            : `below the bar, best first; percentile ${this.text.percentile}`;
      this.stepTexts[key] = text;
    }
    return text;
  }
}

const tierNumber: Readonly<Record<TierName, number>> = { high: 0, medium: 1, low: 2 };

/** Tiers from the bottom up: a model clears a bar when its tier's rank is at least the bar's. */
export const tierRank: Readonly<Record<TierName, number>> = { low: 0, medium: 1, high: 2 };

export interface EntryTexts {
  percentile: string;
  /** `$1.25/M` */
  blendedPrice: string;
  /** `$1.25/M blended`: why a model sits where it does in a plan ranked by price. */
  priceOrder: string;
  inputPrice: string;
  outputPrice: string;
  contextLength: string;
  maxOutputTokens: string;
}

/** The tier bands of one set of cut-offs. */
export interface TierBands {
  index: RouteIndex;
  high: number;
  medium: number;
  /** Tier of each entry by slot; null when unbenchmarked. */
  tierBySlot: readonly (TierName | null)[];
  /** Benchmarked entries of each tier, cheapest first (ties: higher percentile, then id). */
  byTier: Readonly<Record<TierName, readonly RouteEntry[]>>;
  /** Pareto rule: the benchmarked entries at or above each tier's bar, cheapest first (as `byTier`). */
  clearing: Readonly<Record<TierName, readonly RouteEntry[]>>;
  /** Pareto rule: the benchmarked entries below each tier's bar, best percentile first (ties: cheapest, then id). */
  below: Readonly<Record<TierName, readonly RouteEntry[]>>;
}

export interface RouteIndex {
  /** Shortlist entries in id order (entry.slot is the position here). */
  entries: readonly RouteEntry[];
  /** Benchmarked entries by id, for the sticky-session model. */
  byId: ReadonlyMap<string, RouteEntry>;
  /** Benchmarked entries, cheapest first: the order every tier list keeps. */
  byPrice: readonly RouteEntry[];
  bands: TierBands[];
}

/** Cut-off sets kept per index; a router uses one, tests a handful. */
const maxBandSets = 8;

const cache = new WeakMap<ModelIndex, RouteIndex>();

/** The routing view of an index for the given cut-offs, computed on first use and kept. */
export function routeIndexOf(index: ModelIndex, cutoffs: TierCutoffs = defaultTierCutoffs): TierBands {
  let prepared = cache.get(index);
  if (prepared === undefined) {
    prepared = prepareRouteIndex(index);
    cache.set(index, prepared);
  }
  const bandSets = prepared.bands;
  for (let position = 0; position < bandSets.length; position++) {
    const bands = bandSets[position] as TierBands;
    if (Object.is(bands.high, cutoffs.high) && Object.is(bands.medium, cutoffs.medium)) {
      return bands;
    }
  }
  const bands = bandsOf(prepared, cutoffs);
  if (bandSets.length >= maxBandSets) bandSets.shift();
  bandSets.push(bands);
  return bands;
}

function prepareRouteIndex(index: ModelIndex): RouteIndex {
  // Decisions are listed in id order; sorting here (rather than trusting the shortlist's order) keeps
  // that true for any index.
  const models = [...index.shortlist].sort((a, b) => compareIds(a.id, b.id));
  const entries = models.map((model, slot) => new RouteEntry(model, slot));
  const byPrice = entries.filter((entry) => entry.percentile !== null).sort(compareByPrice);
  const byId = new Map<string, RouteEntry>();
  for (const entry of byPrice) if (!byId.has(entry.id)) byId.set(entry.id, entry);
  return { entries, byId, byPrice, bands: [] };
}

function bandsOf(prepared: RouteIndex, cutoffs: TierCutoffs): TierBands {
  const tierBySlot = prepared.entries.map((entry) =>
    entry.percentile === null ? null : tierOf(entry.percentile, cutoffs),
  );
  const byTier: Record<TierName, RouteEntry[]> = { high: [], medium: [], low: [] };
  const clearing: Record<TierName, RouteEntry[]> = { high: [], medium: [], low: [] };
  const below: Record<TierName, RouteEntry[]> = { high: [], medium: [], low: [] };
  for (const entry of prepared.byPrice) {
    const rank = tierRank[tierBySlot[entry.slot] as TierName];
    byTier[tierBySlot[entry.slot] as TierName].push(entry);
    for (const tier of tierNames) {
      (rank >= tierRank[tier] ? clearing : below)[tier].push(entry);
    }
  }
  for (const tier of tierNames) below[tier].sort(compareByPercentile);
  return { index: prepared, high: cutoffs.high, medium: cutoffs.medium, tierBySlot, byTier, clearing, below };
}

/** Best percentile first; equal percentiles: the cheaper, then the id. */
export function compareByPercentile(a: RouteEntry, b: RouteEntry): number {
  return (
    (b.percentile as number) - (a.percentile as number) ||
    a.blendedPrice - b.blendedPrice ||
    compareIds(a.id, b.id)
  );
}

/** Cheapest first; equal prices: the higher percentile, then the id. */
export function compareByPrice(a: RouteEntry, b: RouteEntry): number {
  return (
    a.blendedPrice - b.blendedPrice ||
    (b.percentile as number) - (a.percentile as number) ||
    compareIds(a.id, b.id)
  );
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `$0.1234/M`: a price as decision details print it. */
export function formatPrice(value: number): string {
  return `$${Number(value.toFixed(4))}/M`;
}

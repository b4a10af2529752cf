/**
 * The routing core: request features + index + live stats + policy -> a plan. Pure: no I/O, no clock,
 * no randomness, so the same inputs always give the same plan.
 */
import type { ModelIndex } from './model-index.js';
import type { ModelMatcher } from './model-pattern.js';
import { formatPrice, type RouteEntry, routeIndexOf, type TierBands } from './route-index.js';
import {
  defaultTierCutoffs,
  neighbourTiers,
  requestedTier,
  type TierCutoffs,
  type TierName,
} from './tiers.js';

/** What the request asks for, already validated. */
export interface RouteFeatures {
  /** The caller's bar in 0..1; undefined = omitted (high tier). */
  minCodingScore?: number | undefined;
  nitro?: boolean | undefined;
  estimatedPromptTokens?: number | undefined;
  /** The request's output cap, when it set one. */
  maxTokens?: number | undefined;
  needsTools?: boolean | undefined;
  needsStructuredOutput?: boolean | undefined;
  needsImageInput?: boolean | undefined;
  allowedModels?: ModelMatcher | undefined;
  excludedModels?: ModelMatcher | undefined;
  /** Caps in USD per million tokens: `blended` applies to the blended price, the others to each price. */
  maxPrice?:
    | { blended?: number | undefined; input?: number | undefined; output?: number | undefined }
    | undefined;
  /** A model to put first when it is a valid candidate (the sticky-session model). */
  preferredModel?: string | undefined;
}

/** Live view of one model, from the state layer. */
export interface LiveModelStats {
  /** False when the model cannot take traffic now. */
  available: boolean;
  /** Why it is unavailable: `circuit_open`, `no_upstream`... */
  unavailableReason?: string;
  /** Median output throughput measured from real streams, tokens per second. */
  throughputP50?: number;
  /** How many streams the throughput figure is based on. */
  throughputSamples?: number;
}

export interface LiveStatsView {
  get(modelId: string): LiveModelStats | undefined;
}

export const noLiveStats: LiveStatsView = { get: () => undefined };

export interface RoutePolicy {
  cutoffs: TierCutoffs;
  /** Same-tier fallbacks after the primary. */
  maxFallbacks: number;
  /** Candidates taken from a neighbouring tier when the requested tier has none available. */
  maxNeighbourCandidates: number;
  /** Streams needed before live throughput replaces the index's reference figure for `:nitro`. */
  nitroMinSamples: number;
}

export const defaultRoutePolicy: RoutePolicy = {
  cutoffs: defaultTierCutoffs,
  maxFallbacks: 2,
  maxNeighbourCandidates: 3,
  nitroMinSamples: 5,
};

export type DropReason =
  | 'other_tier'
  | 'unbenchmarked'
  | 'not_allowed'
  | 'excluded'
  | 'context_too_small'
  | 'max_tokens_too_large'
  | 'no_tools'
  | 'no_structured_output'
  | 'no_image_input'
  | 'over_max_price'
  | 'unavailable'
  | 'beyond_fallbacks';

export interface PlannedCandidate {
  modelId: string;
  tier: TierName;
  role: 'primary' | 'fallback' | 'neighbour';
  blendedPrice: number;
  codingPercentile: number;
  /** The throughput used for ranking (nitro only). */
  throughput?: number;
  throughputSource?: 'live' | 'reference' | 'none';
  /** Why it sits where it does. */
  reason: string;
}

export interface ModelDecision {
  modelId: string;
  tier: TierName | null;
  kept: boolean;
  reason: DropReason | 'candidate';
  detail: string;
}

export interface RoutePlan {
  snapshotVersion: string;
  minCodingScore: number | null;
  tier: TierName;
  nitro: boolean;
  /** The tier the primary came from when the requested one had nothing available. */
  steppedTo: TierName | null;
  candidates: PlannedCandidate[];
  /** Why each shortlist model was kept or dropped, in id order (see `RouteOptions.decisions`). */
  decisions: ModelDecision[];
}

/** How much of the plan `route()` explains. */
export interface RouteOptions {
  /**
   * `all` (the default): `decisions` explains every shortlist model, as explain and the CLI show it.
   * `when_empty`: only a plan without candidates lists decisions (to say why nothing fits); a plan with
   * candidates has none. Candidates are the same either way, but the router then checks only the models
   * it ranks (the cheapest of the tier and of its neighbour, or both whole tiers with nitro) rather than
   * the whole shortlist, which is what a request on the gateway needs.
   */
  decisions?: 'all' | 'when_empty' | undefined;
}

// Outcome of checking one model, by number so the hot path allocates nothing; text comes only with
// the decision list.
const eligible = 0;
const notAllowed = 1;
const excluded = 2;
const contextTooSmall = 3;
const maxTokensTooLarge = 4;
const noTools = 5;
const noStructuredOutput = 6;
const noImageInput = 7;
const overBlendedPrice = 8;
const overInputPrice = 9;
const overOutputPrice = 10;
const unavailable = 11;
const unbenchmarked = 12;
const chosen = 13;

const dropReasonOf: readonly DropReason[] = [
  'beyond_fallbacks',
  'not_allowed',
  'excluded',
  'context_too_small',
  'max_tokens_too_large',
  'no_tools',
  'no_structured_output',
  'no_image_input',
  'over_max_price',
  'over_max_price',
  'over_max_price',
  'unavailable',
  'unbenchmarked',
];

const throughputSources: readonly NonNullable<PlannedCandidate['throughputSource']>[] = [
  'none',
  'reference',
  'live',
];
const sourceNone = 0;
const sourceReference = 1;
const sourceLive = 2;

const neighboursOf: Readonly<Record<TierName, readonly TierName[]>> = {
  high: neighbourTiers('high'),
  medium: neighbourTiers('medium'),
  low: neighbourTiers('low'),
};

/**
 * One routing decision in progress: the request's constraints in flat form, the checks, and the
 * models picked so far. With the full decision list, every model is checked once up front and the
 * ranking reads the stored outcome; otherwise the ranking checks models as it reaches them.
 */
class Planner {
  private readonly features: RouteFeatures;
  private readonly allowed: ModelMatcher | undefined;
  private readonly excludedBy: ModelMatcher | undefined;
  private readonly needed: number;
  /** -Infinity when the request sets no output cap, so the comparison never drops. */
  private readonly maxTokens: number;
  private readonly needsTools: boolean;
  private readonly needsStructuredOutput: boolean;
  private readonly needsImageInput: boolean;
  /** Price caps; Infinity when unset. */
  private readonly capBlended: number;
  private readonly capInput: number;
  private readonly capOutput: number;
  private readonly live: LiveStatsView;
  private readonly nitroMinSamples: number;
  readonly nitro: boolean;

  /** Outcome of every shortlist model by slot, once `checkAll` ran. */
  codes: Uint8Array | null = null;
  private throughputs: Float64Array | null = null;
  private sources: Uint8Array | null = null;
  private unavailableReasons: (string | undefined)[] | null = null;

  /** Set by the last `check`/`evaluate` of an eligible model (nitro only). */
  private throughput = 0;
  private source = sourceNone;
  /** Caps as details print them, formatted once per plan. */
  private capBlendedText: string | undefined;
  private capInputText: string | undefined;
  private capOutputText: string | undefined;

  /** Set by the last `check` that found the model unavailable. */
  private unavailableReason = 'unavailable';

  /** Picked models in plan order, with the throughput they were ranked by. */
  readonly picked: RouteEntry[] = [];
  readonly pickedThroughput: number[] = [];
  readonly pickedSource: number[] = [];

  constructor(features: RouteFeatures, live: LiveStatsView, policy: RoutePolicy) {
    this.features = features;
    this.allowed = features.allowedModels;
    this.excludedBy = features.excludedModels;
    this.needed = (features.estimatedPromptTokens ?? 0) + (features.maxTokens ?? 0);
    this.maxTokens = features.maxTokens === undefined ? Number.NEGATIVE_INFINITY : features.maxTokens;
    this.needsTools = features.needsTools === true;
    this.needsStructuredOutput = features.needsStructuredOutput === true;
    this.needsImageInput = features.needsImageInput === true;
    const cap = features.maxPrice;
    this.capBlended = cap?.blended ?? Number.POSITIVE_INFINITY;
    this.capInput = cap?.input ?? Number.POSITIVE_INFINITY;
    this.capOutput = cap?.output ?? Number.POSITIVE_INFINITY;
    this.live = live;
    this.nitroMinSamples = policy.nitroMinSamples;
    this.nitro = features.nitro === true;
  }

  /** Checks one model against the request and its live state (static checks first: they are cheaper). */
  private check(entry: RouteEntry): number {
    if (this.allowed !== undefined && !this.allowed(entry.id)) return notAllowed;
    if (this.excludedBy !== undefined && this.excludedBy(entry.id) === true) return excluded;
    if (this.needed > entry.contextLength) return contextTooSmall;
    if (this.maxTokens > entry.maxOutputTokens) return maxTokensTooLarge;
    if (this.needsTools && !entry.tools) return noTools;
    if (this.needsStructuredOutput && !entry.structuredOutput) return noStructuredOutput;
    if (this.needsImageInput && !entry.imageInput) return noImageInput;
    if (entry.blendedPrice > this.capBlended) return overBlendedPrice;
    if (entry.inputPrice > this.capInput) return overInputPrice;
    if (entry.outputPrice > this.capOutput) return overOutputPrice;
    const stats = this.live.get(entry.id);
    if (stats !== undefined && !stats.available) {
      this.unavailableReason = stats.unavailableReason ?? 'unavailable';
      return unavailable;
    }
    if (entry.percentile === null) return unbenchmarked;
    if (this.nitro) {
      if (
        stats?.throughputP50 !== undefined &&
        (stats.throughputSamples ?? 0) >= this.nitroMinSamples &&
        stats.throughputP50 > 0
      ) {
        this.throughput = stats.throughputP50;
        this.source = sourceLive;
      } else if (entry.hasReferenceThroughput) {
        this.throughput = entry.referenceThroughput;
        this.source = sourceReference;
      } else {
        this.throughput = 0;
        this.source = sourceNone;
      }
    }
    return eligible;
  }

  /** Checks every shortlist model once and keeps the outcomes, for the full decision list. */
  checkAll(entries: readonly RouteEntry[]): void {
    const count = entries.length;
    const codes = new Uint8Array(count);
    const throughputs = this.nitro ? new Float64Array(count) : null;
    const sources = this.nitro ? new Uint8Array(count) : null;
    for (let slot = 0; slot < count; slot++) {
      const code = this.check(entries[slot] as RouteEntry);
      codes[slot] = code;
      if (code === unavailable) {
        this.unavailableReasons ??= [];
        this.unavailableReasons[slot] = this.unavailableReason;
      } else if (code === eligible && throughputs !== null && sources !== null) {
        throughputs[slot] = this.throughput;
        sources[slot] = this.source;
      }
    }
    this.codes = codes;
    this.throughputs = throughputs;
    this.sources = sources;
  }

  /** The outcome for one model: stored when `checkAll` ran, checked now otherwise. */
  private evaluate(entry: RouteEntry): number {
    const codes = this.codes;
    if (codes === null) return this.check(entry);
    const code = codes[entry.slot] as number;
    if (code === eligible && this.throughputs !== null && this.sources !== null) {
      this.throughput = this.throughputs[entry.slot] as number;
      this.source = this.sources[entry.slot] as number;
    }
    return code;
  }

  /**
   * Picks up to `limit` eligible models of one tier in rank order, the sticky model first when it
   * belongs to this tier (the caller passes it only then). Returns whether the tier has any eligible
   * model at all, which is what decides whether the router steps into it.
   */
  pickFrom(list: readonly RouteEntry[], limit: number, preferred: RouteEntry | undefined): boolean {
    const picked = this.picked;
    let any = false;
    let room = limit;
    if (preferred !== undefined && this.evaluate(preferred) === eligible) {
      any = true;
      if (limit > 0) {
        this.push(picked.length, preferred);
        room -= 1;
      }
    }
    const othersStart = picked.length;
    if (!this.nitro) {
      // The list is in price order: the first eligible models are the cheapest, so stop there.
      if (any && picked.length - othersStart >= room) return true;
      for (let position = 0; position < list.length; position++) {
        const entry = list[position] as RouteEntry;
        if (entry === preferred || this.evaluate(entry) !== eligible) continue;
        any = true;
        if (picked.length - othersStart >= room) break;
        this.push(picked.length, entry);
        if (picked.length - othersStart >= room) break;
      }
      return any;
    }
    // Fastest first: throughput is live, so the whole tier is looked at, keeping the best `room` in
    // order. The list is in price order, so an equal throughput never displaces an earlier model:
    // ties fall to price, as the ranking demands.
    const throughputs = this.pickedThroughput;
    for (let position = 0; position < list.length; position++) {
      const entry = list[position] as RouteEntry;
      if (entry === preferred || this.evaluate(entry) !== eligible) continue;
      any = true;
      if (room <= 0) break;
      const throughput = this.throughput;
      let at = picked.length;
      while (at > othersStart && throughput > (throughputs[at - 1] as number)) at--;
      if (at - othersStart >= room) continue;
      if (picked.length - othersStart >= room) this.dropLast();
      this.push(at, entry);
    }
    return any;
  }

  /** Inserts `entry` (with the throughput of its last evaluation) at `at`. */
  private push(at: number, entry: RouteEntry): void {
    const picked = this.picked;
    const throughputs = this.pickedThroughput;
    const sources = this.pickedSource;
    picked.push(entry);
    throughputs.push(this.throughput);
    sources.push(this.source);
    for (let position = picked.length - 1; position > at; position--) {
      picked[position] = picked[position - 1] as RouteEntry;
      throughputs[position] = throughputs[position - 1] as number;
      sources[position] = sources[position - 1] as number;
    }
    picked[at] = entry;
    throughputs[at] = this.throughput;
    sources[at] = this.source;
  }

  private dropLast(): void {
    this.picked.pop();
    this.pickedThroughput.pop();
    this.pickedSource.pop();
  }

  /** The decision text of a dropped model (only the decision list needs it). */
  dropDetail(code: number, entry: RouteEntry): string {
    const features = this.features;
    switch (code) {
      case notAllowed:
        return 'not matched by allowed_models';
      case excluded:
        return 'matched by excluded_models';
      case contextTooSmall:
        return `needs ${this.needed} tokens (prompt estimate + max_tokens), context is ${entry.text.contextLength}`;
      case maxTokensTooLarge:
        return `max_tokens ${features.maxTokens} is above the model's ${entry.text.maxOutputTokens} output tokens`;
      case noTools:
        return 'the request has tools; the model does not support tool calling';
      case noStructuredOutput:
        return 'json_schema response_format is not supported';
      case noImageInput:
        return 'the request has images; the model takes text only';
      case overBlendedPrice:
        this.capBlendedText ??= formatPrice(this.capBlended);
        return `blended price ${entry.text.blendedPrice} > max_price ${this.capBlendedText}`;
      case overInputPrice:
        this.capInputText ??= formatPrice(this.capInput);
        return `input price ${entry.text.inputPrice} > max_price ${this.capInputText}`;
      case overOutputPrice:
        this.capOutputText ??= formatPrice(this.capOutput);
        return `output price ${entry.text.outputPrice} > max_price.completion ${this.capOutputText}`;
      case unavailable:
        return this.unavailableReasons?.[entry.slot] ?? 'unavailable';
      case unbenchmarked:
        return 'no coding benchmark in this snapshot, so no percentile';
      default:
        return 'eligible, but ranked after the primary and its fallbacks';
    }
  }
}

/**
 * Plans one request: filters the shortlist by the request's constraints and live availability, keeps the
 * models whose percentile falls in the requested tier, ranks them (cheapest first, or fastest with
 * nitro), takes a primary and up to `maxFallbacks` siblings, and steps into a neighbouring tier only when
 * the requested tier has no candidate at all.
 *
 * Everything about the index that no request changes (tiers, price order, detail text) is worked out
 * once per index (`route-index.ts`), so a decision costs a walk down the cheapest models of two tiers.
 */
export function route(
  features: RouteFeatures,
  index: ModelIndex,
  live: LiveStatsView = noLiveStats,
  policy: RoutePolicy = defaultRoutePolicy,
  options: RouteOptions = {},
): RoutePlan {
  const bands = routeIndexOf(index, policy.cutoffs);
  const entries = bands.index.entries;
  const tier = requestedTier(features.minCodingScore, policy.cutoffs);
  const planner = new Planner(features, live, policy);
  const explainAll = options.decisions !== 'when_empty';
  if (explainAll) planner.checkAll(entries);

  let preferred: RouteEntry | undefined;
  if (features.preferredModel !== undefined) preferred = bands.index.byId.get(features.preferredModel);
  const preferredTier = preferred === undefined ? null : (bands.tierBySlot[preferred.slot] ?? null);

  planner.pickFrom(
    bands.byTier[tier],
    sliceLimit(1 + policy.maxFallbacks),
    preferredTier === tier ? preferred : undefined,
  );
  const sameTierCount = planner.picked.length;
  // The neighbouring tier comes after the whole requested tier: the executor reaches it only when every
  // same-tier candidate failed, and it leads the plan when the requested tier has nothing available.
  let steppedTo: TierName | null = null;
  let neighbourTier: TierName | null = null;
  const neighbours = neighboursOf[tier];
  for (let position = 0; position < neighbours.length; position++) {
    const neighbour = neighbours[position] as TierName;
    const any = planner.pickFrom(
      bands.byTier[neighbour],
      sliceLimit(policy.maxNeighbourCandidates),
      preferredTier === neighbour ? preferred : undefined,
    );
    if (!any) continue;
    if (sameTierCount === 0) steppedTo = neighbour;
    neighbourTier = neighbour;
    break;
  }

  const candidates: PlannedCandidate[] = [];
  const picked = planner.picked;
  for (let position = 0; position < picked.length; position++) {
    const entry = picked[position] as RouteEntry;
    const entryTier = bands.tierBySlot[entry.slot] as TierName;
    const role: PlannedCandidate['role'] =
      position >= sameTierCount ? 'neighbour' : position === 0 ? 'primary' : 'fallback';
    const throughput = planner.pickedThroughput[position] as number;
    const source = planner.pickedSource[position] as number;
    let reason: string;
    if (planner.nitro) {
      const order =
        source === sourceNone
          ? 'no throughput figure, ranked by price'
          : `${Math.round(throughput)} tok/s (${throughputSources[source]})`;
      reason = role === 'neighbour' ? `neighbouring ${entryTier} tier; ${order}` : order;
    } else {
      reason = role === 'neighbour' ? entry.tierText('neighbour', entryTier, tier) : entry.text.priceOrder;
    }
    if (entry.id === features.preferredModel) reason = `sticky session; ${reason}`;
    const candidate: PlannedCandidate = {
      modelId: entry.id,
      tier: entryTier,
      role,
      blendedPrice: entry.blendedPrice,
      codingPercentile: entry.percentile as number,
      reason,
    };
    if (planner.nitro) {
      candidate.throughput = throughput;
      candidate.throughputSource = throughputSources[source] as NonNullable<
        PlannedCandidate['throughputSource']
      >;
    }
    candidates.push(candidate);
  }

  let decisions: ModelDecision[] = [];
  if (explainAll || candidates.length === 0) {
    if (planner.codes === null) planner.checkAll(entries);
    decisions = explain(planner, bands, tier, neighbourTier, candidates);
  }

  return {
    snapshotVersion: index.version,
    minCodingScore: features.minCodingScore ?? null,
    tier,
    nitro: planner.nitro,
    steppedTo,
    candidates,
    decisions,
  };
}

/** The decision on every shortlist model, in id order, from the outcomes `checkAll` stored. */
function explain(
  planner: Planner,
  bands: TierBands,
  tier: TierName,
  neighbourTier: TierName | null,
  candidates: readonly PlannedCandidate[],
): ModelDecision[] {
  const codes = planner.codes as Uint8Array;
  const picked = planner.picked;
  for (const entry of picked) codes[entry.slot] = chosen;
  const entries = bands.index.entries;
  const decisions: ModelDecision[] = [];
  for (let slot = 0; slot < entries.length; slot++) {
    const entry = entries[slot] as RouteEntry;
    const code = codes[slot] as number;
    const entryTier = bands.tierBySlot[slot] ?? null;
    if (code === chosen) {
      const detail = (candidates[picked.indexOf(entry)] as PlannedCandidate).reason;
      decisions.push({ modelId: entry.id, tier: entryTier, kept: true, reason: 'candidate', detail });
    } else if (code === eligible && entryTier !== null && entryTier !== tier && entryTier !== neighbourTier) {
      decisions.push({
        modelId: entry.id,
        tier: entryTier,
        kept: false,
        reason: 'other_tier',
        detail: entry.tierText('other_tier', entryTier, tier),
      });
    } else {
      decisions.push({
        modelId: entry.id,
        tier: entryTier,
        kept: false,
        reason: dropReasonOf[code] as DropReason,
        detail: planner.dropDetail(code, entry),
      });
    }
  }
  return decisions;
}

/** How many models a limit lets through, as `Array.prototype.slice(0, limit)` would. */
function sliceLimit(limit: number): number {
  return limit > 0 ? Math.floor(limit) : 0;
}

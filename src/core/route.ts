/**
 * The routing core: request features + index + live stats + policy -> a plan. Pure: no I/O, no clock,
 * no randomness, so the same inputs always give the same plan.
 */
import type { ModelIndex } from './model-index.js';
import type { ModelMatcher } from './model-pattern.js';
import {
  compareIds,
  formatPrice,
  type RouteEntry,
  routeIndexOf,
  type TierBands,
  tierRank,
} from './route-index.js';
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
  /**
   * Caps inside the tier, in USD per million tokens of list price: `blended` applies to the blended
   * price, the others to each price (the plugin's `max_blended_price`, `max_prompt_price`,
   * `max_completion_price`).
   */
  priceCaps?:
    | { blended?: number | undefined; input?: number | undefined; output?: number | undefined }
    | undefined;
  /**
   * The hosted router's `max_price`: a cap on the input price, USD per million tokens, that replaces tier
   * selection. The plan is the best-scoring model of the frontier under the cap, then cheaper frontier
   * models, then the others (see `route`).
   */
  maxInputPrice?: number | undefined;
  /**
   * Input prices measured from the request log (`price_source: "weighted_avg"`), read for `maxInputPrice`
   * only; a model it has no figure for is priced at its list input price.
   */
  inputPrices?: InputPriceView | undefined;
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

/** Effective input prices in USD per million tokens, by model id. */
export interface InputPriceView {
  get(modelId: string): number | undefined;
}

/**
 * `pareto` (the default): no request goes to a model that another eligible, available model beats on
 * both coding percentile and the price it is ranked by; `bands`: the plain tier bands, as the hosted
 * router routes.
 */
export type RoutingRule = 'pareto' | 'bands';

export const routingRules: readonly RoutingRule[] = ['pareto', 'bands'];

export interface RoutePolicy {
  rule: RoutingRule;
  cutoffs: TierCutoffs;
  /** Same-tier fallbacks after the primary. */
  maxFallbacks: number;
  /** Candidates taken from a neighbouring tier when the requested tier has none available. */
  maxNeighbourCandidates: number;
  /** Streams needed before live throughput replaces the index's reference figure for `:nitro`. */
  nitroMinSamples: number;
}

export const defaultRoutePolicy: RoutePolicy = {
  rule: 'pareto',
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
  | 'dominated'
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
  /** The input price ranked by, USD per million tokens (`maxInputPrice` plans only). */
  inputPrice?: number;
  /** Where that price came from (`maxInputPrice` plans only). */
  inputPriceSource?: 'list' | 'measured';
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
  /** The rule the plan was made by. */
  rule: RoutingRule;
  minCodingScore: number | null;
  /** The tier the bar selects; null when `maxInputPrice` replaced tier selection. */
  tier: TierName | null;
  nitro: boolean;
  /** The hosted router's `max_price` the plan was made under, or null. */
  maxInputPrice: number | null;
  /**
   * The tier the primary came from when it is not the requested one: under `bands`, the neighbour the
   * router stepped into because the requested tier had nothing available; under `pareto`, also a higher
   * tier whose model beats every eligible one of the requested tier on price and percentile.
   */
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
const overInputCap = 11;
const unavailable = 12;
const unbenchmarked = 13;
const chosen = 14;

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

// How a model came into a plan made by the pareto rule or under `maxInputPrice` (its reason and role).
/** The first pick: the primary, or the sticky model. */
const stepLead = 0;
/** The next better and dearer model of the frontier. */
const stepUp = 1;
/** The cheapest (or, with nitro, fastest) model left at or above the bar. */
const stepDown = 2;
/** A model below the bar, best first. */
const stepBelow = 3;
/** Under `maxInputPrice`: on the frontier of the models under the cap. */
const stepCapFrontier = 4;
/** Under `maxInputPrice`: off that frontier. */
const stepCapOther = 5;

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
  /** The hosted router's `max_price` (an input-price cap that replaces tier selection); NaN when unset. */
  readonly maxInputPrice: number;
  readonly hasInputCap: boolean;
  private readonly inputPrices: InputPriceView | undefined;
  private readonly live: LiveStatsView;
  private readonly nitroMinSamples: number;
  readonly nitro: boolean;

  /** Outcome of every shortlist model by slot, once `checkAll` ran. */
  codes: Uint8Array | null = null;
  private throughputs: Float64Array | null = null;
  private sources: Uint8Array | null = null;
  /** Effective input price by slot, and whether it was measured (`maxInputPrice` plans). */
  private inputBySlot: Float64Array | null = null;
  private measuredBySlot: Uint8Array | null = null;
  private unavailableReasons: (string | undefined)[] | null = null;

  /** Set by the last `check`/`evaluate` of an eligible model (nitro only). */
  private throughput = 0;
  private source = sourceNone;
  /** Set by the last `check`/`evaluate` that priced the input (`maxInputPrice` plans only). */
  private inputPrice = 0;
  private inputMeasured = false;
  /** Caps as details print them, formatted once per plan. */
  private capBlendedText: string | undefined;
  private capInputText: string | undefined;
  private capOutputText: string | undefined;

  /** Set by the last `check` that found the model unavailable. */
  private unavailableReason = 'unavailable';

  /** Picked models in plan order, with the throughput they were ranked by and how they came in. */
  readonly picked: RouteEntry[] = [];
  readonly pickedThroughput: number[] = [];
  readonly pickedSource: number[] = [];
  readonly pickedStep: number[] = [];
  /** Picks that go after the ones above (the pareto rule's steps down), in order. */
  private readonly tail: RouteEntry[] = [];
  private readonly tailThroughput: number[] = [];
  private readonly tailSource: number[] = [];
  private readonly tailStep: number[] = [];
  /** Whether the pareto rule went below the bar (decides `other_tier` against `beyond_fallbacks`). */
  walkedBelow = false;
  /** Whether the first pick is the sticky model. */
  leadIsPreferred = false;

  constructor(features: RouteFeatures, live: LiveStatsView, policy: RoutePolicy) {
    this.features = features;
    this.allowed = features.allowedModels;
    this.excludedBy = features.excludedModels;
    this.needed = (features.estimatedPromptTokens ?? 0) + (features.maxTokens ?? 0);
    this.maxTokens = features.maxTokens === undefined ? Number.NEGATIVE_INFINITY : features.maxTokens;
    this.needsTools = features.needsTools === true;
    this.needsStructuredOutput = features.needsStructuredOutput === true;
    this.needsImageInput = features.needsImageInput === true;
    const cap = features.priceCaps;
    this.capBlended = cap?.blended ?? Number.POSITIVE_INFINITY;
    this.capInput = cap?.input ?? Number.POSITIVE_INFINITY;
    this.capOutput = cap?.output ?? Number.POSITIVE_INFINITY;
    this.hasInputCap = features.maxInputPrice !== undefined;
    this.maxInputPrice = features.maxInputPrice ?? Number.NaN;
    this.inputPrices = features.inputPrices;
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
    if (this.hasInputCap) {
      const measured = this.inputPrices?.get(entry.id);
      this.inputMeasured = measured !== undefined && Number.isFinite(measured) && measured >= 0;
      this.inputPrice = this.inputMeasured ? (measured as number) : entry.inputPrice;
      if (this.inputPrice > this.maxInputPrice) return overInputCap;
    }
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
    const inputs = this.hasInputCap ? new Float64Array(count) : null;
    const measured = this.hasInputCap ? new Uint8Array(count) : null;
    for (let slot = 0; slot < count; slot++) {
      this.inputMeasured = false;
      this.inputPrice = Number.NaN;
      const code = this.check(entries[slot] as RouteEntry);
      codes[slot] = code;
      if (inputs !== null && measured !== null) {
        inputs[slot] = this.inputPrice;
        measured[slot] = this.inputMeasured ? 1 : 0;
      }
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
    this.inputBySlot = inputs;
    this.measuredBySlot = measured;
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
        this.push(picked.length, preferred, stepLead);
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
        this.push(picked.length, entry, stepLead);
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
      this.push(at, entry, stepLead);
    }
    return any;
  }

  /**
   * The pareto rule for a tier request. `clearing` holds the models at or above the bar, `below` the
   * others. The primary is the cheapest eligible model that clears the bar (with nitro, the fastest):
   * nothing eligible beats it on both price and percentile, as nothing cheaper clears the bar. Each of
   * up to `limitUp - 1` fallbacks is the next better and dearer model of the frontier (the cheapest one
   * better than the last); then up to `limitDown` models follow: the cheapest left at or above the bar,
   * and once those are used up, the best below it. When no eligible model clears the bar at all, the best
   * models below it make up the plan (at most `limitDown`, as the bands rule's neighbour tier). Every
   * pick is one that no eligible model not picked before it beats on both axes.
   */
  pickPareto(
    bands: TierBands,
    tier: TierName,
    preferred: RouteEntry | undefined,
    limitUp: number,
    limitDown: number,
  ): void {
    const bar = tierRank[tier];
    const clearing = bands.clearing[tier];
    const below = bands.below[tier];
    const preferredRank =
      preferred === undefined ? -1 : tierRank[bands.tierBySlot[preferred.slot] as TierName];
    if (this.nitro) {
      this.pickParetoByThroughput(
        clearing,
        below,
        bands.tierBySlot,
        bar,
        preferred,
        preferredRank,
        limitUp,
        limitDown,
      );
      return;
    }
    let lead: RouteEntry | undefined;
    if (preferred !== undefined && preferredRank >= bar && limitUp > 0) {
      // The sticky model keeps its place only up to the tier the plan starts in without it (the
      // cheapest model that clears the bar): a conversation whose bar dropped moves to cheaper models.
      let start: RouteEntry | undefined;
      for (let position = 0; position < clearing.length && start === undefined; position++) {
        const entry = clearing[position] as RouteEntry;
        if (this.evaluate(entry) === eligible) start = entry;
      }
      if (start !== undefined && preferredRank <= tierRank[bands.tierBySlot[start.slot] as TierName]) {
        lead = this.leadIfUndominated(preferred, clearing);
      }
    }
    let anyClearing = lead !== undefined;
    let top = Number.NEGATIVE_INFINITY;
    let ups = this.picked.length;
    let walkedAll = true;
    for (let position = 0; position < clearing.length; position++) {
      const entry = clearing[position] as RouteEntry;
      if (entry === lead || this.evaluate(entry) !== eligible) continue;
      anyClearing = true;
      const percentile = entry.percentile as number;
      if (ups < limitUp && percentile > top) {
        const step =
          this.picked.length === 0 ? stepLead : top === Number.NEGATIVE_INFINITY ? stepDown : stepUp;
        this.push(this.picked.length, entry, step);
        ups += 1;
        top = percentile;
      } else if (this.tail.length < limitDown) {
        this.pushTail(entry, stepDown);
      }
      if (ups >= limitUp && this.tail.length >= limitDown) {
        walkedAll = false;
        break;
      }
    }
    if (walkedAll && (!anyClearing || this.tail.length < limitDown)) {
      this.walkedBelow = true;
      if (!anyClearing) {
        let room = limitDown;
        let leadBelow: RouteEntry | undefined;
        if (preferred !== undefined && preferredRank < bar && room > 0) {
          leadBelow = this.leadIfUndominated(preferred, below);
          if (leadBelow !== undefined) {
            this.pickedStep[this.pickedStep.length - 1] = stepBelow;
            room -= 1;
          }
        }
        for (let position = 0; position < below.length && room > 0; position++) {
          const entry = below[position] as RouteEntry;
          if (entry === leadBelow || this.evaluate(entry) !== eligible) continue;
          this.push(this.picked.length, entry, stepBelow);
          room -= 1;
        }
      } else {
        for (let position = 0; position < below.length && this.tail.length < limitDown; position++) {
          const entry = below[position] as RouteEntry;
          if (this.evaluate(entry) === eligible) this.pushTail(entry, stepBelow);
        }
      }
    }
    this.flushTail();
  }

  /**
   * The plan under the hosted router's `max_price`: the eligible models priced at or below the cap (every
   * model is checked), the frontier of (input price, percentile) best first, then the models off it, best
   * first; `limit` in all. The sticky model leads when it is on that frontier.
   */
  pickUnderCap(bands: TierBands, preferred: RouteEntry | undefined, limit: number): void {
    const codes = this.codes as Uint8Array;
    const ranked: RouteEntry[] = [];
    const byPrice = bands.index.byPrice;
    for (let position = 0; position < byPrice.length; position++) {
      const entry = byPrice[position] as RouteEntry;
      if (codes[entry.slot] === eligible) ranked.push(entry);
    }
    ranked.sort(
      (a, b) =>
        (b.percentile as number) - (a.percentile as number) ||
        this.compareKey(a, b) ||
        compareIds(a.id, b.id),
    );
    const onFrontier: boolean[] = [];
    // The cheapest (with nitro, fastest) model of strictly better percentile, and the first of the
    // current group of equal percentiles: a model is off the frontier when either beats it.
    let bestHigher: RouteEntry | undefined;
    let groupStart = 0;
    for (let position = 0; position < ranked.length; position++) {
      const entry = ranked[position] as RouteEntry;
      if (position > 0 && (ranked[position - 1] as RouteEntry).percentile !== entry.percentile) {
        const groupBest = ranked[groupStart] as RouteEntry;
        if (bestHigher === undefined || this.compareKey(groupBest, bestHigher) < 0) bestHigher = groupBest;
        groupStart = position;
      }
      const beatenFromAbove = bestHigher !== undefined && this.compareKey(bestHigher, entry) <= 0;
      const beatenAlongside = this.compareKey(ranked[groupStart] as RouteEntry, entry) < 0;
      onFrontier.push(!beatenFromAbove && !beatenAlongside);
    }
    let lead: RouteEntry | undefined;
    if (preferred !== undefined && limit > 0) {
      const at = ranked.indexOf(preferred);
      if (at >= 0 && onFrontier[at] === true) {
        lead = preferred;
        this.evaluate(preferred);
        this.push(0, preferred, stepCapFrontier);
        this.leadIsPreferred = true;
      }
    }
    for (const wanted of [true, false]) {
      for (let position = 0; position < ranked.length && this.picked.length < limit; position++) {
        const entry = ranked[position] as RouteEntry;
        if (onFrontier[position] !== wanted || entry === lead) continue;
        this.evaluate(entry);
        this.push(this.picked.length, entry, wanted ? stepCapFrontier : stepCapOther);
      }
    }
  }

  /**
   * `pickPareto` with nitro: the same steps, ranked by live throughput (then price). Every model was
   * checked once (`checkAll`), so each step selects from the stored outcomes rather than sorting the
   * lists on every request; a pick is marked chosen, which takes it out of later steps.
   */
  private pickParetoByThroughput(
    clearing: readonly RouteEntry[],
    below: readonly RouteEntry[],
    tierBySlot: readonly (TierName | null)[],
    bar: number,
    preferred: RouteEntry | undefined,
    preferredRank: number,
    limitUp: number,
    limitDown: number,
  ): void {
    const codes = this.codes as Uint8Array;
    const throughputs = this.throughputs as Float64Array;
    // The fastest model that clears the bar: the plan's start without the sticky model.
    let start: RouteEntry | undefined;
    for (let position = 0; position < clearing.length; position++) {
      const entry = clearing[position] as RouteEntry;
      if (codes[entry.slot] !== eligible) continue;
      if (start === undefined || (throughputs[entry.slot] as number) > (throughputs[start.slot] as number)) {
        start = entry;
      }
    }
    const anyClearing = start !== undefined;
    if (
      preferred !== undefined &&
      start !== undefined &&
      preferredRank >= bar &&
      preferredRank <= tierRank[tierBySlot[start.slot] as TierName] &&
      limitUp > 0 &&
      codes[preferred.slot] === eligible &&
      !this.dominatedAmong(preferred, clearing)
    ) {
      this.pickChosen(preferred, stepLead);
      this.leadIsPreferred = true;
    }
    // Up the frontier: each pick is the fastest model left (equal throughputs: price order) that is
    // better than the last one.
    let top = Number.NEGATIVE_INFINITY;
    while (this.picked.length < limitUp) {
      let best: RouteEntry | undefined;
      for (let position = 0; position < clearing.length; position++) {
        const entry = clearing[position] as RouteEntry;
        if (codes[entry.slot] !== eligible || (entry.percentile as number) <= top) continue;
        if (best === undefined || (throughputs[entry.slot] as number) > (throughputs[best.slot] as number)) {
          best = entry;
        }
      }
      if (best === undefined) break;
      const step = this.picked.length === 0 ? stepLead : top === Number.NEGATIVE_INFINITY ? stepDown : stepUp;
      this.pickChosen(best, step);
      top = best.percentile as number;
    }
    const faster = (a: RouteEntry, b: RouteEntry) =>
      (throughputs[a.slot] as number) > (throughputs[b.slot] as number);
    for (const entry of this.selectBest(clearing, limitDown, faster)) this.pickChosen(entry, stepDown, true);
    if (anyClearing && this.tail.length >= limitDown) {
      this.flushTail();
      return;
    }
    this.walkedBelow = true;
    const betterThenFaster = (a: RouteEntry, b: RouteEntry) =>
      (a.percentile as number) > (b.percentile as number) || (a.percentile === b.percentile && faster(a, b));
    let room = limitDown - this.tail.length;
    if (
      !anyClearing &&
      preferred !== undefined &&
      preferredRank < bar &&
      room > 0 &&
      codes[preferred.slot] === eligible &&
      !this.dominatedAmong(preferred, below)
    ) {
      this.pickChosen(preferred, stepBelow);
      this.leadIsPreferred = true;
      room -= 1;
    }
    for (const entry of this.selectBest(below, room, betterThenFaster)) {
      this.pickChosen(entry, stepBelow, anyClearing);
    }
    this.flushTail();
  }

  /**
   * The `count` eligible models of `list` that rank first by `before` (a strict "goes before"); models
   * it does not separate keep the list's order. A partial insertion sort: `count` is a handful.
   */
  private selectBest(
    list: readonly RouteEntry[],
    count: number,
    before: (a: RouteEntry, b: RouteEntry) => boolean,
  ): RouteEntry[] {
    const codes = this.codes as Uint8Array;
    const best: RouteEntry[] = [];
    if (count <= 0) return best;
    for (let position = 0; position < list.length; position++) {
      const entry = list[position] as RouteEntry;
      if (codes[entry.slot] !== eligible) continue;
      let at = best.length;
      while (at > 0 && before(entry, best[at - 1] as RouteEntry)) at--;
      if (at >= count) continue;
      best.splice(at, 0, entry);
      if (best.length > count) best.pop();
    }
    return best;
  }

  /** Adds a model checked by `checkAll` to the plan (or its tail) and takes it out of later steps. */
  private pickChosen(entry: RouteEntry, step: number, toTail = false): void {
    this.evaluate(entry);
    if (toTail) this.pushTail(entry, step);
    else this.push(this.picked.length, entry, step);
    (this.codes as Uint8Array)[entry.slot] = chosen;
  }

  /** Whether an eligible model of `list` other than `entry` beats it (outcomes from `checkAll`). */
  private dominatedAmong(entry: RouteEntry, list: readonly RouteEntry[]): boolean {
    const codes = this.codes as Uint8Array;
    for (let position = 0; position < list.length; position++) {
      const other = list[position] as RouteEntry;
      if (other !== entry && codes[other.slot] === eligible && this.dominates(other, entry)) return true;
    }
    return false;
  }

  /**
   * Puts `preferred` first when it is eligible and no eligible model of `list` (ranked so that anything
   * that could beat it comes before it) beats it on both axes; returns it when it went in.
   */
  private leadIfUndominated(preferred: RouteEntry, list: readonly RouteEntry[]): RouteEntry | undefined {
    if (this.evaluate(preferred) !== eligible) return undefined;
    const throughput = this.throughput;
    const source = this.source;
    for (let position = 0; position < list.length; position++) {
      const entry = list[position] as RouteEntry;
      if (entry === preferred) break;
      if (this.evaluate(entry) === eligible && this.dominates(entry, preferred)) return undefined;
    }
    this.throughput = throughput;
    this.source = source;
    this.push(this.picked.length, preferred, stepLead);
    this.leadIsPreferred = true;
    return preferred;
  }

  /**
   * Compares the axis a plan ranks by, best first: the blended price (the input price under
   * `maxInputPrice`), or with nitro the throughput and then that price. Nitro reads stored throughputs.
   */
  compareKey(a: RouteEntry, b: RouteEntry): number {
    if (this.nitro) {
      const throughputs = this.throughputs as Float64Array;
      const faster = (throughputs[b.slot] as number) - (throughputs[a.slot] as number);
      if (faster !== 0) return faster;
    }
    if (this.hasInputCap) {
      const inputs = this.inputBySlot as Float64Array;
      return (inputs[a.slot] as number) - (inputs[b.slot] as number);
    }
    return a.blendedPrice - b.blendedPrice;
  }

  /** Whether `a` beats `b`: at least as good a percentile and rank key, and strictly better on one. */
  dominates(a: RouteEntry, b: RouteEntry): boolean {
    const better = (a.percentile as number) - (b.percentile as number);
    if (better < 0) return false;
    const key = this.compareKey(a, b);
    return key <= 0 && (better > 0 || key < 0);
  }

  /** How `a` beats `b`, in words: `better and cheaper`, `as good and faster`... */
  dominanceText(a: RouteEntry, b: RouteEntry): string {
    const quality = (a.percentile as number) > (b.percentile as number) ? 'better' : 'as good';
    let cost: string;
    const cheaper = this.hasInputCap
      ? ((this.inputBySlot as Float64Array)[a.slot] as number) <
        ((this.inputBySlot as Float64Array)[b.slot] as number)
      : a.blendedPrice < b.blendedPrice;
    if (this.nitro) {
      const throughputs = this.throughputs as Float64Array;
      const faster = (throughputs[a.slot] as number) > (throughputs[b.slot] as number);
      cost = faster ? 'faster' : cheaper ? 'as fast and cheaper' : 'as fast and as cheap';
    } else {
      cost = cheaper ? 'cheaper' : 'as cheap';
    }
    return `${quality} and ${cost}`;
  }

  /** The effective input price of a model checked by `checkAll` (`maxInputPrice` plans). */
  inputPriceOf(entry: RouteEntry): { price: number; measured: boolean } {
    return {
      price: (this.inputBySlot as Float64Array)[entry.slot] as number,
      measured: (this.measuredBySlot as Uint8Array)[entry.slot] === 1,
    };
  }

  /** Inserts `entry` (with the throughput of its last evaluation) at `at`. */
  private push(at: number, entry: RouteEntry, step: number): void {
    const picked = this.picked;
    const throughputs = this.pickedThroughput;
    const sources = this.pickedSource;
    const steps = this.pickedStep;
    picked.push(entry);
    throughputs.push(this.throughput);
    sources.push(this.source);
    steps.push(step);
    for (let position = picked.length - 1; position > at; position--) {
      picked[position] = picked[position - 1] as RouteEntry;
      throughputs[position] = throughputs[position - 1] as number;
      sources[position] = sources[position - 1] as number;
      steps[position] = steps[position - 1] as number;
    }
    picked[at] = entry;
    throughputs[at] = this.throughput;
    sources[at] = this.source;
    steps[at] = step;
  }

  private pushTail(entry: RouteEntry, step: number): void {
    this.tail.push(entry);
    this.tailThroughput.push(this.throughput);
    this.tailSource.push(this.source);
    this.tailStep.push(step);
  }

  private flushTail(): void {
    for (let position = 0; position < this.tail.length; position++) {
      this.picked.push(this.tail[position] as RouteEntry);
      this.pickedThroughput.push(this.tailThroughput[position] as number);
      this.pickedSource.push(this.tailSource[position] as number);
      this.pickedStep.push(this.tailStep[position] as number);
    }
  }

  private dropLast(): void {
    this.picked.pop();
    this.pickedThroughput.pop();
    this.pickedSource.pop();
    this.pickedStep.pop();
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
        return `blended price ${entry.text.blendedPrice} > max_blended_price ${this.capBlendedText}`;
      case overInputPrice:
        this.capInputText ??= formatPrice(this.capInput);
        return `input price ${entry.text.inputPrice} > max_prompt_price ${this.capInputText}`;
      case overOutputPrice:
        this.capOutputText ??= formatPrice(this.capOutput);
        return `output price ${entry.text.outputPrice} > max_completion_price ${this.capOutputText}`;
      case overInputCap: {
        const { price, measured } = this.inputPriceOf(entry);
        const what = measured ? 'measured input price' : 'input price';
        return `${what} ${formatPrice(price)} > max_price ${formatPrice(this.maxInputPrice)}`;
      }
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
 * Plans one request: filters the shortlist by the request's constraints and live availability, then
 * ranks what is left by the policy's rule.
 *
 * - `pareto` (the default): the primary is the cheapest eligible model whose percentile clears the bar's
 *   tier (with nitro, the fastest), so no eligible model beats it on both percentile and price, even when
 *   it sits in a higher tier than the bar selects. Fallbacks step up the frontier (better and dearer)
 *   first, then take the cheapest models left at or above the bar, then the best below it (see
 *   `Planner.pickPareto`).
 * - `bands`: keeps the models whose percentile falls in the requested tier, ranks them (cheapest first,
 *   or fastest with nitro), takes a primary and up to `maxFallbacks` siblings, and steps into a
 *   neighbouring tier only when the requested tier has no candidate at all.
 * - With `maxInputPrice` (the hosted router's `max_price`), under either rule, tiers are bypassed: the
 *   best-scoring model of the frontier priced at or below the cap, then cheaper frontier models, then
 *   the others (see `Planner.pickUnderCap`).
 *
 * Everything about the index that no request changes (tiers, price order, detail text) is worked out
 * once per index (`route-index.ts`), so a decision costs a walk down the cheapest models of a few tiers.
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
  const capped = features.maxInputPrice !== undefined;
  const rule = policy.rule;
  const requested = requestedTier(features.minCodingScore, policy.cutoffs);
  const tier = capped ? null : requested;
  const planner = new Planner(features, live, policy);
  const explainAll = options.decisions !== 'when_empty';
  // Live throughput (pareto with nitro) and measured prices (the cap) order the whole shortlist, so
  // every model is checked once up front.
  if (explainAll || capped || (rule === 'pareto' && planner.nitro)) planner.checkAll(entries);

  let preferred: RouteEntry | undefined;
  if (features.preferredModel !== undefined) preferred = bands.index.byId.get(features.preferredModel);
  const preferredTier = preferred === undefined ? null : (bands.tierBySlot[preferred.slot] ?? null);
  const limitUp = sliceLimit(1 + policy.maxFallbacks);
  const limitDown = sliceLimit(policy.maxNeighbourCandidates);

  let sameTierCount = 0;
  let steppedTo: TierName | null = null;
  let neighbourTier: TierName | null = null;
  if (capped) {
    planner.pickUnderCap(bands, preferred, limitUp + limitDown);
  } else if (rule === 'pareto') {
    planner.pickPareto(bands, requested, preferred, limitUp, limitDown);
    const first = planner.picked[0];
    const firstTier = first === undefined ? null : (bands.tierBySlot[first.slot] as TierName);
    if (firstTier !== null && firstTier !== requested) steppedTo = firstTier;
  } else {
    planner.pickFrom(bands.byTier[requested], limitUp, preferredTier === requested ? preferred : undefined);
    sameTierCount = planner.picked.length;
    // The neighbouring tier comes after the whole requested tier: the executor reaches it only when
    // every same-tier candidate failed, and it leads the plan when the requested tier has nothing
    // available.
    const neighbours = neighboursOf[requested];
    for (let position = 0; position < neighbours.length; position++) {
      const neighbour = neighbours[position] as TierName;
      const any = planner.pickFrom(
        bands.byTier[neighbour],
        limitDown,
        preferredTier === neighbour ? preferred : undefined,
      );
      if (!any) continue;
      if (sameTierCount === 0) steppedTo = neighbour;
      neighbourTier = neighbour;
      break;
    }
  }

  const candidates: PlannedCandidate[] = [];
  const picked = planner.picked;
  for (let position = 0; position < picked.length; position++) {
    const entry = picked[position] as RouteEntry;
    const entryTier = bands.tierBySlot[entry.slot] as TierName;
    const step = planner.pickedStep[position] as number;
    const throughput = planner.pickedThroughput[position] as number;
    const source = planner.pickedSource[position] as number;
    let role: PlannedCandidate['role'];
    if (rule === 'bands' && !capped) {
      role = position >= sameTierCount ? 'neighbour' : position === 0 ? 'primary' : 'fallback';
    } else {
      role = step === stepBelow ? 'neighbour' : position === 0 ? 'primary' : 'fallback';
    }
    const order = planner.nitro
      ? source === sourceNone
        ? 'no throughput figure, ranked by price'
        : `${Math.round(throughput)} tok/s (${throughputSources[source]})`
      : null;
    let reason: string;
    if (capped) {
      const { price, measured } = planner.inputPriceOf(entry);
      const place = step === stepCapFrontier ? 'on the frontier' : 'off the frontier';
      const priced = `input ${formatPrice(price)} (${measured ? 'measured' : 'list price'})`;
      reason = `${place}; ${order === null ? priced : `${order}, ${priced}`}`;
    } else if (rule === 'pareto') {
      if (order === null) {
        reason = step === stepLead ? entry.text.priceOrder : entry.stepText(stepNames[step] ?? 'down');
      } else {
        reason =
          step === stepLead
            ? order
            : step === stepUp
              ? `next up the frontier; ${order}`
              : step === stepDown
                ? `fastest left at or above the bar; ${order}`
                : `below the bar, best first; ${order}`;
      }
    } else if (order !== null) {
      reason = role === 'neighbour' ? `neighbouring ${entryTier} tier; ${order}` : order;
    } else {
      reason =
        role === 'neighbour' ? entry.tierText('neighbour', entryTier, requested) : entry.text.priceOrder;
    }
    const sticky =
      rule === 'bands' && !capped
        ? entry.id === features.preferredModel
        : position === 0 && planner.leadIsPreferred;
    if (sticky) reason = `sticky session; ${reason}`;
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
    if (capped) {
      const { price, measured } = planner.inputPriceOf(entry);
      candidate.inputPrice = price;
      candidate.inputPriceSource = measured ? 'measured' : 'list';
    }
    candidates.push(candidate);
  }

  let decisions: ModelDecision[] = [];
  if (explainAll || candidates.length === 0) {
    if (planner.codes === null) planner.checkAll(entries);
    decisions =
      rule === 'bands' && !capped
        ? explain(planner, bands, requested, neighbourTier, candidates)
        : explainFrontier(planner, bands, tier, candidates);
  }

  return {
    snapshotVersion: index.version,
    rule,
    minCodingScore: features.minCodingScore ?? null,
    tier,
    nitro: planner.nitro,
    maxInputPrice: features.maxInputPrice ?? null,
    steppedTo,
    candidates,
    decisions,
  };
}

const stepNames: readonly ('up' | 'down' | 'below' | undefined)[] = [undefined, 'up', 'down', 'below'];

/** The decision on every shortlist model, in id order, from the outcomes `checkAll` stored (bands rule). */
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

/**
 * The decision on every shortlist model for the pareto rule and for `maxInputPrice` plans: an eligible
 * model left out is `dominated` when an eligible model beats it on both axes (the cheapest such one is
 * named), `other_tier` when it is below the bar and the plan never went there, `beyond_fallbacks`
 * otherwise.
 */
function explainFrontier(
  planner: Planner,
  bands: TierBands,
  tier: TierName | null,
  candidates: readonly PlannedCandidate[],
): ModelDecision[] {
  const codes = planner.codes as Uint8Array;
  const picked = planner.picked;
  for (const entry of picked) codes[entry.slot] = chosen;
  const entries = bands.index.entries;
  const dominators = findDominators(planner, bands, codes);
  const bar = tier === null ? 0 : tierRank[tier];
  const decisions: ModelDecision[] = [];
  for (let slot = 0; slot < entries.length; slot++) {
    const entry = entries[slot] as RouteEntry;
    const code = codes[slot] as number;
    const entryTier = bands.tierBySlot[slot] ?? null;
    if (code === chosen) {
      const detail = (candidates[picked.indexOf(entry)] as PlannedCandidate).reason;
      decisions.push({ modelId: entry.id, tier: entryTier, kept: true, reason: 'candidate', detail });
      continue;
    }
    if (code !== eligible || entryTier === null) {
      decisions.push({
        modelId: entry.id,
        tier: entryTier,
        kept: false,
        reason: dropReasonOf[code] as DropReason,
        detail: planner.dropDetail(code, entry),
      });
      continue;
    }
    const below = tier !== null && tierRank[entryTier] < bar;
    const dominator = dominators[slot];
    if (below && !planner.walkedBelow) {
      decisions.push({
        modelId: entry.id,
        tier: entryTier,
        kept: false,
        reason: 'other_tier',
        detail: entry.tierText('other_tier', entryTier, tier as TierName),
      });
    } else if (dominator !== undefined) {
      decisions.push({
        modelId: entry.id,
        tier: entryTier,
        kept: false,
        reason: 'dominated',
        detail: `dominated by ${dominator.id} (${planner.dominanceText(dominator, entry)})`,
      });
    } else {
      decisions.push({
        modelId: entry.id,
        tier: entryTier,
        kept: false,
        reason: 'beyond_fallbacks',
        detail: 'eligible, but ranked after the primary and its fallbacks',
      });
    }
  }
  return decisions;
}

/**
 * For each eligible model (chosen ones included), the first model in rank order that beats it on both
 * axes, if any. Walking in rank order, the models seen so far that beat every earlier percentile (the
 * frontier so far) are kept in a list of rising percentile; a model's first rival is the first of them
 * at or above its percentile. O(n log n).
 */
function findDominators(planner: Planner, bands: TierBands, codes: Uint8Array): (RouteEntry | undefined)[] {
  const ranked: RouteEntry[] = [];
  const byPrice = bands.index.byPrice;
  for (let position = 0; position < byPrice.length; position++) {
    const entry = byPrice[position] as RouteEntry;
    const code = codes[entry.slot];
    if (code === eligible || code === chosen) ranked.push(entry);
  }
  if (planner.nitro || planner.hasInputCap) {
    ranked.sort(
      (a, b) =>
        planner.compareKey(a, b) ||
        (b.percentile as number) - (a.percentile as number) ||
        compareIds(a.id, b.id),
    );
  }
  const dominators: (RouteEntry | undefined)[] = [];
  const records: RouteEntry[] = [];
  for (const entry of ranked) {
    const percentile = entry.percentile as number;
    let low = 0;
    let high = records.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (((records[middle] as RouteEntry).percentile as number) >= percentile) high = middle;
      else low = middle + 1;
    }
    const rival = records[low];
    if (rival !== undefined && planner.dominates(rival, entry)) dominators[entry.slot] = rival;
    const last = records[records.length - 1];
    if (last === undefined || percentile > (last.percentile as number)) records.push(entry);
  }
  return dominators;
}

/** How many models a limit lets through, as `Array.prototype.slice(0, limit)` would. */
function sliceLimit(limit: number): number {
  return limit > 0 ? Math.floor(limit) : 0;
}

/**
 * The routing rules written the plain way: check every model, sort every list, compare every pair, explain
 * every model. Slow, but easy to read against the design; tests hold the fast `route()` to give the same
 * plans under both rules and under the hosted router's `max_price`.
 */
import type { IndexedModel, ModelIndex } from '../model-index.js';
import {
  type DropReason,
  defaultRoutePolicy,
  type LiveStatsView,
  type ModelDecision,
  noLiveStats,
  type PlannedCandidate,
  type RouteFeatures,
  type RoutePlan,
  type RoutePolicy,
} from '../route.js';
import { neighbourTiers, requestedTier, type TierName, tierOf } from '../tiers.js';

interface Ranked {
  model: IndexedModel;
  tier: TierName;
  throughput: number;
  throughputSource: 'live' | 'reference' | 'none';
  /** The input price a `maxInputPrice` plan ranks by, and whether it was measured. */
  inputPrice: number;
  measured: boolean;
}

type Step = 'lead' | 'up' | 'down' | 'below' | 'frontier' | 'other';

interface Pick {
  ranked: Ranked;
  step: Step;
}

const rankOf: Record<TierName, number> = { low: 0, medium: 1, high: 2 };

export function referenceRoute(
  features: RouteFeatures,
  index: ModelIndex,
  live: LiveStatsView = noLiveStats,
  policy: RoutePolicy = defaultRoutePolicy,
): RoutePlan {
  const requested = requestedTier(features.minCodingScore, policy.cutoffs);
  const capped = features.maxInputPrice !== undefined;
  const nitro = features.nitro === true;
  const decisions: ModelDecision[] = [];
  const eligibleModels: Ranked[] = [];

  for (const model of index.shortlist) {
    const percentile = model.codingPercentile;
    const modelTier = percentile === null ? null : tierOf(percentile, policy.cutoffs);
    const measuredPrice = features.inputPrices?.get(model.id);
    const measured = measuredPrice !== undefined && Number.isFinite(measuredPrice) && measuredPrice >= 0;
    const inputPrice = measured ? (measuredPrice as number) : model.pricing.input;
    const drop = checkConstraints(model, features, live, inputPrice, measured);
    if (drop !== null) {
      decisions.push({
        modelId: model.id,
        tier: modelTier,
        kept: false,
        reason: drop.reason,
        detail: drop.detail,
      });
      continue;
    }
    if (modelTier === null) {
      decisions.push({
        modelId: model.id,
        tier: null,
        kept: false,
        reason: 'unbenchmarked',
        detail: 'no coding benchmark in this snapshot, so no percentile',
      });
      continue;
    }
    const stats = live.get(model.id);
    let throughput = 0;
    let throughputSource: Ranked['throughputSource'] = 'none';
    if (nitro) {
      if (
        stats?.throughputP50 !== undefined &&
        (stats.throughputSamples ?? 0) >= policy.nitroMinSamples &&
        stats.throughputP50 > 0
      ) {
        throughput = stats.throughputP50;
        throughputSource = 'live';
      } else if (model.throughputTokensPerSecond !== undefined) {
        throughput = model.throughputTokensPerSecond;
        throughputSource = 'reference';
      }
    }
    eligibleModels.push({ model, tier: modelTier, throughput, throughputSource, inputPrice, measured });
  }

  const base = {
    snapshotVersion: index.version,
    rule: policy.rule,
    minCodingScore: features.minCodingScore ?? null,
    nitro,
    maxInputPrice: features.maxInputPrice ?? null,
  };
  if (capped) {
    const { candidates, kept } = planUnderCap(eligibleModels, features, policy, nitro);
    explainFrontier(decisions, eligibleModels, kept, candidates, null, requested, false, features, nitro);
    decisions.sort((a, b) => compareIds(a.modelId, b.modelId));
    return { ...base, tier: null, steppedTo: null, candidates, decisions };
  }
  if (policy.rule === 'pareto') {
    const { candidates, kept, walkedBelow } = planPareto(eligibleModels, features, policy, requested, nitro);
    explainFrontier(
      decisions,
      eligibleModels,
      kept,
      candidates,
      requested,
      requested,
      walkedBelow,
      features,
      nitro,
    );
    decisions.sort((a, b) => compareIds(a.modelId, b.modelId));
    const firstTier = candidates[0]?.tier;
    const steppedTo = firstTier !== undefined && firstTier !== requested ? firstTier : null;
    return { ...base, tier: requested, steppedTo, candidates, decisions };
  }

  const eligibleByTier: Record<TierName, Ranked[]> = { high: [], medium: [], low: [] };
  for (const ranked of eligibleModels) eligibleByTier[ranked.tier].push(ranked);
  const compare = nitro ? compareByThroughput : compareByPrice;
  for (const list of Object.values(eligibleByTier)) list.sort(compare);

  const candidates: PlannedCandidate[] = [];
  const chosen = new Set<string>();
  let steppedTo: TierName | null = null;
  const sameTier = eligibleByTier[requested];
  preferModel(sameTier, features.preferredModel);
  takeCandidates(
    sameTier,
    1 + policy.maxFallbacks,
    'fallback',
    candidates,
    chosen,
    nitro,
    features.preferredModel,
  );
  let neighbourTier: TierName | null = null;
  for (const neighbour of neighbourTiers(requested)) {
    const list = eligibleByTier[neighbour];
    if (list.length === 0) continue;
    if (candidates.length === 0) steppedTo = neighbour;
    preferModel(list, features.preferredModel);
    takeCandidates(
      list,
      policy.maxNeighbourCandidates,
      'neighbour',
      candidates,
      chosen,
      nitro,
      features.preferredModel,
    );
    neighbourTier = neighbour;
    break;
  }

  for (const list of Object.values(eligibleByTier)) {
    for (const ranked of list) {
      const kept = chosen.has(ranked.model.id);
      let reason: ModelDecision['reason'] = 'candidate';
      let detail = 'candidate';
      if (!kept) {
        if (ranked.tier !== requested && ranked.tier !== neighbourTier) {
          reason = 'other_tier';
          detail = `percentile ${ranked.model.codingPercentile} is in the ${ranked.tier} tier, not ${requested}`;
        } else {
          reason = 'beyond_fallbacks';
          detail = 'eligible, but ranked after the primary and its fallbacks';
        }
      } else {
        detail = candidates.find((candidate) => candidate.modelId === ranked.model.id)?.reason ?? 'candidate';
      }
      decisions.push({ modelId: ranked.model.id, tier: ranked.tier, kept, reason, detail });
    }
  }
  decisions.sort((a, b) => compareIds(a.modelId, b.modelId));

  return { ...base, tier: requested, steppedTo, candidates, decisions };
}

/** The price a plan ranks by: the input price (measured or list) under `maxInputPrice`, else blended. */
function priceOf(ranked: Ranked, features: RouteFeatures): number {
  return features.maxInputPrice !== undefined ? ranked.inputPrice : ranked.model.blendedPrice;
}

/** Best first on the ranking axis: the price, or with nitro the throughput and then the price. */
function compareKey(a: Ranked, b: Ranked, features: RouteFeatures, nitro: boolean): number {
  return (nitro ? b.throughput - a.throughput : 0) || priceOf(a, features) - priceOf(b, features);
}

function dominates(a: Ranked, b: Ranked, features: RouteFeatures, nitro: boolean): boolean {
  const pa = a.model.codingPercentile as number;
  const pb = b.model.codingPercentile as number;
  const key = compareKey(a, b, features, nitro);
  return pa >= pb && key <= 0 && (pa > pb || key < 0);
}

function rankOrder(features: RouteFeatures, nitro: boolean) {
  return (a: Ranked, b: Ranked) =>
    compareKey(a, b, features, nitro) ||
    (b.model.codingPercentile as number) - (a.model.codingPercentile as number) ||
    compareIds(a.model.id, b.model.id);
}

function percentileOrder(features: RouteFeatures, nitro: boolean) {
  return (a: Ranked, b: Ranked) =>
    (b.model.codingPercentile as number) - (a.model.codingPercentile as number) ||
    compareKey(a, b, features, nitro) ||
    compareIds(a.model.id, b.model.id);
}

/** The pareto rule, step by step: the frontier upwards, then the cheapest left at the bar, then below. */
function planPareto(
  eligibleModels: readonly Ranked[],
  features: RouteFeatures,
  policy: RoutePolicy,
  requested: TierName,
  nitro: boolean,
): { candidates: PlannedCandidate[]; kept: Set<string>; walkedBelow: boolean } {
  const limitUp = Math.max(0, Math.floor(1 + policy.maxFallbacks));
  const limitDown = Math.max(0, Math.floor(policy.maxNeighbourCandidates));
  const clears = (ranked: Ranked) => rankOf[ranked.tier] >= rankOf[requested];
  const atBar = eligibleModels.filter(clears).sort(rankOrder(features, nitro));
  const underBar = eligibleModels.filter((ranked) => !clears(ranked)).sort(percentileOrder(features, nitro));
  const undominated = (candidate: Ranked) =>
    !eligibleModels.some((other) => dominates(other, candidate, features, nitro));
  const picks: Pick[] = [];
  let leadIsPreferred = false;

  const preferred = eligibleModels.find((ranked) => ranked.model.id === features.preferredModel);
  let remaining = [...atBar];
  // The sticky model leads only up to the tier the plan would start in without it.
  const start = atBar[0];
  if (
    preferred !== undefined &&
    start !== undefined &&
    clears(preferred) &&
    rankOf[preferred.tier] <= rankOf[start.tier] &&
    limitUp > 0 &&
    undominated(preferred)
  ) {
    picks.push({ ranked: preferred, step: 'lead' });
    leadIsPreferred = true;
    remaining = remaining.filter((ranked) => ranked !== preferred);
  }
  let top = Number.NEGATIVE_INFINITY;
  while (picks.length < limitUp) {
    const next = remaining.find((ranked) => (ranked.model.codingPercentile as number) > top);
    if (next === undefined) break;
    picks.push({
      ranked: next,
      step: picks.length === 0 ? 'lead' : top === Number.NEGATIVE_INFINITY ? 'down' : 'up',
    });
    top = next.model.codingPercentile as number;
    remaining = remaining.filter((ranked) => ranked !== next);
  }
  const downs = remaining.slice(0, limitDown);
  for (const ranked of downs) picks.push({ ranked, step: 'down' });
  const walkedBelow = atBar.length === 0 || downs.length < limitDown;
  if (walkedBelow) {
    if (atBar.length === 0) {
      const list = [...underBar];
      if (preferred !== undefined && !clears(preferred) && limitDown > 0 && undominated(preferred)) {
        list.splice(list.indexOf(preferred), 1);
        list.unshift(preferred);
        leadIsPreferred = true;
      }
      for (const ranked of list.slice(0, limitDown)) picks.push({ ranked, step: 'below' });
    } else {
      for (const ranked of underBar.slice(0, limitDown - downs.length)) picks.push({ ranked, step: 'below' });
    }
  }

  const candidates = picks.map((pick, position) =>
    candidateOf(pick, position, nitro, features, leadIsPreferred && position === 0),
  );
  return { candidates, kept: new Set(picks.map((pick) => pick.ranked.model.id)), walkedBelow };
}

/** The hosted `max_price`: the frontier under the cap best first, then the rest best first. */
function planUnderCap(
  eligibleModels: readonly Ranked[],
  features: RouteFeatures,
  policy: RoutePolicy,
  nitro: boolean,
): { candidates: PlannedCandidate[]; kept: Set<string> } {
  const limit =
    Math.max(0, Math.floor(1 + policy.maxFallbacks)) + Math.max(0, Math.floor(policy.maxNeighbourCandidates));
  const ranked = [...eligibleModels].sort(percentileOrder(features, nitro));
  const onFrontier = (candidate: Ranked) =>
    !eligibleModels.some((other) => dominates(other, candidate, features, nitro));
  const ordered = [...ranked.filter(onFrontier), ...ranked.filter((model) => !onFrontier(model))];
  const preferred = ranked.find((model) => model.model.id === features.preferredModel);
  let leadIsPreferred = false;
  if (preferred !== undefined && onFrontier(preferred) && limit > 0) {
    ordered.splice(ordered.indexOf(preferred), 1);
    ordered.unshift(preferred);
    leadIsPreferred = true;
  }
  const picks: Pick[] = ordered
    .slice(0, limit)
    .map((model) => ({ ranked: model, step: onFrontier(model) ? 'frontier' : 'other' }));
  const candidates = picks.map((pick, position) =>
    candidateOf(pick, position, nitro, features, leadIsPreferred && position === 0),
  );
  return { candidates, kept: new Set(picks.map((pick) => pick.ranked.model.id)) };
}

function candidateOf(
  pick: Pick,
  position: number,
  nitro: boolean,
  features: RouteFeatures,
  sticky: boolean,
): PlannedCandidate {
  const { ranked, step } = pick;
  const role: PlannedCandidate['role'] =
    step === 'below' ? 'neighbour' : position === 0 ? 'primary' : 'fallback';
  const order = nitro
    ? ranked.throughputSource === 'none'
      ? 'no throughput figure, ranked by price'
      : `${Math.round(ranked.throughput)} tok/s (${ranked.throughputSource})`
    : null;
  const price = `${formatPrice(ranked.model.blendedPrice)} blended`;
  let reason: string;
  if (step === 'frontier' || step === 'other') {
    const place = step === 'frontier' ? 'on the frontier' : 'off the frontier';
    const priced = `input ${formatPrice(ranked.inputPrice)} (${ranked.measured ? 'measured' : 'list price'})`;
    reason = `${place}; ${order === null ? priced : `${order}, ${priced}`}`;
  } else if (step === 'lead') {
    reason = order ?? price;
  } else if (step === 'up') {
    reason = `next up the frontier; ${order ?? price}`;
  } else if (step === 'down') {
    reason =
      order === null
        ? `cheapest left at or above the bar; ${price}`
        : `fastest left at or above the bar; ${order}`;
  } else {
    reason = `below the bar, best first; ${order ?? `percentile ${ranked.model.codingPercentile}`}`;
  }
  if (sticky) reason = `sticky session; ${reason}`;
  const candidate: PlannedCandidate = {
    modelId: ranked.model.id,
    tier: ranked.tier,
    role,
    blendedPrice: ranked.model.blendedPrice,
    codingPercentile: ranked.model.codingPercentile as number,
    reason,
  };
  if (nitro) {
    candidate.throughput = ranked.throughput;
    candidate.throughputSource = ranked.throughputSource;
  }
  if (features.maxInputPrice !== undefined) {
    candidate.inputPrice = ranked.inputPrice;
    candidate.inputPriceSource = ranked.measured ? 'measured' : 'list';
  }
  return candidate;
}

/** Decisions of eligible models under the pareto rule and `maxInputPrice`. */
function explainFrontier(
  decisions: ModelDecision[],
  eligibleModels: readonly Ranked[],
  kept: ReadonlySet<string>,
  candidates: readonly PlannedCandidate[],
  tier: TierName | null,
  requested: TierName,
  walkedBelow: boolean,
  features: RouteFeatures,
  nitro: boolean,
): void {
  const inRankOrder = [...eligibleModels].sort(rankOrder(features, nitro));
  for (const ranked of eligibleModels) {
    const id = ranked.model.id;
    if (kept.has(id)) {
      const detail = candidates.find((candidate) => candidate.modelId === id)?.reason ?? 'candidate';
      decisions.push({ modelId: id, tier: ranked.tier, kept: true, reason: 'candidate', detail });
      continue;
    }
    const below = tier !== null && rankOf[ranked.tier] < rankOf[tier];
    const rival = inRankOrder.find((other) => dominates(other, ranked, features, nitro));
    if (below && !walkedBelow) {
      decisions.push({
        modelId: id,
        tier: ranked.tier,
        kept: false,
        reason: 'other_tier',
        detail: `percentile ${ranked.model.codingPercentile} is in the ${ranked.tier} tier, not ${requested}`,
      });
    } else if (rival !== undefined) {
      decisions.push({
        modelId: id,
        tier: ranked.tier,
        kept: false,
        reason: 'dominated',
        detail: `dominated by ${rival.model.id} (${dominanceText(rival, ranked, features, nitro)})`,
      });
    } else {
      decisions.push({
        modelId: id,
        tier: ranked.tier,
        kept: false,
        reason: 'beyond_fallbacks',
        detail: 'eligible, but ranked after the primary and its fallbacks',
      });
    }
  }
}

function dominanceText(a: Ranked, b: Ranked, features: RouteFeatures, nitro: boolean): string {
  const quality =
    (a.model.codingPercentile as number) > (b.model.codingPercentile as number) ? 'better' : 'as good';
  const cheaper = priceOf(a, features) < priceOf(b, features);
  const cost = nitro
    ? a.throughput > b.throughput
      ? 'faster'
      : cheaper
        ? 'as fast and cheaper'
        : 'as fast and as cheap'
    : cheaper
      ? 'cheaper'
      : 'as cheap';
  return `${quality} and ${cost}`;
}

function checkConstraints(
  model: IndexedModel,
  features: RouteFeatures,
  live: LiveStatsView,
  inputPrice: number,
  measured: boolean,
): { reason: DropReason; detail: string } | null {
  if (features.allowedModels !== undefined && !features.allowedModels(model.id)) {
    return { reason: 'not_allowed', detail: 'not matched by allowed_models' };
  }
  if (features.excludedModels?.(model.id) === true) {
    return { reason: 'excluded', detail: 'matched by excluded_models' };
  }
  const needed = (features.estimatedPromptTokens ?? 0) + (features.maxTokens ?? 0);
  if (needed > model.contextLength) {
    return {
      reason: 'context_too_small',
      detail: `needs ${needed} tokens (prompt estimate + max_tokens), context is ${model.contextLength}`,
    };
  }
  if (features.maxTokens !== undefined && features.maxTokens > model.maxOutputTokens) {
    return {
      reason: 'max_tokens_too_large',
      detail: `max_tokens ${features.maxTokens} is above the model's ${model.maxOutputTokens} output tokens`,
    };
  }
  if (features.needsTools === true && !model.capabilities.tools) {
    return { reason: 'no_tools', detail: 'the request has tools; the model does not support tool calling' };
  }
  if (features.needsStructuredOutput === true && !model.capabilities.structuredOutput) {
    return { reason: 'no_structured_output', detail: 'json_schema response_format is not supported' };
  }
  if (features.needsImageInput === true && !model.capabilities.imageInput) {
    return { reason: 'no_image_input', detail: 'the request has images; the model takes text only' };
  }
  const cap = features.priceCaps;
  if (cap !== undefined) {
    if (cap.blended !== undefined && model.blendedPrice > cap.blended) {
      return {
        reason: 'over_max_price',
        detail: `blended price ${formatPrice(model.blendedPrice)} > max_blended_price ${formatPrice(cap.blended)}`,
      };
    }
    if (cap.input !== undefined && model.pricing.input > cap.input) {
      return {
        reason: 'over_max_price',
        detail: `input price ${formatPrice(model.pricing.input)} > max_prompt_price ${formatPrice(cap.input)}`,
      };
    }
    if (cap.output !== undefined && model.pricing.output > cap.output) {
      return {
        reason: 'over_max_price',
        detail: `output price ${formatPrice(model.pricing.output)} > max_completion_price ${formatPrice(cap.output)}`,
      };
    }
  }
  if (features.maxInputPrice !== undefined && inputPrice > features.maxInputPrice) {
    return {
      reason: 'over_max_price',
      detail: `${measured ? 'measured input price' : 'input price'} ${formatPrice(inputPrice)} > max_price ${formatPrice(features.maxInputPrice)}`,
    };
  }
  const stats = live.get(model.id);
  if (stats !== undefined && !stats.available) {
    return { reason: 'unavailable', detail: stats.unavailableReason ?? 'unavailable' };
  }
  return null;
}

function formatPrice(value: number): string {
  return `$${Number(value.toFixed(4))}/M`;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareByPrice(a: Ranked, b: Ranked): number {
  return (
    a.model.blendedPrice - b.model.blendedPrice ||
    (b.model.codingPercentile as number) - (a.model.codingPercentile as number) ||
    compareIds(a.model.id, b.model.id)
  );
}

function compareByThroughput(a: Ranked, b: Ranked): number {
  return b.throughput - a.throughput || compareByPrice(a, b);
}

function preferModel(list: Ranked[], preferred: string | undefined): void {
  if (preferred === undefined) return;
  const position = list.findIndex((ranked) => ranked.model.id === preferred);
  if (position > 0) list.unshift(...list.splice(position, 1));
}

function takeCandidates(
  list: readonly Ranked[],
  limit: number,
  laterRole: 'fallback' | 'neighbour',
  candidates: PlannedCandidate[],
  chosen: Set<string>,
  nitro: boolean,
  preferred: string | undefined,
): void {
  for (const ranked of list.slice(0, limit)) {
    const role: PlannedCandidate['role'] =
      candidates.length === 0 && laterRole === 'fallback' ? 'primary' : laterRole;
    const order = nitro
      ? ranked.throughputSource === 'none'
        ? 'no throughput figure, ranked by price'
        : `${Math.round(ranked.throughput)} tok/s (${ranked.throughputSource})`
      : `$${Number(ranked.model.blendedPrice.toFixed(4))}/M blended`;
    const sticky = ranked.model.id === preferred ? 'sticky session; ' : '';
    const candidate: PlannedCandidate = {
      modelId: ranked.model.id,
      tier: ranked.tier,
      role,
      blendedPrice: ranked.model.blendedPrice,
      codingPercentile: ranked.model.codingPercentile as number,
      reason: `${sticky}${role === 'neighbour' ? `neighbouring ${ranked.tier} tier; ` : ''}${order}`,
    };
    if (nitro) {
      candidate.throughput = ranked.throughput;
      candidate.throughputSource = ranked.throughputSource;
    }
    candidates.push(candidate);
    chosen.add(ranked.model.id);
  }
}

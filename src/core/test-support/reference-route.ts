/**
 * The routing rules written the plain way: check every model, sort every tier, explain every model.
 * Slow, but easy to read against the design; tests hold the fast `route()` to give the same plans.
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
}

export function referenceRoute(
  features: RouteFeatures,
  index: ModelIndex,
  live: LiveStatsView = noLiveStats,
  policy: RoutePolicy = defaultRoutePolicy,
): RoutePlan {
  const tier = requestedTier(features.minCodingScore, policy.cutoffs);
  const nitro = features.nitro === true;
  const decisions: ModelDecision[] = [];
  const eligibleByTier: Record<TierName, Ranked[]> = { high: [], medium: [], low: [] };

  for (const model of index.shortlist) {
    const percentile = model.codingPercentile;
    const modelTier = percentile === null ? null : tierOf(percentile, policy.cutoffs);
    const drop = checkConstraints(model, features, live);
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
    eligibleByTier[modelTier].push({ model, tier: modelTier, throughput, throughputSource });
  }

  const compare = nitro ? compareByThroughput : compareByPrice;
  for (const list of Object.values(eligibleByTier)) list.sort(compare);

  const candidates: PlannedCandidate[] = [];
  const chosen = new Set<string>();
  let steppedTo: TierName | null = null;
  const sameTier = eligibleByTier[tier];
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
  for (const neighbour of neighbourTiers(tier)) {
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
        if (ranked.tier !== tier && ranked.tier !== neighbourTier) {
          reason = 'other_tier';
          detail = `percentile ${ranked.model.codingPercentile} is in the ${ranked.tier} tier, not ${tier}`;
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
  decisions.sort((a, b) => (a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0));

  return {
    snapshotVersion: index.version,
    minCodingScore: features.minCodingScore ?? null,
    tier,
    nitro,
    steppedTo,
    candidates,
    decisions,
  };
}

function checkConstraints(
  model: IndexedModel,
  features: RouteFeatures,
  live: LiveStatsView,
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
  const cap = features.maxPrice;
  if (cap !== undefined) {
    if (cap.blended !== undefined && model.blendedPrice > cap.blended) {
      return {
        reason: 'over_max_price',
        detail: `blended price ${formatPrice(model.blendedPrice)} > max_price ${formatPrice(cap.blended)}`,
      };
    }
    if (cap.input !== undefined && model.pricing.input > cap.input) {
      return {
        reason: 'over_max_price',
        detail: `input price ${formatPrice(model.pricing.input)} > max_price ${formatPrice(cap.input)}`,
      };
    }
    if (cap.output !== undefined && model.pricing.output > cap.output) {
      return {
        reason: 'over_max_price',
        detail: `output price ${formatPrice(model.pricing.output)} > max_price.completion ${formatPrice(cap.output)}`,
      };
    }
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

function compareByPrice(a: Ranked, b: Ranked): number {
  return (
    a.model.blendedPrice - b.model.blendedPrice ||
    (b.model.codingPercentile as number) - (a.model.codingPercentile as number) ||
    (a.model.id < b.model.id ? -1 : a.model.id > b.model.id ? 1 : 0)
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

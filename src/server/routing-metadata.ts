/**
 * The routing decision on the response, for a caller that sends the hosted router's opt-in header
 * (`X-OpenRouter-Metadata: enabled`): the `openrouter_metadata` object in the hosted router's shape
 * (`requested`, `strategy`, `summary`, `attempt`, `attempts`, `endpoints`, `params`, `pipeline`,
 * `generation_time`, `is_byok`, `region`), whose one `pipeline` stage, `pareto-router`, carries the
 * router's own decision: tier, rule, candidates with their reasons, why every other model was left out,
 * and the warnings. Documented in docs/routing.md.
 */
import type { ModelDecision, RoutePlan } from '../core/route.js';
import type { AttemptRecord, CandidateModel } from '../executor/execute-chat.js';
import type { UpstreamTarget } from '../executor/upstream-catalog.js';
import type { ParsedChatRequest } from './parse-chat-request.js';

/** What the executor reports that the metadata reads. */
export interface RoutingOutcome {
  target: UpstreamTarget;
  /** Every attempt, the answering one last. */
  attempts: readonly AttemptRecord[];
}

/** `openrouter_metadata`, snake_case as on the wire. */
export interface RoutingMetadata {
  requested: string;
  strategy: 'pareto' | 'direct' | 'fallback';
  summary: string;
  /** Which attempt answered, counting from 1. */
  attempt: number;
  attempts: { model: string; provider: string; status: number }[];
  endpoints: { available: { model: string; provider: string; selected: boolean }[]; total: number };
  /** Milliseconds of the answering attempt, from sending the request to the end of the answer. */
  generation_time: number;
  is_byok: false;
  region: null;
  params: Record<string, unknown>;
  pipeline: {
    type: 'plugin';
    name: 'pareto-router';
    summary: string;
    data: Record<string, unknown>;
  }[];
}

/** The metadata of one answered request, or undefined when the caller did not ask for it. */
export function routingMetadataOf(
  parsed: ParsedChatRequest,
  plan: RoutePlan | null,
  candidates: readonly CandidateModel[],
  outcome: RoutingOutcome,
): RoutingMetadata | undefined {
  if (!parsed.routingMetadata) return undefined;
  const displayNames = new Map<string, string>();
  const available: RoutingMetadata['endpoints']['available'] = [];
  for (const candidate of candidates) {
    for (const target of candidate.targets) {
      displayNames.set(target.upstream.name, target.upstream.displayName);
      available.push({
        model: candidate.modelId,
        provider: target.upstream.displayName,
        selected: target === outcome.target,
      });
    }
  }
  const providerOf = (upstream: string) => displayNames.get(upstream) ?? upstream;
  const answering = outcome.attempts.at(-1);
  const selected = `${outcome.target.modelId} via ${outcome.target.upstream.displayName}`;
  const strategy = plan !== null ? 'pareto' : parsed.concreteModels.length > 1 ? 'fallback' : 'direct';
  const params: Record<string, unknown> = {};
  if (parsed.settings.minCodingScore !== undefined) params.quality_floor = parsed.settings.minCodingScore;
  if (parsed.settings.tier !== undefined) params.tier_alias = parsed.settings.tier;
  if (parsed.settings.maxPrice !== undefined) {
    params.max_price = parsed.settings.maxPrice;
    params.price_source = parsed.settings.priceSource ?? 'prompt';
  }
  if (parsed.routerModel !== null) {
    params.nitro = parsed.routerModel.nitro;
    if (parsed.routerModel.snapshotVersion !== undefined)
      params.snapshot = parsed.routerModel.snapshotVersion;
  }
  const pipeline: RoutingMetadata['pipeline'] = [];
  if (plan !== null) {
    const scope =
      plan.tier === null ? `max_price ${plan.maxInputPrice}` : `${plan.tier} tier, ${plan.rule} rule`;
    pipeline.push({
      type: 'plugin',
      name: 'pareto-router',
      summary: `${scope}: ${plan.candidates.length} candidates, ${plan.candidates[0]?.modelId ?? 'none'} first`,
      data: {
        snapshot: plan.snapshotVersion,
        rule: plan.rule,
        tier: plan.tier,
        min_coding_score: plan.minCodingScore,
        max_price: plan.maxInputPrice,
        nitro: plan.nitro,
        stepped_to: plan.steppedTo,
        candidates: plan.candidates.map((candidate) => ({
          model: candidate.modelId,
          tier: candidate.tier,
          role: candidate.role,
          coding_percentile: candidate.codingPercentile,
          blended_price: candidate.blendedPrice,
          reason: candidate.reason,
        })),
        dropped: plan.decisions.filter((decision) => !decision.kept).map(droppedOf),
        warnings: parsed.warnings,
      },
    });
  } else if (parsed.warnings.length > 0) {
    pipeline.push({
      type: 'plugin',
      name: 'pareto-router',
      summary: 'not routed: a concrete model was named',
      data: { warnings: parsed.warnings },
    });
  }
  const routing =
    plan === null
      ? ''
      : plan.tier === null
        ? `max_price=${plan.maxInputPrice}, `
        : `tier=${plan.tier}, rule=${plan.rule}, `;
  return {
    requested: parsed.requestedModel,
    strategy,
    summary: `${routing}available=${available.length}, selected=${selected}, attempt=${outcome.attempts.length}`,
    attempt: outcome.attempts.length,
    attempts: outcome.attempts.map((attempt) => ({
      model: attempt.model,
      provider: providerOf(attempt.upstream),
      // The hosted schema has no place for "no HTTP answer" (a reset, a timeout): 0 stands for it.
      status: attempt.status ?? 0,
    })),
    endpoints: { available, total: available.length },
    generation_time: Math.round(answering?.durationMs ?? 0),
    is_byok: false,
    region: null,
    params,
    pipeline,
  };
}

function droppedOf(decision: ModelDecision) {
  return { model: decision.modelId, tier: decision.tier, reason: decision.reason, detail: decision.detail };
}

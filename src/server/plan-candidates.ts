/**
 * From a parsed request to the ordered list of models to try: the routing core for `pareto-code`, the
 * caller's own list for concrete models. Keeps no state of its own.
 */

import { RouterError } from '../core/errors.js';
import { estimatePromptTokens } from '../core/estimate-prompt-tokens.js';
import type { ModelIndex } from '../core/model-index.js';
import { createModelMatcher } from '../core/model-pattern.js';
import { type InputPriceView, type RouteFeatures, type RoutePlan, route } from '../core/route.js';
import { formatPrice } from '../core/route-index.js';
import type { CandidateModel } from '../executor/execute-chat.js';
import type { ParsedChatRequest } from './parse-chat-request.js';
import type { RouterApp } from './router-app.js';

export interface CandidatePlan {
  candidates: CandidateModel[];
  plan: RoutePlan | null;
  index: ModelIndex;
}

/**
 * The route features of a request (shared by chat and explain). `inputPrices` are the input prices
 * measured from the request log, read only with `price_source: "weighted_avg"`.
 */
export function featuresOf(
  parsed: ParsedChatRequest,
  preferredModel: string | undefined,
  inputPrices?: InputPriceView,
): RouteFeatures {
  const request = parsed.request;
  const features: RouteFeatures = {
    minCodingScore: parsed.settings.minCodingScore,
    nitro: parsed.routerModel?.nitro === true,
    estimatedPromptTokens: estimatePromptTokens(request),
    maxTokens: request.max_completion_tokens ?? request.max_tokens,
    needsTools: request.tools !== undefined && request.tools.length > 0 && request.tool_choice !== 'none',
    needsStructuredOutput: request.response_format?.type === 'json_schema',
    needsImageInput: request.messages.some(
      (message) =>
        Array.isArray(message.content) && message.content.some((part) => part.type === 'image_url'),
    ),
    preferredModel,
  };
  if (parsed.keyMatchers !== undefined) {
    if (parsed.keyMatchers.allowed !== undefined) features.allowedModels = parsed.keyMatchers.allowed;
    if (parsed.keyMatchers.excluded !== undefined) features.excludedModels = parsed.keyMatchers.excluded;
  } else {
    if (parsed.settings.allowedModels !== undefined)
      features.allowedModels = createModelMatcher(parsed.settings.allowedModels);
    if (parsed.settings.excludedModels !== undefined) {
      features.excludedModels = createModelMatcher(parsed.settings.excludedModels);
    }
  }
  if (parsed.settings.priceCaps !== undefined) features.priceCaps = parsed.settings.priceCaps;
  if (parsed.settings.maxPrice !== undefined) {
    features.maxInputPrice = parsed.settings.maxPrice;
    if (parsed.settings.priceSource === 'weighted_avg' && inputPrices !== undefined) {
      features.inputPrices = inputPrices;
    }
  }
  return features;
}

/** Summarises why a plan has no candidate, for the 404 message. */
export function describeEmptyPlan(plan: RoutePlan): string {
  const counts = new Map<string, { count: number; example: string }>();
  for (const decision of plan.decisions) {
    const entry = counts.get(decision.reason) ?? { count: 0, example: decision.detail };
    entry.count += 1;
    counts.set(decision.reason, entry);
  }
  const parts = [...counts].map(([reason, { count, example }]) => `${count} ${reason} (e.g. ${example})`);
  const scope =
    plan.tier === null
      ? `no model priced at or below max_price ${formatPrice(plan.maxInputPrice ?? 0)} of input`
      : plan.rule === 'pareto'
        ? `no model of any tier, for a ${plan.tier}-tier bar,`
        : `no model in the ${plan.tier} tier or its neighbour`;
  return `${scope} fits the request: ${parts.join('; ')}`;
}

/** The measured input prices, when the request asks for them (`price_source: "weighted_avg"`). */
export function measuredPricesFor(
  app: RouterApp,
  parsed: ParsedChatRequest,
  index: ModelIndex,
  now: number,
): InputPriceView | undefined {
  if (parsed.settings.maxPrice === undefined || parsed.settings.priceSource !== 'weighted_avg')
    return undefined;
  return app.inputPrices.viewFor(index, now);
}

/** The configured upstreams of each model of `index` (none for a model it does not hold), for `liveView`. */
export function upstreamsIn(app: RouterApp, index: ModelIndex): (modelId: string) => readonly string[] {
  return (modelId) => {
    const model = index.byId.get(modelId);
    return model === undefined ? [] : app.catalog.upstreamNamesFor(model);
  };
}

/** Plans the candidates of one request. Throws a RouterError with the right status when none fits. */
export function planCandidates(app: RouterApp, parsed: ParsedChatRequest, now: number): CandidatePlan {
  if (parsed.routerModel !== null) {
    const index = app.indexFor(parsed.routerModel.snapshotVersion);
    const preferred =
      parsed.sessionKey === undefined ? undefined : app.state.sticky.get(parsed.sessionKey, now)?.modelId;
    const plan = route(
      featuresOf(parsed, preferred, measuredPricesFor(app, parsed, index, now)),
      index,
      app.state.liveView(now, upstreamsIn(app, index)),
      app.routePolicy,
      // A request reads the decisions only when nothing fits (to say why), and then the plan has them;
      // routing metadata on the response explains every model.
      { decisions: parsed.routingMetadata ? 'all' : 'when_empty' },
    );
    if (plan.candidates.length === 0) {
      const unavailable = plan.decisions.some((decision) => decision.reason === 'unavailable');
      const onlyUnavailable = plan.decisions.every(
        (decision) => decision.reason === 'unavailable' || decision.reason === 'other_tier',
      );
      if (unavailable && onlyUnavailable) {
        // Open circuits pass with time (a 503 saying when to come back); a model no upstream serves
        // needs configuration (a 404).
        const upstreamsOf = upstreamsIn(app, index);
        const reopensInMs = app.state.circuits.reopensIn(
          plan.decisions.flatMap((decision) =>
            upstreamsOf(decision.modelId).map((upstream) => ({ modelId: decision.modelId, upstream })),
          ),
          now,
        );
        if (reopensInMs === undefined) {
          throw new RouterError(
            'model_not_served',
            `${describeEmptyPlan(plan)}; configure an upstream key to serve them`,
            { metadata: { tier: plan.tier } },
          );
        }
        throw new RouterError('no_upstream', describeEmptyPlan(plan), {
          retryable: true,
          retryAfterSeconds: Math.max(1, Math.ceil(reopensInMs / 1000)),
          metadata: { tier: plan.tier },
        });
      }
      throw new RouterError('no_candidate', describeEmptyPlan(plan), {
        metadata: plan.tier === null ? { max_price: plan.maxInputPrice } : { tier: plan.tier },
      });
    }
    const candidates = plan.candidates.map((candidate) => {
      const model = index.byId.get(candidate.modelId);
      return {
        modelId: candidate.modelId,
        targets: app.catalog.targetsFor(candidate.modelId, model),
        contextLength: model?.contextLength,
      };
    });
    return { candidates, plan, index };
  }

  const index = app.defaultIndex;
  const candidates: CandidateModel[] = [];
  const reasons: string[] = [];
  for (const modelId of parsed.concreteModels) {
    const model = index.byId.get(modelId);
    const cap = parsed.provider.maxPrice;
    if (model !== undefined && cap !== undefined) {
      if (
        (cap.input !== undefined && model.pricing.input > cap.input) ||
        (cap.output !== undefined && model.pricing.output > cap.output) ||
        (cap.blended !== undefined && model.blendedPrice > cap.blended)
      ) {
        reasons.push(`${modelId} is over provider.max_price`);
        continue;
      }
    }
    const targets = app.catalog.targetsFor(modelId, model, parsed.provider);
    if (targets.length === 0) {
      reasons.push(
        model === undefined
          ? `${modelId} is not in the index and no pass-through upstream (such as OpenRouter) is configured`
          : `no configured upstream serves ${modelId}`,
      );
      continue;
    }
    candidates.push({ modelId, targets, contextLength: model?.contextLength });
  }
  if (candidates.length === 0) {
    const unknown = parsed.concreteModels.every((modelId) => !index.byId.has(modelId));
    if (unknown && app.catalog.passthrough === undefined) {
      throw new RouterError('unknown_model', `unknown model: ${reasons.join('; ')}`);
    }
    const overPrice = reasons.some((reason) => reason.includes('max_price'));
    throw new RouterError(overPrice ? 'no_candidate' : 'model_not_served', reasons.join('; '));
  }
  return { candidates, plan: null, index };
}

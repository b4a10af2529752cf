/** GET /api/v1/router/explain: the plan the router would use now for the given settings, with no call. */
import { RouterError } from '../core/errors.js';
import { route } from '../core/route.js';
import { parseRouterModel } from '../core/router-model.js';
import { parseChatRequest } from './parse-chat-request.js';
import { featuresOf, measuredPricesFor, upstreamsIn } from './plan-candidates.js';
import type { RouterApp } from './router-app.js';

function numberParameter(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value))
    throw new RouterError('invalid_request', `${name} must be a number, got "${raw}"`);
  return value;
}

function booleanParameter(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name);
  return raw === '1' || raw === 'true';
}

/** Builds the explain body from query parameters (the same validation as a chat request). */
export function renderExplain(app: RouterApp, query: URLSearchParams): string {
  const model = query.get('model') ?? 'openrouter/pareto-code';
  const routerModel = parseRouterModel(model);
  if (routerModel === null)
    throw new RouterError('invalid_request', `model must be a pareto-code model, got "${model}"`);
  const plugin: Record<string, unknown> = { id: 'pareto-router' };
  const score = numberParameter(query, 'min_coding_score');
  if (score !== undefined) plugin.min_coding_score = score;
  const tier = query.get('tier');
  if (tier !== null && tier !== '') plugin.tier = tier;
  const maxPrice = numberParameter(query, 'max_price');
  if (maxPrice !== undefined) plugin.max_price = maxPrice;
  const priceSource = query.get('price_source');
  if (priceSource !== null && priceSource !== '') plugin.price_source = priceSource;
  for (const cap of ['max_blended_price', 'max_prompt_price', 'max_completion_price']) {
    const value = numberParameter(query, cap);
    if (value !== undefined) plugin[cap] = value;
  }
  const allowed = query.getAll('allowed_models').flatMap((value) => value.split(','));
  if (allowed.length > 0) plugin.allowed_models = allowed;
  const excluded = query.getAll('excluded_models').flatMap((value) => value.split(','));
  if (excluded.length > 0) plugin.excluded_models = excluded;
  const promptTokens = numberParameter(query, 'prompt_tokens') ?? 0;
  const body: Record<string, unknown> = {
    model: booleanParameter(query, 'nitro') && !routerModel.nitro ? `${model}:nitro` : model,
    messages: [{ role: 'user', content: 'x'.repeat(Math.max(0, Math.min(promptTokens, 10_000_000)) * 4) }],
  };
  // A bare plugin entry would only earn the "sets nothing" warning meant for chat requests.
  if (Object.keys(plugin).length > 1) body.plugins = [plugin];
  const maxTokens = numberParameter(query, 'max_tokens');
  if (maxTokens !== undefined) body.max_tokens = maxTokens;
  if (booleanParameter(query, 'tools')) {
    body.tools = [{ type: 'function', function: { name: 'tool', parameters: { type: 'object' } } }];
  }
  if (booleanParameter(query, 'json_schema')) {
    body.response_format = {
      type: 'json_schema',
      json_schema: { name: 'schema', schema: { type: 'object' } },
    };
  }
  const parsed = parseChatRequest(body, {});
  const now = app.now();
  const index = app.indexFor(parsed.routerModel?.snapshotVersion);
  const plan = route(
    featuresOf(parsed, undefined, measuredPricesFor(app, parsed, index, now)),
    index,
    app.state.liveView(now, upstreamsIn(app, index)),
    app.routePolicy,
  );
  return JSON.stringify({
    ...plan,
    ...(parsed.warnings.length === 0 ? {} : { warnings: parsed.warnings }),
    candidates: plan.candidates.map((candidate) => ({
      ...candidate,
      upstreams: app.catalog
        .targetsFor(candidate.modelId, index.byId.get(candidate.modelId))
        .map((target) => target.upstream.name),
    })),
  });
}

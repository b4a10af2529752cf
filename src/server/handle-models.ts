/**
 * GET /api/v1/models: the router models and every concrete index model, in OpenRouter's schema. Every
 * field the current schema requires is present (it is what `@openrouter/sdk` validates); where the router
 * has nothing to say the value is empty or null: no default parameters, no voices, no details page.
 */
import type { IndexedModel, ModelIndex } from '../core/model-index.js';
import type { RouterApp } from './router-app.js';

/** USD per million tokens -> OpenRouter's USD-per-token decimal string. */
export function formatPerTokenPrice(perMillion: number): string {
  if (perMillion < 0) return '-1';
  const fixed = (perMillion / 1e6).toFixed(15);
  const trimmed = fixed.replace(/0+$/, '').replace(/\.$/, '');
  return trimmed === '' ? '0' : trimmed;
}

function supportedParameters(model: IndexedModel): string[] {
  const parameters = ['max_tokens', 'temperature', 'top_p', 'stop', 'seed'];
  if (model.capabilities.tools) parameters.push('tools', 'tool_choice');
  if (model.capabilities.structuredOutput) parameters.push('response_format', 'structured_outputs');
  if (model.capabilities.reasoning) parameters.push('reasoning', 'include_reasoning');
  return parameters.sort();
}

function renderModel(model: IndexedModel, created: number) {
  const inputModalities = model.capabilities.imageInput ? ['text', 'image'] : ['text'];
  const pricing: Record<string, string> = {
    prompt: formatPerTokenPrice(model.pricing.input),
    completion: formatPerTokenPrice(model.pricing.output),
  };
  if (model.pricing.cacheRead !== undefined)
    pricing.input_cache_read = formatPerTokenPrice(model.pricing.cacheRead);
  if (model.pricing.cacheWrite !== undefined)
    pricing.input_cache_write = formatPerTokenPrice(model.pricing.cacheWrite);
  return {
    id: model.id,
    canonical_slug: model.id,
    name: model.name,
    created,
    description: `${model.name}. Coding percentile ${model.codingPercentile ?? 'n/a'} in snapshot; ${model.onFrontier ? 'on' : 'off'} the Pareto frontier.`,
    context_length: model.contextLength,
    architecture: {
      modality: `${inputModalities.join('+')}->text`,
      input_modalities: inputModalities,
      output_modalities: ['text'],
      tokenizer: 'Other',
      instruct_type: null,
    },
    pricing,
    top_provider: {
      context_length: model.contextLength,
      max_completion_tokens: model.maxOutputTokens,
      is_moderated: false,
    },
    per_request_limits: null,
    supported_parameters: supportedParameters(model),
    default_parameters: null,
    supported_voices: null,
    links: noDetailsLink,
    pareto: {
      coding_percentile: model.codingPercentile,
      on_frontier: model.onFrontier,
      shortlist: model.shortlist,
      blended_price: model.blendedPrice,
    },
  };
}

/** OpenRouter links each model to its endpoints page; the router has no such page. */
const noDetailsLink = { details: '' };

function routerModel(id: string, index: ModelIndex, created: number, description: string) {
  const maxContext = Math.max(...index.shortlist.map((model) => model.contextLength));
  return {
    id,
    canonical_slug: id,
    name: `Pareto Code Router${id.endsWith(':nitro') ? ' (nitro)' : ''}`,
    created,
    description,
    context_length: maxContext,
    architecture: {
      modality: 'text+image->text',
      input_modalities: ['text', 'image'],
      output_modalities: ['text'],
      tokenizer: 'Router',
      instruct_type: null,
    },
    pricing: { prompt: '-1', completion: '-1' },
    top_provider: { context_length: null, max_completion_tokens: null, is_moderated: false },
    per_request_limits: null,
    default_parameters: null,
    supported_voices: null,
    links: noDetailsLink,
    supported_parameters: [
      'max_tokens',
      'reasoning',
      'response_format',
      'seed',
      'stop',
      'temperature',
      'tool_choice',
      'tools',
      'top_p',
    ],
  };
}

/** The models list body. */
export function renderModelList(app: RouterApp): string {
  const index = app.defaultIndex;
  const created = Math.floor(Date.parse(index.createdAt) / 1000) || 0;
  const description =
    app.routePolicy.rule === 'pareto'
      ? 'Routes to the cheapest coding model whose benchmark percentile clears the min_coding_score tier, never to one another model beats on both price and percentile (pareto-router plugin).'
      : 'Routes to the cheapest coding model whose benchmark percentile falls in the min_coding_score tier (pareto-router plugin).';
  const data = [
    routerModel('openrouter/pareto-code', index, created, description),
    routerModel('openrouter/pareto-code:nitro', index, created, `${description} Ranked by throughput.`),
    ...index.models.map((model) => renderModel(model, created)),
  ];
  // Every model in one page: no next link.
  return JSON.stringify({ data, links: { next: null }, total_count: data.length });
}

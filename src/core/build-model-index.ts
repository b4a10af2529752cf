import { type BlendRatio, blendedPrice, defaultBlendRatio } from './blended-price.js';
import { type CodingPercentileOptions, computeCodingPercentiles } from './coding-percentile.js';
import type { IndexedModel, IndexSnapshot, ModelIndex } from './model-index.js';
import { paretoFrontier } from './pareto-frontier.js';
import { routeIndexOf } from './route-index.js';

export interface BuildIndexOptions extends CodingPercentileOptions {
  blendRatio?: BlendRatio;
}

/**
 * Derives everything routing needs from a snapshot, once: coding percentiles over the whole benchmarked
 * field, blended prices, the Pareto frontier among the shortlisted models, and the routing view.
 */
export function buildModelIndex(snapshot: IndexSnapshot, options: BuildIndexOptions = {}): ModelIndex {
  const ratio = options.blendRatio ?? defaultBlendRatio;
  const ranks = computeCodingPercentiles(snapshot.models, options);
  const models: IndexedModel[] = snapshot.models.map((model, index) => {
    const rank = ranks[index] ?? { codingScore: null, codingPercentile: null };
    return {
      ...model,
      codingPercentile: rank.codingPercentile,
      codingScore: rank.codingScore,
      blendedPrice: blendedPrice(model.pricing, ratio),
      onFrontier: false,
    };
  });
  const frontier = paretoFrontier(
    models
      .filter((model) => model.shortlist && model.codingPercentile !== null)
      .map((model) => ({
        id: model.id,
        price: model.blendedPrice,
        quality: model.codingPercentile as number,
      })),
  );
  for (const model of models) model.onFrontier = frontier.has(model.id);
  const byId = new Map(models.map((model) => [model.id, model] as const));
  const shortlist = models
    .filter((model) => model.shortlist)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const index: ModelIndex = {
    version: snapshot.version,
    createdAt: snapshot.createdAt,
    models,
    byId,
    shortlist,
  };
  // The routing view (price order, tier lists) is built now rather than by the first request.
  routeIndexOf(index);
  return index;
}

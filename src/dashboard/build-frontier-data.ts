/** The frontier chart's data from an index and the live state: points, frontier, bands and current picks. */
import type { ModelIndex } from '../core/model-index.js';
import { dominatorOf } from '../core/pareto-frontier.js';
import { type LiveStatsView, noLiveStats, type RoutePolicy, route } from '../core/route.js';
import { tierOf } from '../core/tiers.js';
import type { FrontierChartData, FrontierChartPoint, FrontierPicks } from './frontier-chart-spec.js';

/**
 * Places every benchmarked shortlist model and asks `route()` (the routing function the server uses)
 * which model each tier and nitro would pick now. `live` greys out unavailable models and supplies the
 * measured throughput; without it (the CLI) every model counts as available.
 */
export function buildFrontierData(
  index: ModelIndex,
  policy: RoutePolicy,
  live: LiveStatsView = noLiveStats,
): FrontierChartData {
  const points: FrontierChartPoint[] = [];
  for (const model of index.shortlist) {
    if (model.codingPercentile === null) continue;
    const stats = live.get(model.id);
    const liveThroughput =
      stats?.throughputP50 !== undefined && (stats.throughputSamples ?? 0) >= policy.nitroMinSamples
        ? stats.throughputP50
        : undefined;
    points.push({
      id: model.id,
      name: model.name,
      tier: tierOf(model.codingPercentile, policy.cutoffs),
      codingPercentile: model.codingPercentile,
      blendedPrice: model.blendedPrice,
      onFrontier: model.onFrontier,
      dominatedBy: null,
      available: stats?.available ?? true,
      unavailableReason: stats === undefined || stats.available ? null : (stats.unavailableReason ?? null),
      inputPrice: model.pricing.input,
      outputPrice: model.pricing.output,
      contextLength: model.contextLength,
      throughput: liveThroughput ?? model.throughputTokensPerSecond ?? null,
      throughputSource:
        liveThroughput !== undefined
          ? 'live'
          : model.throughputTokensPerSecond !== undefined
            ? 'reference'
            : 'none',
      benchmarkSources: model.benchmarks.map((result) => `${result.benchmark}: ${result.source}`),
    });
  }
  const frontier = points
    .filter((point) => point.onFrontier)
    .sort((left, right) => left.blendedPrice - right.blendedPrice);
  for (const point of points) {
    if (point.onFrontier) continue;
    point.dominatedBy = dominatorOf(point, frontier);
  }
  const pick = (minCodingScore: number | undefined, nitro: boolean) =>
    route({ minCodingScore, nitro }, index, live, policy, { decisions: 'when_empty' }).candidates[0]
      ?.modelId ?? null;
  const picks: FrontierPicks = {
    high: pick(undefined, false),
    medium: pick(policy.cutoffs.medium, false),
    low: pick(0, false),
    nitro: pick(undefined, true),
  };
  return { snapshotVersion: index.version, cutoffs: { ...policy.cutoffs }, points, picks };
}

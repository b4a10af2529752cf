import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ModelIndex } from './model-index.js';
import {
  defaultRoutePolicy,
  type LiveModelStats,
  type LiveStatsView,
  type RouteFeatures,
  type RoutePlan,
  type RoutePolicy,
  route,
} from './route.js';
import { referenceRoute } from './test-support/reference-route.js';
import {
  featuresArbitrary,
  indexArbitrary,
  liveArbitrary,
  policyArbitrary,
} from './test-support/route-arbitraries.js';
import { syntheticIndex, syntheticModel } from './test-support/synthetic-index.js';
import { tierOf } from './tiers.js';

const pareto: RoutePolicy = { ...defaultRoutePolicy, rule: 'pareto' };
const bands: RoutePolicy = { ...defaultRoutePolicy, rule: 'bands' };
const liveOf = (stats: Record<string, LiveModelStats>): LiveStatsView => ({ get: (id) => stats[id] });

/** A model as the guarantee sees it: its percentile and the axis it is ranked by. */
interface Point {
  id: string;
  percentile: number;
  price: number;
  throughput: number;
}

/**
 * The models a request could go to (constraints met, available, benchmarked), taken from the bands
 * rule's reference plan, which shares no ranking code with the pareto rule, with the figures the
 * request is ranked by worked out here from the index and the live view.
 */
function eligiblePoints(
  features: RouteFeatures,
  index: ModelIndex,
  live: LiveStatsView,
  policy: RoutePolicy,
): Map<string, Point> {
  const plan = referenceRoute({ ...features, maxInputPrice: undefined }, index, live, {
    ...policy,
    rule: 'bands',
  });
  const points = new Map<string, Point>();
  for (const decision of plan.decisions) {
    if (!['candidate', 'other_tier', 'beyond_fallbacks'].includes(decision.reason)) continue;
    const model = index.byId.get(decision.modelId);
    if (model === undefined || model.codingPercentile === null) throw new Error('not an index model');
    const measured = features.inputPrices?.get(model.id);
    const input =
      measured !== undefined && Number.isFinite(measured) && measured >= 0 ? measured : model.pricing.input;
    if (features.maxInputPrice !== undefined && input > features.maxInputPrice) continue;
    const stats = live.get(model.id);
    const liveFigure =
      stats?.throughputP50 !== undefined &&
      (stats.throughputSamples ?? 0) >= policy.nitroMinSamples &&
      stats.throughputP50 > 0;
    points.set(model.id, {
      id: model.id,
      percentile: model.codingPercentile,
      price: features.maxInputPrice === undefined ? model.blendedPrice : input,
      throughput:
        features.nitro === true
          ? liveFigure
            ? (stats?.throughputP50 as number)
            : (model.throughputTokensPerSecond ?? 0)
          : 0,
    });
  }
  return points;
}

/** `a` beats `b`: no worse on percentile and on the ranked axis (throughput, then price), better on one. */
function beats(a: Point, b: Point, nitro: boolean): boolean {
  const axis = (nitro ? b.throughput - a.throughput : 0) || a.price - b.price;
  return a.percentile >= b.percentile && axis <= 0 && (a.percentile > b.percentile || axis < 0);
}

/** Every candidate is beaten by no eligible model that is not ranked before it. */
function expectUndominated(plan: RoutePlan, points: Map<string, Point>, nitro: boolean): void {
  const rankedBefore = new Set<string>();
  for (const candidate of plan.candidates) {
    const point = points.get(candidate.modelId);
    expect(point, `${candidate.modelId} is eligible`).toBeDefined();
    for (const other of points.values()) {
      if (other.id === candidate.modelId || rankedBefore.has(other.id)) continue;
      expect(
        beats(other, point as Point, nitro),
        `${candidate.modelId} is beaten by ${other.id}, which is not ranked before it`,
      ).toBe(false);
    }
    rankedBefore.add(candidate.modelId);
  }
}

describe('route: the Pareto guarantee (pareto rule)', () => {
  it('never plans a model that an eligible model not ranked before it beats on both axes (property)', () => {
    fc.assert(
      fc.property(
        indexArbitrary,
        featuresArbitrary,
        liveArbitrary,
        policyArbitrary,
        (index, features, live, policy) => {
          const ruled: RoutePolicy = { ...policy, rule: 'pareto' };
          for (const options of [{}, { decisions: 'when_empty' as const }]) {
            const plan = route(features, index, live, ruled, options);
            expectUndominated(plan, eligiblePoints(features, index, live, ruled), features.nitro === true);
          }
        },
      ),
      { numRuns: 1_500 },
    );
  });

  it('starts with the best-ranked model that clears the bar, then steps up the frontier (property)', () => {
    fc.assert(
      fc.property(
        indexArbitrary,
        featuresArbitrary,
        liveArbitrary,
        policyArbitrary,
        (index, rawFeatures, live, policy) => {
          const features: RouteFeatures = {
            ...rawFeatures,
            maxInputPrice: undefined,
            preferredModel: undefined,
          };
          const ruled: RoutePolicy = { ...policy, rule: 'pareto' };
          const plan = route(features, index, live, ruled);
          const nitro = features.nitro === true;
          const points = [...eligiblePoints(features, index, live, ruled).values()];
          const bar = plan.tier as string;
          const rank = { low: 0, medium: 1, high: 2 } as const;
          const clears = (point: Point) =>
            rank[tierOf(point.percentile, policy.cutoffs)] >= rank[bar as keyof typeof rank];
          const order = (a: Point, b: Point) =>
            (nitro ? b.throughput - a.throughput : 0) ||
            a.price - b.price ||
            b.percentile - a.percentile ||
            (a.id < b.id ? -1 : 1);
          const atBar = points.filter(clears).sort(order);
          const limitUp = Math.floor(1 + policy.maxFallbacks);
          if (atBar.length === 0 || limitUp === 0) return;
          // The primary: the cheapest (with nitro, the fastest) eligible model that clears the bar.
          expect(plan.candidates[0]?.modelId).toBe(atBar[0]?.id);
          // Each of the next fallbacks is a step up (better and dearer) while one is left.
          const ranked = new Set<string>([atBar[0]?.id as string]);
          let top = atBar[0]?.percentile as number;
          for (let position = 1; position < Math.min(limitUp, plan.candidates.length); position++) {
            const stepUp = atBar.find((point) => !ranked.has(point.id) && point.percentile > top);
            if (stepUp === undefined) break;
            expect(plan.candidates[position]?.modelId).toBe(stepUp.id);
            ranked.add(stepUp.id);
            top = stepUp.percentile;
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('under max_price, plans the best model under the cap first and none that a later one beats (property)', () => {
    fc.assert(
      fc.property(
        indexArbitrary,
        featuresArbitrary,
        liveArbitrary,
        policyArbitrary,
        fc.constantFrom(0.1, 0.5, 1, 5, 100),
        (index, rawFeatures, live, policy, cap) => {
          const features: RouteFeatures = { ...rawFeatures, maxInputPrice: cap, preferredModel: undefined };
          const plan = route(features, index, live, policy);
          const points = eligiblePoints(features, index, live, policy);
          expect(plan.tier).toBeNull();
          expectUndominated(plan, points, features.nitro === true);
          const best = Math.max(...[...points.values()].map((point) => point.percentile));
          if (plan.candidates.length > 0) expect(plan.candidates[0]?.codingPercentile).toBe(best);
          else expect(points.size).toBe(0);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

/**
 * Ten models, percentiles k/9, input = output = blended price. The frontier is mid/b ($0.4, 0.444), hi/a
 * ($1, 0.667), hi/c ($4, 0.889) and hi/d ($12, 1): mid/b beats every low model and mid/a, hi/a beats
 * mid/c, hi/c beats hi/b.
 */
function ladderIndex(): ModelIndex {
  const models: [string, number, number][] = [
    ['low/a', 0, 0.9],
    ['low/b', 10, 0.5],
    ['low/c', 20, 2],
    ['mid/a', 30, 3],
    ['mid/b', 40, 0.4],
    ['mid/c', 50, 6],
    ['hi/a', 60, 1],
    ['hi/b', 70, 8],
    ['hi/c', 80, 4],
    ['hi/d', 90, 12],
  ];
  return syntheticIndex(models.map(([id, score, price]) => syntheticModel(id, score, price)));
}

const ids = (plan: RoutePlan) => plan.candidates.map((candidate) => candidate.modelId);
const decisionOf = (plan: RoutePlan, id: string) =>
  plan.decisions.find((decision) => decision.modelId === id);

describe('route: the pareto rule, worked by hand', () => {
  const index = ladderIndex();

  it('sends a low bar to the model that beats every low one, even from the medium tier', () => {
    const plan = route({ minCodingScore: 0.2 }, index, undefined, pareto);
    // Up the frontier (mid/b, hi/a, hi/c), then the cheapest left at or above the bar.
    expect(ids(plan)).toEqual(['mid/b', 'hi/a', 'hi/c', 'low/b', 'low/a', 'low/c']);
    expect(plan.candidates.map((candidate) => candidate.role)).toEqual([
      'primary',
      'fallback',
      'fallback',
      'fallback',
      'fallback',
      'fallback',
    ]);
    expect(plan.steppedTo).toBe('medium');
    expect(plan.candidates.map((candidate) => candidate.reason)).toEqual([
      '$0.4/M blended',
      'next up the frontier; $1/M blended',
      'next up the frontier; $4/M blended',
      'cheapest left at or above the bar; $0.5/M blended',
      'cheapest left at or above the bar; $0.9/M blended',
      'cheapest left at or above the bar; $2/M blended',
    ]);
    // The cheapest model that beats each one is named.
    expect(decisionOf(plan, 'mid/a')).toMatchObject({
      reason: 'dominated',
      detail: 'dominated by mid/b (better and cheaper)',
    });
    expect(decisionOf(plan, 'mid/c')?.detail).toBe('dominated by hi/a (better and cheaper)');
    expect(decisionOf(plan, 'hi/b')?.detail).toBe('dominated by hi/c (better and cheaper)');
    expect(decisionOf(plan, 'hi/d')?.reason).toBe('beyond_fallbacks');
    // The bands rule keeps the low tier: low/b first, although mid/b is better and cheaper.
    expect(ids(route({ minCodingScore: 0.2 }, index, undefined, bands))).toEqual([
      'low/b',
      'low/a',
      'low/c',
      'mid/b',
      'mid/a',
      'mid/c',
    ]);
  });

  it('keeps a medium bar at or above medium, and lists the low tier as another tier', () => {
    const plan = route({ minCodingScore: 0.5 }, index, undefined, pareto);
    expect(ids(plan)).toEqual(['mid/b', 'hi/a', 'hi/c', 'mid/a', 'mid/c', 'hi/b']);
    expect(plan.steppedTo).toBeNull();
    expect(decisionOf(plan, 'low/b')?.reason).toBe('other_tier');
  });

  it('steps below the bar, best first, only once every model at or above it is planned', () => {
    const plan = route({ minCodingScore: 0.8 }, index, undefined, pareto);
    expect(ids(plan)).toEqual(['hi/a', 'hi/c', 'hi/d', 'hi/b', 'mid/c', 'mid/b']);
    expect(plan.candidates.map((candidate) => candidate.role)).toEqual([
      'primary',
      'fallback',
      'fallback',
      'fallback',
      'neighbour',
      'neighbour',
    ]);
    expect(plan.candidates[4]?.reason).toBe('below the bar, best first; percentile 0.555556');
    expect(decisionOf(plan, 'mid/a')?.detail).toBe('dominated by mid/b (better and cheaper)');
  });

  it('lets the best models below the bar lead when nothing at or above it is available', () => {
    const down: LiveModelStats = { available: false, unavailableReason: 'circuit_open' };
    const live = liveOf({ 'hi/a': down, 'hi/b': down, 'hi/c': down, 'hi/d': down });
    const plan = route({ minCodingScore: 0.8 }, index, live, pareto);
    expect(ids(plan)).toEqual(['mid/c', 'mid/b', 'mid/a']);
    expect(plan.steppedTo).toBe('medium');
    expect(plan.candidates.every((candidate) => candidate.role === 'neighbour')).toBe(true);
  });

  it('lets the sticky model lead only while nothing eligible beats it', () => {
    expect(ids(route({ minCodingScore: 0.8, preferredModel: 'hi/d' }, index, undefined, pareto))).toEqual([
      'hi/d',
      'hi/a',
      'hi/c',
      'hi/b',
      'mid/c',
      'mid/b',
    ]);
    // hi/b is beaten by hi/c: the session moves on.
    expect(ids(route({ minCodingScore: 0.8, preferredModel: 'hi/b' }, index, undefined, pareto))[0]).toBe(
      'hi/a',
    );
    // Once hi/c is out, nothing beats hi/b and it leads again.
    const live = liveOf({ 'hi/c': { available: false } });
    const plan = route({ minCodingScore: 0.8, preferredModel: 'hi/b' }, index, live, pareto);
    expect(plan.candidates[0]?.reason).toBe('sticky session; $8/M blended');
    // A medium bar starts at mid/b (medium): a sticky high model does not keep the conversation there.
    expect(ids(route({ minCodingScore: 0.5, preferredModel: 'hi/c' }, index, undefined, pareto))[0]).toBe(
      'mid/b',
    );
  });

  it('applies the rule on throughput and percentile with nitro', () => {
    const fast = syntheticIndex([
      syntheticModel('n/slow-best', 90, 1, { throughputTokensPerSecond: 50 }),
      syntheticModel('n/fast-good', 80, 2, { throughputTokensPerSecond: 200 }),
      syntheticModel('n/slower-worse', 70, 0.5, { throughputTokensPerSecond: 100 }),
      syntheticModel('n/fastest-worst', 60, 5, { throughputTokensPerSecond: 300 }),
      syntheticModel('n/low', 0, 0.1),
    ]);
    // Percentiles: n/low 0, fastest-worst 0.25, slower-worse 0.5, fast-good 0.75, slow-best 1.
    const plan = route({ minCodingScore: 0.2, nitro: true }, fast, undefined, pareto);
    // Fastest first, up the (throughput, percentile) frontier, then the fastest left.
    expect(ids(plan)).toEqual(['n/fastest-worst', 'n/fast-good', 'n/slow-best', 'n/slower-worse', 'n/low']);
    expect(plan.candidates.map((candidate) => candidate.reason)).toEqual([
      '300 tok/s (reference)',
      'next up the frontier; 200 tok/s (reference)',
      'next up the frontier; 50 tok/s (reference)',
      'fastest left at or above the bar; 100 tok/s (reference)',
      'fastest left at or above the bar; no throughput figure, ranked by price',
    ]);
    // slower-worse (0.5, 100 tok/s) is beaten by fast-good (0.75, 200 tok/s), although it is cheaper.
    const strict = route({ minCodingScore: 0.2, nitro: true }, fast, undefined, {
      ...pareto,
      maxNeighbourCandidates: 0,
    });
    expect(decisionOf(strict, 'n/slower-worse')?.detail).toBe('dominated by n/fast-good (better and faster)');
  });
});

describe('route: max_price as the hosted router defines it, worked by hand', () => {
  const index = ladderIndex();

  it('bypasses the tier: the best-scoring frontier model under the cap, cheaper frontier models, then the rest', () => {
    for (const policy of [pareto, bands]) {
      // Under $4 of input: mid/b, low/b, low/a, hi/a, low/c, mid/a, hi/c. Frontier: hi/c, hi/a, mid/b.
      const plan = route({ maxInputPrice: 4 }, index, undefined, policy);
      expect(plan.tier).toBeNull();
      expect(plan.maxInputPrice).toBe(4);
      expect(ids(plan)).toEqual(['hi/c', 'hi/a', 'mid/b', 'mid/a', 'low/c', 'low/b']);
      expect(plan.candidates[0]?.reason).toBe('on the frontier; input $4/M (list price)');
      expect(plan.candidates[3]?.reason).toBe('off the frontier; input $3/M (list price)');
      expect(decisionOf(plan, 'low/a')).toMatchObject({
        reason: 'dominated',
        detail: 'dominated by mid/b (better and cheaper)',
      });
      expect(decisionOf(plan, 'hi/d')).toMatchObject({
        reason: 'over_max_price',
        detail: 'input price $12/M > max_price $4/M',
      });
    }
  });

  it('ignores min_coding_score, as the hosted router does', () => {
    expect(ids(route({ maxInputPrice: 4, minCodingScore: 0.95 }, index, undefined, pareto))).toEqual(
      ids(route({ maxInputPrice: 4 }, index, undefined, pareto)),
    );
  });

  it('counts a price at the cap as under it, and leaves nothing when every model is dearer', () => {
    expect(ids(route({ maxInputPrice: 0.4 }, index, undefined, pareto))).toEqual(['mid/b']);
    const none = route({ maxInputPrice: 0.39 }, index, undefined, pareto);
    expect(none.candidates).toEqual([]);
    expect(none.decisions.every((decision) => decision.reason === 'over_max_price')).toBe(true);
  });

  it('ranks and caps by the measured input price when one is given, the list price otherwise', () => {
    // hi/d's measured input price (cache reads) is $0.35/M: under a $0.45 cap it beats mid/b.
    const inputPrices = { get: (id: string) => (id === 'hi/d' ? 0.35 : undefined) };
    const plan = route({ maxInputPrice: 0.45, inputPrices }, index, undefined, pareto);
    expect(ids(plan)).toEqual(['hi/d', 'mid/b']);
    expect(plan.candidates[0]).toMatchObject({ inputPrice: 0.35, inputPriceSource: 'measured' });
    expect(plan.candidates[1]).toMatchObject({ inputPrice: 0.4, inputPriceSource: 'list' });
    expect(plan.candidates[1]?.reason).toBe('off the frontier; input $0.4/M (list price)');
    const cheaper = { get: (id: string) => (id === 'hi/d' ? 20 : undefined) };
    expect(decisionOf(route({ maxInputPrice: 15, inputPrices: cheaper }, index), 'hi/d')?.detail).toBe(
      'measured input price $20/M > max_price $15/M',
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createModelMatcher } from './model-pattern.js';
import {
  defaultRoutePolicy,
  type LiveModelStats,
  type LiveStatsView,
  type RouteFeatures,
  type RoutePolicy,
  route,
} from './route.js';
import { syntheticIndex, syntheticModel, tenModelIndex } from './test-support/synthetic-index.js';

// These tests hold the bands rule (the hosted router's behaviour) to what it always did; the pareto
// rule, the default, is tested in route-pareto.test.ts.
const bands: RoutePolicy = { ...defaultRoutePolicy, rule: 'bands' };
const index = tenModelIndex();
const ids = (features: RouteFeatures, live?: LiveStatsView) =>
  route(features, index, live, bands).candidates.map((c) => c.modelId);
const liveOf = (stats: Record<string, LiveModelStats>): LiveStatsView => ({ get: (id) => stats[id] });

describe('route: tier bands', () => {
  it.each([
    [0, 'low'],
    [0.3299, 'low'],
    [0.33, 'medium'],
    [0.5, 'medium'],
    [0.6599, 'medium'],
    [0.66, 'high'],
    [1, 'high'],
    [undefined, 'high'],
  ] as const)('min_coding_score %s routes to the %s tier', (score, tier) => {
    const plan = route({ minCodingScore: score }, index, undefined, bands);
    expect(plan.tier).toBe(tier);
    const primary = plan.candidates[0];
    expect(primary?.tier).toBe(tier);
    expect(primary?.role).toBe('primary');
  });

  it('picks the cheapest model of the tier first, then up to two same-tier fallbacks, then the neighbour', () => {
    // high tier: s60 $20, s70 $10, s80 $15, s90 $30 -> s70, s80, s60; neighbour medium by price s40 $3...
    expect(ids({ minCodingScore: 0.9 })).toEqual([
      'lab/s70',
      'lab/s80',
      'lab/s60',
      'lab/s40',
      'lab/s30',
      'lab/s50',
    ]);
    const plan = route({ minCodingScore: 0.9 }, index, undefined, bands);
    expect(plan.candidates.map((c) => c.role)).toEqual([
      'primary',
      'fallback',
      'fallback',
      'neighbour',
      'neighbour',
      'neighbour',
    ]);
    expect(plan.steppedTo).toBeNull();
    expect(plan.decisions.find((d) => d.modelId === 'lab/s90')?.reason).toBe('beyond_fallbacks');
    expect(plan.decisions.find((d) => d.modelId === 'lab/s0')?.reason).toBe('other_tier');
  });

  it('steps upwards first from the medium tier', () => {
    const plan = route({ minCodingScore: 0.5 }, index, undefined, bands);
    expect(plan.candidates.slice(0, 3).map((c) => c.modelId)).toEqual(['lab/s40', 'lab/s30', 'lab/s50']);
    expect(plan.candidates.slice(3).every((c) => c.tier === 'high')).toBe(true);
  });

  it('0.67 and 1.0 give the same plan, and 0.34 never lands in the low tier', () => {
    expect(ids({ minCodingScore: 0.67 })).toEqual(ids({ minCodingScore: 1 }));
    expect(route({ minCodingScore: 0.34 }, index, undefined, bands).candidates[0]?.tier).toBe('medium');
  });

  it('any score in the same band gives the same plan (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (a, b) => {
          const planA = route({ minCodingScore: a }, index, undefined, bands);
          const planB = route({ minCodingScore: b }, index, undefined, bands);
          if (planA.tier === planB.tier) expect(planA.candidates).toEqual(planB.candidates);
          // Every same-tier candidate's percentile lies inside the requested band.
          for (const candidate of planA.candidates.filter((c) => c.role !== 'neighbour')) {
            expect(candidate.tier).toBe(planA.tier);
          }
        },
      ),
    );
  });

  it('honours configurable cut-offs', () => {
    const plan = route({ minCodingScore: 0.5 }, index, undefined, {
      rule: 'bands',
      cutoffs: { high: 0.5, medium: 0.2 },
      maxFallbacks: 2,
      maxNeighbourCandidates: 3,
      nitroMinSamples: 5,
    });
    expect(plan.tier).toBe('high');
  });
});

describe('route: ties', () => {
  it('breaks price ties by higher percentile, then by id', () => {
    const tied = syntheticIndex([
      syntheticModel('b/model', 90, 5),
      syntheticModel('a/model', 90, 5),
      syntheticModel('c/model', 95, 5),
      syntheticModel('d/low', 10, 1),
    ]);
    expect(
      route({}, tied, undefined, bands)
        .candidates.slice(0, 3)
        .map((c) => c.modelId),
    ).toEqual(['c/model', 'a/model', 'b/model']);
  });
});

describe('route: constraints', () => {
  it('drops models whose context cannot hold prompt + max_tokens', () => {
    const small = syntheticIndex([
      syntheticModel('x/small', 90, 1, { contextLength: 8_000 }),
      syntheticModel('x/large', 80, 2, { contextLength: 1_000_000 }),
      syntheticModel('x/low', 10, 1),
    ]);
    const plan = route({ estimatedPromptTokens: 7_000, maxTokens: 2_000 }, small, undefined, bands);
    expect(plan.candidates[0]?.modelId).toBe('x/large');
    const dropped = plan.decisions.find((d) => d.modelId === 'x/small');
    expect(dropped?.reason).toBe('context_too_small');
    expect(dropped?.detail).toContain('9000');
  });

  it('drops models whose max output is below max_tokens', () => {
    const plan = route({ maxTokens: 64_000 }, index, undefined, bands);
    expect(plan.candidates).toEqual([]);
    expect(plan.decisions.every((d) => d.reason === 'max_tokens_too_large')).toBe(true);
  });

  it('requires tool support, structured output and image input when the request needs them', () => {
    const mixed = syntheticIndex([
      syntheticModel('x/no-tools', 90, 1, {
        capabilities: { tools: false, structuredOutput: true, reasoning: false, imageInput: true },
      }),
      syntheticModel('x/no-schema', 89, 2, {
        capabilities: { tools: true, structuredOutput: false, reasoning: false, imageInput: true },
      }),
      syntheticModel('x/text-only', 88, 3, {
        capabilities: { tools: true, structuredOutput: true, reasoning: false, imageInput: false },
      }),
      syntheticModel('x/all', 87, 4),
      syntheticModel('x/low', 1, 4),
    ]);
    expect(route({ needsTools: true }, mixed, undefined, bands).candidates[0]?.modelId).toBe('x/no-schema');
    expect(route({ needsStructuredOutput: true }, mixed, undefined, bands).candidates[0]?.modelId).toBe(
      'x/no-tools',
    );
    expect(route({ needsImageInput: true }, mixed, undefined, bands).candidates[0]?.modelId).toBe(
      'x/no-tools',
    );
    // x/all sits in the low tier (percentile 0.25); the high tier and its medium neighbour cannot serve.
    expect(
      route({ needsTools: true, needsStructuredOutput: true, needsImageInput: true }, mixed, undefined, bands)
        .candidates,
    ).toEqual([]);
    const all = route(
      { minCodingScore: 0, needsTools: true, needsStructuredOutput: true, needsImageInput: true },
      mixed,
      undefined,
      bands,
    );
    expect(all.candidates[0]?.modelId).toBe('x/all');
    const reasons = Object.fromEntries(all.decisions.map((d) => [d.modelId, d.reason]));
    expect(reasons).toMatchObject({
      'x/no-tools': 'no_tools',
      'x/no-schema': 'no_structured_output',
      'x/text-only': 'no_image_input',
    });
  });

  it('applies allowed and excluded patterns with wildcards', () => {
    expect(ids({ minCodingScore: 0.9, excludedModels: createModelMatcher(['lab/s7*']) })[0]).toBe('lab/s80');
    expect(ids({ minCodingScore: 0.9, allowedModels: createModelMatcher(['LAB/S9*', 'lab/s60']) })).toEqual([
      'lab/s60',
      'lab/s90',
    ]);
  });

  it('caps the price and says why nothing fits', () => {
    const plan = route({ minCodingScore: 0.9, priceCaps: { blended: 0.1 } }, index, undefined, bands);
    expect(plan.candidates).toEqual([]);
    expect(plan.decisions.every((d) => d.reason === 'over_max_price')).toBe(true);
    expect(plan.decisions[0]?.detail).toMatch(/max_blended_price/);
    // A cap that leaves only the cheaper part of the tier.
    expect(ids({ minCodingScore: 0.9, priceCaps: { blended: 15 } }).slice(0, 2)).toEqual([
      'lab/s70',
      'lab/s80',
    ]);
    expect(ids({ priceCaps: { input: 12, output: 12 } }).slice(0, 1)).toEqual(['lab/s70']);
  });

  it('skips models whose circuit is open and steps to the neighbour tier when the whole tier is out', () => {
    const open: LiveModelStats = { available: false, unavailableReason: 'circuit_open' };
    const live = liveOf({ 'lab/s70': open });
    expect(ids({ minCodingScore: 0.9 }, live).slice(0, 3)).toEqual(['lab/s80', 'lab/s60', 'lab/s90']);
    const allHighDown = liveOf({ 'lab/s60': open, 'lab/s70': open, 'lab/s80': open, 'lab/s90': open });
    const plan = route({ minCodingScore: 0.9 }, index, allHighDown, bands);
    expect(plan.steppedTo).toBe('medium');
    expect(plan.candidates.map((c) => c.modelId)).toEqual(['lab/s40', 'lab/s30', 'lab/s50']);
    expect(plan.candidates.every((c) => c.role === 'neighbour')).toBe(true);
  });

  it('never routes to an unbenchmarked model by bar', () => {
    const withUnknown = syntheticIndex([
      syntheticModel('x/unknown', null, 0),
      syntheticModel('x/known', 50, 1),
      syntheticModel('x/better', 60, 2),
    ]);
    const plan = route({ minCodingScore: 0 }, withUnknown, undefined, bands);
    expect(plan.candidates.map((c) => c.modelId)).toEqual(['x/known']);
    expect(plan.decisions.find((d) => d.modelId === 'x/unknown')?.reason).toBe('unbenchmarked');
  });
});

describe('route: nitro', () => {
  const fast = syntheticIndex([
    syntheticModel('n/a', 90, 1, { throughputTokensPerSecond: 50 }),
    syntheticModel('n/b', 85, 2, { throughputTokensPerSecond: 200 }),
    syntheticModel('n/c', 80, 3),
    syntheticModel('n/low', 1, 1),
  ]);

  it('ranks by reference throughput when there are no live figures', () => {
    const plan = route({ nitro: true }, fast, undefined, bands);
    expect(plan.candidates.map((c) => c.modelId)).toEqual(['n/b', 'n/a', 'n/c']);
    expect(plan.candidates[0]?.throughputSource).toBe('reference');
    expect(plan.candidates[2]?.throughputSource).toBe('none');
  });

  it('uses live p50 throughput once enough samples exist', () => {
    const live = liveOf({
      'n/a': { available: true, throughputP50: 400, throughputSamples: 10 },
      'n/c': { available: true, throughputP50: 900, throughputSamples: 2 },
    });
    const plan = route({ nitro: true }, fast, live, bands);
    expect(plan.candidates.map((c) => c.modelId).slice(0, 3)).toEqual(['n/a', 'n/b', 'n/c']);
    expect(plan.candidates[0]?.throughputSource).toBe('live');
  });
});

describe('route: sticky sessions and determinism', () => {
  it('puts the preferred model first when it is a valid candidate', () => {
    expect(ids({ minCodingScore: 0.9, preferredModel: 'lab/s90' }).slice(0, 2)).toEqual([
      'lab/s90',
      'lab/s70',
    ]);
    expect(ids({ minCodingScore: 0.9, preferredModel: 'lab/s0' })[0]).toBe('lab/s70');
  });

  it('gives the same plan for the same inputs', () => {
    expect(route({ minCodingScore: 0.4, nitro: true }, index, undefined, bands)).toEqual(
      route({ minCodingScore: 0.4, nitro: true }, index, undefined, bands),
    );
  });

  it('explains every shortlist model', () => {
    const plan = route({ minCodingScore: 0.5 }, index, undefined, bands);
    expect(plan.decisions.map((d) => d.modelId)).toEqual(index.shortlist.map((m) => m.id));
    expect(plan.decisions.filter((d) => d.kept).length).toBe(plan.candidates.length);
  });
});

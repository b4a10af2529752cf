import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ModelEntry } from './model-index.js';
import { createModelMatcher } from './model-pattern.js';
import {
  type LiveModelStats,
  type LiveStatsView,
  type RouteFeatures,
  type RoutePolicy,
  route,
} from './route.js';
import { referenceRoute } from './test-support/reference-route.js';
import { syntheticIndex, syntheticModel, tenModelIndex } from './test-support/synthetic-index.js';

// Small value sets on purpose: they make equal prices, equal scores and equal throughputs common, which
// is where rankings go wrong.
const ids = ['a/one', 'a/two', 'b/one', 'b/two', 'c/x', 'c/y', 'd/1', 'd/2', 'e/e', 'f/f', 'g/g', 'h/h'];
const prices = [0.1, 0.5, 1, 1, 2, 5, 15];
const throughputs = [40, 80, 80, 150, 300];

const modelArbitrary = fc.record({
  score: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }),
  input: fc.constantFrom(...prices),
  output: fc.constantFrom(...prices),
  contextLength: fc.constantFrom(8_000, 32_000, 200_000),
  maxOutputTokens: fc.constantFrom(4_000, 32_000),
  tools: fc.boolean(),
  structuredOutput: fc.boolean(),
  imageInput: fc.boolean(),
  throughput: fc.option(fc.constantFrom(...throughputs), { nil: undefined }),
  shortlist: fc.constantFrom(true, true, true, true, true, false),
});

type ModelSpec = typeof modelArbitrary extends fc.Arbitrary<infer T> ? T : never;

const indexArbitrary = fc
  .shuffledSubarray(ids, { minLength: 0, maxLength: ids.length })
  .chain((chosen) =>
    fc.tuple(
      fc.constant(chosen),
      fc.array(modelArbitrary, { minLength: chosen.length, maxLength: chosen.length }),
    ),
  )
  .map(([chosen, specs]) =>
    syntheticIndex(
      chosen.map((id, position) => {
        const spec = specs[position] as ModelSpec;
        const overrides: Partial<ModelEntry> = {
          pricing: { input: spec.input, output: spec.output },
          contextLength: spec.contextLength,
          maxOutputTokens: spec.maxOutputTokens,
          capabilities: {
            tools: spec.tools,
            structuredOutput: spec.structuredOutput,
            reasoning: false,
            imageInput: spec.imageInput,
          },
          shortlist: spec.shortlist,
        };
        if (spec.throughput !== undefined) overrides.throughputTokensPerSecond = spec.throughput;
        return syntheticModel(id, spec.score, 1, overrides);
      }),
    ),
  );

const patternArbitrary = fc.array(fc.constantFrom(...ids, 'a/*', '*one', '*/*', 'c/*', '*2'), {
  minLength: 1,
  maxLength: 3,
});

const featuresArbitrary = fc
  .record(
    {
      minCodingScore: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      nitro: fc.boolean(),
      estimatedPromptTokens: fc.option(fc.constantFrom(100, 6_000, 30_000), { nil: undefined }),
      maxTokens: fc.option(fc.constantFrom(1_000, 4_000, 16_000), { nil: undefined }),
      needsTools: fc.boolean(),
      needsStructuredOutput: fc.boolean(),
      needsImageInput: fc.boolean(),
      allowed: fc.option(patternArbitrary, { nil: undefined }),
      excluded: fc.option(patternArbitrary, { nil: undefined }),
      maxPrice: fc.option(
        fc.record(
          {
            blended: fc.constantFrom(0.5, 1, 3, 10),
            input: fc.constantFrom(0.5, 1, 5),
            output: fc.constantFrom(1, 2, 15),
          },
          { requiredKeys: [] },
        ),
        { nil: undefined },
      ),
      preferredModel: fc.option(fc.constantFrom(...ids, 'z/unknown'), { nil: undefined }),
    },
    { requiredKeys: ['nitro', 'needsTools', 'needsStructuredOutput', 'needsImageInput'] },
  )
  .map((spec): RouteFeatures => {
    const features: RouteFeatures = {
      minCodingScore: spec.minCodingScore,
      nitro: spec.nitro,
      estimatedPromptTokens: spec.estimatedPromptTokens,
      maxTokens: spec.maxTokens,
      needsTools: spec.needsTools,
      needsStructuredOutput: spec.needsStructuredOutput,
      needsImageInput: spec.needsImageInput,
      preferredModel: spec.preferredModel,
    };
    if (spec.allowed !== undefined) features.allowedModels = createModelMatcher(spec.allowed);
    if (spec.excluded !== undefined) features.excludedModels = createModelMatcher(spec.excluded);
    if (spec.maxPrice !== undefined) features.maxPrice = spec.maxPrice;
    return features;
  });

const statsArbitrary: fc.Arbitrary<LiveModelStats> = fc.oneof(
  fc.record({
    available: fc.constant(false),
    unavailableReason: fc.constantFrom('circuit_open', 'no_upstream'),
  }),
  fc.constant({ available: false }),
  fc.record({
    available: fc.constant(true),
    throughputP50: fc.constantFrom(0, 60, 80, 150, 500),
    throughputSamples: fc.integer({ min: 0, max: 12 }),
  }),
);

const liveArbitrary = fc.dictionary(fc.constantFrom(...ids), statsArbitrary, { maxKeys: 6 }).map(
  (stats): LiveStatsView => ({
    get: (modelId) => (Object.hasOwn(stats, modelId) ? stats[modelId] : undefined),
  }),
);

const policyArbitrary = fc
  .record({
    cutoffs: fc.oneof(
      fc.constant({ high: 0.66, medium: 0.33 }),
      fc.record({
        high: fc.double({ min: 0, max: 1, noNaN: true }),
        medium: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
    ),
    maxFallbacks: fc.integer({ min: 0, max: 4 }),
    maxNeighbourCandidates: fc.integer({ min: 0, max: 4 }),
    nitroMinSamples: fc.integer({ min: 0, max: 10 }),
  })
  .map((policy): RoutePolicy => policy);

describe('route: the fast plan matches the plain rules', () => {
  it('gives the same plan as checking, sorting and explaining every model (property)', () => {
    fc.assert(
      fc.property(
        indexArbitrary,
        featuresArbitrary,
        liveArbitrary,
        policyArbitrary,
        (index, features, live, policy) => {
          expect(route(features, index, live, policy)).toEqual(referenceRoute(features, index, live, policy));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('gives the same candidates when decisions are listed only for empty plans (property)', () => {
    fc.assert(
      fc.property(
        indexArbitrary,
        featuresArbitrary,
        liveArbitrary,
        policyArbitrary,
        (index, features, live, policy) => {
          const full = referenceRoute(features, index, live, policy);
          const fast = route(features, index, live, policy, { decisions: 'when_empty' });
          expect(fast.candidates).toEqual(full.candidates);
          expect(fast.steppedTo).toBe(full.steppedTo);
          expect(fast.tier).toBe(full.tier);
          // An empty plan still says why nothing fits; a plan with candidates skips the list.
          expect(fast.decisions).toEqual(full.candidates.length === 0 ? full.decisions : []);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('keeps plans apart when one index is routed with different cut-offs', () => {
    const index = tenModelIndex();
    const policies: RoutePolicy[] = [
      {
        cutoffs: { high: 0.66, medium: 0.33 },
        maxFallbacks: 2,
        maxNeighbourCandidates: 3,
        nitroMinSamples: 5,
      },
      { cutoffs: { high: 0.5, medium: 0.2 }, maxFallbacks: 2, maxNeighbourCandidates: 3, nitroMinSamples: 5 },
      { cutoffs: { high: 0.9, medium: 0.1 }, maxFallbacks: 1, maxNeighbourCandidates: 1, nitroMinSamples: 5 },
    ];
    for (let round = 0; round < 3; round++) {
      for (const policy of policies) {
        for (const minCodingScore of [undefined, 0.15, 0.4, 0.7]) {
          expect(route({ minCodingScore }, index, undefined, policy)).toEqual(
            referenceRoute({ minCodingScore }, index, undefined, policy),
          );
        }
      }
    }
  });

  it('asks the live view only about the models it ranks when decisions are not listed', () => {
    const asked: string[] = [];
    const live: LiveStatsView = {
      get: (modelId) => {
        asked.push(modelId);
        return undefined;
      },
    };
    const plan = route({ minCodingScore: 0.9 }, tenModelIndex(), live, undefined, {
      decisions: 'when_empty',
    });
    expect(plan.candidates.map((c) => c.modelId)).toEqual([
      'lab/s70',
      'lab/s80',
      'lab/s60',
      'lab/s40',
      'lab/s30',
      'lab/s50',
    ]);
    expect(plan.decisions).toEqual([]);
    expect(asked.sort()).toEqual(['lab/s30', 'lab/s40', 'lab/s50', 'lab/s60', 'lab/s70', 'lab/s80']);
  });
});

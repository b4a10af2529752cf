/**
 * Random indexes, requests, live states and policies for the routing core's property tests. Small value
 * sets on purpose: they make equal prices, equal scores and equal throughputs common, which is where
 * rankings go wrong.
 */
import fc from 'fast-check';
import type { ModelEntry } from '../model-index.js';
import { createModelMatcher } from '../model-pattern.js';
import {
  type LiveModelStats,
  type LiveStatsView,
  type RouteFeatures,
  type RoutePolicy,
  routingRules,
} from '../route.js';
import { syntheticIndex, syntheticModel } from './synthetic-index.js';

export const ids = [
  'a/one',
  'a/two',
  'b/one',
  'b/two',
  'c/x',
  'c/y',
  'd/1',
  'd/2',
  'e/e',
  'f/f',
  'g/g',
  'h/h',
];
const prices = [0.1, 0.5, 1, 1, 2, 5, 15];
const throughputs = [40, 80, 80, 150, 300];

export const modelArbitrary = fc.record({
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

export const indexArbitrary = fc
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

export const featuresArbitrary = fc
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
      priceCaps: fc.option(
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
      // The hosted max_price, often absent so tier plans stay the common case.
      maxInputPrice: fc.option(fc.constantFrom(0, 0.1, 0.5, 1, 2, 5, 100), { nil: undefined, freq: 3 }),
      inputPrices: fc.option(fc.dictionary(fc.constantFrom(...ids), fc.constantFrom(0.05, 0.3, 1, 4, -1)), {
        nil: undefined,
      }),
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
    if (spec.priceCaps !== undefined) features.priceCaps = spec.priceCaps;
    if (spec.maxInputPrice !== undefined) features.maxInputPrice = spec.maxInputPrice;
    const measured = spec.inputPrices;
    if (measured !== undefined) {
      features.inputPrices = {
        get: (modelId) => (Object.hasOwn(measured, modelId) ? measured[modelId] : undefined),
      };
    }
    return features;
  });

export const statsArbitrary: fc.Arbitrary<LiveModelStats> = fc.oneof(
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

export const liveArbitrary = fc.dictionary(fc.constantFrom(...ids), statsArbitrary, { maxKeys: 6 }).map(
  (stats): LiveStatsView => ({
    get: (modelId) => (Object.hasOwn(stats, modelId) ? stats[modelId] : undefined),
  }),
);

export const policyArbitrary = fc
  .record({
    rule: fc.constantFrom(...routingRules),
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

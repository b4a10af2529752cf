import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultRoutePolicy, type LiveStatsView, type RoutePolicy, route, routingRules } from './route.js';
import { referenceRoute } from './test-support/reference-route.js';
import {
  featuresArbitrary,
  indexArbitrary,
  liveArbitrary,
  policyArbitrary,
} from './test-support/route-arbitraries.js';
import { tenModelIndex } from './test-support/synthetic-index.js';

const bandsPolicy: RoutePolicy = { ...defaultRoutePolicy, rule: 'bands' };

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
    const policies: RoutePolicy[] = routingRules.flatMap((rule): RoutePolicy[] => [
      {
        rule,
        cutoffs: { high: 0.66, medium: 0.33 },
        maxFallbacks: 2,
        maxNeighbourCandidates: 3,
        nitroMinSamples: 5,
      },
      {
        rule,
        cutoffs: { high: 0.5, medium: 0.2 },
        maxFallbacks: 2,
        maxNeighbourCandidates: 3,
        nitroMinSamples: 5,
      },
      {
        rule,
        cutoffs: { high: 0.9, medium: 0.1 },
        maxFallbacks: 1,
        maxNeighbourCandidates: 1,
        nitroMinSamples: 5,
      },
    ]);
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
    const plan = route({ minCodingScore: 0.9 }, tenModelIndex(), live, bandsPolicy, {
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

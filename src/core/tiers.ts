/** Tier maths: which band a score or a percentile falls in, and the named tier aliases. */

export type TierName = 'high' | 'medium' | 'low';

export const tierNames: readonly TierName[] = ['high', 'medium', 'low'];

/** Lower bounds of the high and medium bands; below `medium` is low. */
export interface TierCutoffs {
  high: number;
  medium: number;
}

export const defaultTierCutoffs: TierCutoffs = { high: 0.66, medium: 0.33 };

/** The tier a score or percentile in 0..1 falls in. */
export function tierOf(value: number, cutoffs: TierCutoffs = defaultTierCutoffs): TierName {
  if (value >= cutoffs.high) return 'high';
  if (value >= cutoffs.medium) return 'medium';
  return 'low';
}

/**
 * The tier a request asks for: `min_coding_score` selects a band; an omitted score means high (the
 * best tier), so `pareto-code` with no settings is the strongest choice, as on the hosted router.
 */
export function requestedTier(
  minCodingScore: number | undefined,
  cutoffs: TierCutoffs = defaultTierCutoffs,
): TierName {
  return minCodingScore === undefined ? 'high' : tierOf(minCodingScore, cutoffs);
}

/** Named tiers for integrators that think in names: the score each stands for (undefined = omitted). */
export const tierAliases: Readonly<Record<string, number | undefined>> = {
  quick: 0.2,
  low: 0.2,
  balanced: 0.5,
  medium: 0.5,
  high: 0.8,
  reasoning: 0.9,
  frontier: undefined,
};

/** The score a tier alias stands for; throws on an unknown alias. */
export function scoreForTierAlias(alias: string): number | undefined {
  const key = alias.toLowerCase();
  if (!Object.hasOwn(tierAliases, key)) {
    throw new RangeError(`unknown tier "${alias}"; expected one of ${Object.keys(tierAliases).join(', ')}`);
  }
  return tierAliases[key];
}

/** Neighbouring tiers, in the order the router steps into them when a whole tier is unavailable. */
export function neighbourTiers(tier: TierName): TierName[] {
  // Upwards first: the caller's bar is a floor, so a stronger model keeps the promise and a weaker one
  // would break it. Downwards only when nothing above can serve.
  switch (tier) {
    case 'high':
      return ['medium'];
    case 'medium':
      return ['high', 'low'];
    case 'low':
      return ['medium'];
  }
}

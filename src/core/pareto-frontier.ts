/** A point on the price/quality plane. */
export interface FrontierPoint {
  id: string;
  price: number;
  quality: number;
}

/**
 * Ids of the points not dominated on (lower price, higher quality): a point is dominated when another is
 * no more expensive and no worse, and strictly better on at least one. Identical points are all kept.
 */
export function paretoFrontier(points: readonly FrontierPoint[]): Set<string> {
  // Sort by price, then best quality first; a point is on the frontier when its quality beats every
  // cheaper-or-equal point seen so far. O(n log n).
  const sorted = [...points].sort(
    (a, b) => a.price - b.price || b.quality - a.quality || (a.id < b.id ? -1 : 1),
  );
  const frontier = new Set<string>();
  let bestQuality = Number.NEGATIVE_INFINITY;
  let bestPrice = Number.NaN;
  for (const point of sorted) {
    if (point.quality > bestQuality) {
      frontier.add(point.id);
      bestQuality = point.quality;
      bestPrice = point.price;
    } else if (point.quality === bestQuality && point.price === bestPrice) {
      frontier.add(point.id);
    }
  }
  return frontier;
}

/** A placed model: the shape the frontier chart and `frontier --json` share. */
export interface PlacedModel {
  id: string;
  blendedPrice: number;
  codingPercentile: number;
}

/**
 * The cheapest model of `frontierCheapestFirst` that dominates `model` (no dearer, no worse, and better on
 * one axis), or null when none does.
 */
export function dominatorOf(
  model: PlacedModel,
  frontierCheapestFirst: readonly PlacedModel[],
): string | null {
  return (
    frontierCheapestFirst.find(
      (candidate) =>
        candidate.blendedPrice <= model.blendedPrice &&
        candidate.codingPercentile >= model.codingPercentile &&
        (candidate.blendedPrice < model.blendedPrice || candidate.codingPercentile > model.codingPercentile),
    )?.id ?? null
  );
}

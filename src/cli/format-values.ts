/** How the CLI prints numbers: prices, token counts, percentiles, money. */

/** A price in USD per million tokens with up to four decimals, as the router's reasons print it: `$3`, `$1.125`. */
export function formatPricePerMillion(value: number): string {
  return `$${trimNumber(value, 4)}`;
}

/** An amount of money in USD with cents (or more digits below one cent). */
export function formatUsd(value: number): string {
  if (value !== 0 && Math.abs(value) < 0.01) return `$${trimNumber(value, 6)}`;
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A token count with a k or M suffix: `200k`, `1.05M`, `512`. */
export function formatTokenCount(value: number): string {
  if (value >= 1_000_000) return `${trimNumber(value / 1_000_000, 2)}M`;
  if (value >= 1_000) return `${trimNumber(value / 1_000, 1)}k`;
  return String(value);
}

/** A coding percentile in 0..1 with three decimals, or `-` when the model is unbenchmarked. */
export function formatPercentile(value: number | null): string {
  return value === null ? '-' : value.toFixed(3);
}

function trimNumber(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

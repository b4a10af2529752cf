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

/**
 * A logged cost in USD: cents from a dollar up, and up to six decimals below it, where single requests
 * and quiet days live (`$0.01045` rather than `$0.01`).
 */
export function formatCost(value: number): string {
  if (value === 0 || Math.abs(value) >= 1) return formatUsd(value);
  return `$${trimNumber(value, 6)}`;
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

/** An instant as UTC to the second, `2025-01-15 12:00:00Z`: one zone for every operator of a shared log. */
export function formatUtcTime(epochMilliseconds: number): string {
  return `${new Date(epochMilliseconds).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** A duration in milliseconds: `840ms` below a second, then `3.2s`, then `2m05s`. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1_000) return `${Math.round(milliseconds)}ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1_000).toFixed(1)}s`;
  const seconds = Math.round(milliseconds / 1_000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** A length of time in the largest unit that reads well: `30 days`, `5.5 hours`, `12 minutes`. */
export function formatSpan(milliseconds: number): string {
  const minutes = milliseconds / 60_000;
  if (minutes < 60) return plural(trimNumber(minutes, 1), 'minute');
  const hours = minutes / 60;
  if (hours < 48) return plural(trimNumber(hours, 1), 'hour');
  return plural(trimNumber(hours / 24, 1), 'day');
}

function plural(count: string, unit: string): string {
  return `${count} ${unit}${count === '1' ? '' : 's'}`;
}

function trimNumber(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

/** A count (requests, records) with thousands separators, whole from 100 up: `15,335`, `2.5`, `0.33`. */
export function formatCount(value: number): string {
  const digits = Math.abs(value) >= 100 ? 0 : 2;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** A share in 0..1 as a percentage with at most one decimal: `35.7%`, `20%`, `0.1%`. */
export function formatPercent(share: number): string {
  return `${trimNumber(share * 100, 1)}%`;
}

/**
 * A number for `--json`: exact where it is an integer, else to 12 significant digits, which drops the
 * binary noise of sums and products (`2.7720000000000002` becomes `2.772`) and keeps every real digit
 * of a price, a cost or a share.
 */
export function roundForJson(value: number): number {
  if (Number.isInteger(value) || !Number.isFinite(value)) return value;
  return Number(value.toPrecision(12));
}

/** The `--json` document of a command: indented, numbers through `roundForJson`, one trailing newline. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, (_key, field: unknown) => (typeof field === 'number' ? roundForJson(field) : field), 2)}\n`;
}

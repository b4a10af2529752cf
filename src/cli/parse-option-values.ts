/**
 * Parsers for option values. Each throws commander's InvalidArgumentError, so commander reports the
 * option and the value it got on one line (`option '--max-price <usd>' argument '-1' is invalid. ...`).
 */
import { InvalidArgumentError } from 'commander';
import { scoreForTierAlias, type TierCutoffs, type TierName, tierNames, tierOf } from '../core/tiers.js';
import { snapshotVersionPattern } from '../index/snapshot-schema.js';

function parseFiniteNumber(raw: string): number {
  // Number('') is 0 and Number(' 1 ') is 1: a blank or padded value is a typo, not a number.
  const value = raw.trim() === raw && raw !== '' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value)) throw new InvalidArgumentError('expected a number');
  return value;
}

/** A coding score or share in 0..1. */
export function parseUnitInterval(raw: string): number {
  const value = parseFiniteNumber(raw);
  if (value < 0 || value > 1) throw new InvalidArgumentError('expected a number in 0..1');
  return value;
}

/** A number >= 0 (a price, a request rate). */
export function parseNonNegativeNumber(raw: string): number {
  const value = parseFiniteNumber(raw);
  if (value < 0) throw new InvalidArgumentError('expected a number >= 0');
  return value;
}

/** An integer >= 0 (a token count). */
export function parseNonNegativeInteger(raw: string): number {
  const value = parseFiniteNumber(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError('expected an integer >= 0');
  return value;
}

/** An integer >= 1 (max_tokens). */
export function parsePositiveInteger(raw: string): number {
  const value = parseFiniteNumber(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError('expected an integer >= 1');
  return value;
}

/** A tier named as the HTTP API names it: high, medium, low, or an alias (quick, balanced, reasoning...). */
export interface TierChoice {
  name: string;
  /** The min_coding_score the alias stands for; undefined for `frontier` (the omitted bar). */
  minCodingScore: number | undefined;
}

/** A tier name or alias, as `route --tier` takes it. */
export function parseTierChoice(raw: string): TierChoice {
  try {
    return { name: raw.toLowerCase(), minCodingScore: scoreForTierAlias(raw) };
  } catch (error) {
    throw new InvalidArgumentError(
      error instanceof Error ? error.message.replace(/^unknown tier "[^"]*"; /, '') : String(error),
    );
  }
}

/** The tier band an alias selects under `cutoffs` (the omitted bar selects high). */
export function tierOfChoice(choice: TierChoice, cutoffs: TierCutoffs): TierName {
  return choice.minCodingScore === undefined ? 'high' : tierOf(choice.minCodingScore, cutoffs);
}

/** Share of traffic per tier; the shares sum to 1. */
export type TierMix = Record<TierName, number>;

/** `high=0.2,medium=0.5,low=0.3`: known tiers, each once, shares in 0..1 summing to 1 within 1e-6. */
export function parseTierMix(raw: string): TierMix {
  const mix: TierMix = { high: 0, medium: 0, low: 0 };
  const seen = new Set<string>();
  for (const part of raw.split(',')) {
    const match = /^\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(part);
    if (match === null)
      throw new InvalidArgumentError(`expected TIER=SHARE pairs such as high=0.2, got "${part}"`);
    const tier = (match[1] as string).toLowerCase();
    if (!isTierName(tier)) {
      throw new InvalidArgumentError(`unknown tier "${match[1]}"; expected ${tierNames.join(', ')}`);
    }
    if (seen.has(tier)) throw new InvalidArgumentError(`tier "${tier}" is given twice`);
    seen.add(tier);
    const share = Number(match[2]);
    if (!Number.isFinite(share) || share < 0 || share > 1) {
      throw new InvalidArgumentError(`share of ${tier} must be a number in 0..1, got "${match[2]}"`);
    }
    mix[tier] = share;
  }
  const total = mix.high + mix.medium + mix.low;
  if (Math.abs(total - 1) > 1e-6)
    throw new InvalidArgumentError(`shares must sum to 1, they sum to ${Number(total.toFixed(9))}`);
  return mix;
}

/** True for high, medium, low. */
export function isTierName(value: string): value is TierName {
  return (tierNames as readonly string[]).includes(value);
}

/** A snapshot version such as `2026-11` or `2026-11.1`. */
export function parseSnapshotVersion(raw: string): string {
  if (!snapshotVersionPattern.test(raw)) {
    throw new InvalidArgumentError('expected a snapshot version such as 2026-11 or 2026-11.1');
  }
  return raw;
}

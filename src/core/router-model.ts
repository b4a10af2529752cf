/**
 * Parsing of the router's own model names. The grammar, for callers that can set only a model name
 * (coding agents):
 *
 *     [openrouter/]pareto-code [@BAR] [@VERSION | :VERSION] [:nitro]
 *
 * BAR is a tier alias (`quick`, `balanced`, `high`, ...) or a score in 0..1 (`0.5`, `.8`, `1`); VERSION
 * pins a snapshot (`2026-05`, `2026-11.1`). Each part may appear once, in any order:
 * `pareto-code@balanced:nitro`, `pareto-code@0.8@2026-11`, `openrouter/pareto-code:2026-05:nitro`.
 */
import { tierAliases } from './tiers.js';

export interface RouterModelName {
  /** The name as the caller wrote it. */
  raw: string;
  nitro: boolean;
  /** Pinned snapshot version, when one was named. */
  snapshotVersion?: string;
  /** The bar the name carries (`@0.5`, or the score of `@balanced`); absent for `@frontier` and no bar. */
  minCodingScore?: number;
  /** The tier alias the name used (`balanced`), when it used one. */
  tier?: string;
}

const versionPattern = /^\d{4}-\d{2}(?:[.-][0-9A-Za-z]+)*$/;
const scorePattern = /^(?:0?\.\d+|0|1|0\.|1\.0*)$/;
const basePrefixes = ['openrouter/pareto-code', 'pareto-code'] as const;

/**
 * Parses a router model name, or returns null when `model` names a concrete model (or a malformed
 * router name: a caller's typo must not silently route with defaults).
 */
export function parseRouterModel(model: string): RouterModelName | null {
  const base = basePrefixes.find((prefix) => model.startsWith(prefix));
  if (base === undefined) return null;
  const result: RouterModelName = { raw: model, nitro: false };
  let barSeen = false;
  // Parts are split at `@` and `:`, each keeping the separator that introduced it.
  const parts = model.slice(base.length).match(/[@:][^@:]*/g) ?? [];
  if (parts.join('') !== model.slice(base.length)) return null;
  for (const part of parts) {
    const separator = part[0];
    const value = part.slice(1);
    if (separator === ':' && value === 'nitro' && !result.nitro) {
      result.nitro = true;
    } else if (versionPattern.test(value) && result.snapshotVersion === undefined) {
      result.snapshotVersion = value;
    } else if (separator === '@' && !barSeen && applyBar(result, value)) {
      barSeen = true;
    } else {
      return null;
    }
  }
  return result;
}

/** Reads a bar (a score or a tier alias) into `result`; false when `value` is neither. */
function applyBar(result: RouterModelName, value: string): boolean {
  if (scorePattern.test(value)) {
    const score = Number(value);
    if (!(score >= 0 && score <= 1)) return false;
    result.minCodingScore = score;
    return true;
  }
  const alias = value.toLowerCase();
  if (!Object.hasOwn(tierAliases, alias)) return false;
  result.tier = alias;
  const score = tierAliases[alias];
  if (score !== undefined) result.minCodingScore = score;
  return true;
}

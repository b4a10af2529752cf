/**
 * Model aliases: incoming model names (exact, or with `*` wildcards) mapped to another model name,
 * usually a router spec. Coding agents name their own models for background calls (`claude-haiku-*`),
 * and an alias sends each of those where the operator wants without editing every agent's settings.
 */
import { createModelMatcher, type ModelMatcher } from './model-pattern.js';

/** Resolves a requested model name to its alias target, or undefined when no alias matches. */
export type ModelAliasResolver = (model: string) => string | undefined;

/**
 * Compiles `aliases` (pattern -> target, in the order given). An exact name wins over any pattern;
 * among patterns the first listed wins. Matching is case-insensitive; aliases do not chain.
 */
export function createModelAliasResolver(aliases: Readonly<Record<string, string>>): ModelAliasResolver {
  const exact = new Map<string, string>();
  const patterns: { matches: ModelMatcher; target: string }[] = [];
  for (const [pattern, target] of Object.entries(aliases)) {
    if (pattern.includes('*')) patterns.push({ matches: createModelMatcher([pattern]), target });
    else exact.set(pattern.toLowerCase(), target);
  }
  if (exact.size === 0 && patterns.length === 0) return () => undefined;
  return (model) => {
    const direct = exact.get(model.toLowerCase());
    if (direct !== undefined) return direct;
    return patterns.find((alias) => alias.matches(model))?.target;
  };
}

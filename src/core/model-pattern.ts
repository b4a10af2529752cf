/**
 * Model id patterns for allow and exclude lists: an exact id, or `*` wildcards (`anthropic/*`,
 * `*flash*`). Matching is case-insensitive, as OpenRouter ids are lower-case.
 */
export type ModelMatcher = (modelId: string) => boolean;

/** Compiles a list of patterns into one matcher (true when any pattern matches). */
export function createModelMatcher(patterns: readonly string[]): ModelMatcher {
  const exact = new Set<string>();
  const wildcards: string[] = [];
  for (const pattern of patterns) {
    const lower = pattern.toLowerCase();
    if (!lower.includes('*')) {
      exact.add(lower);
      continue;
    }
    wildcards.push(
      lower
        .split('*')
        .map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*'),
    );
  }
  // One alternation rather than one expression per pattern: a router checks every model it ranks
  // against the list, so one regular-expression run per model instead of one per pattern.
  const wildcard = wildcards.length === 0 ? null : new RegExp(`^(?:${wildcards.join('|')})$`);
  return (modelId) => {
    const lower = modelId.toLowerCase();
    return exact.has(lower) || wildcard?.test(lower) === true;
  };
}

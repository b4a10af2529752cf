/**
 * Model id patterns for allow and exclude lists: an exact id, or `*` wildcards (`anthropic/*`,
 * `*flash*`). Matching is case-insensitive, as OpenRouter ids are lower-case.
 */
export type ModelMatcher = (modelId: string) => boolean;

/** Compiles a list of patterns into one matcher (true when any pattern matches). */
export function createModelMatcher(patterns: readonly string[]): ModelMatcher {
  const exact = new Set<string>();
  const wildcards: RegExp[] = [];
  for (const pattern of patterns) {
    const lower = pattern.toLowerCase();
    if (!lower.includes('*')) {
      exact.add(lower);
      continue;
    }
    const source = lower
      .split('*')
      .map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    wildcards.push(new RegExp(`^${source}$`));
  }
  return (modelId) => {
    const lower = modelId.toLowerCase();
    if (exact.has(lower)) return true;
    for (const wildcard of wildcards) if (wildcard.test(lower)) return true;
    return false;
  };
}

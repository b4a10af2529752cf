/**
 * Matching the names other sources give a model (Artificial Analysis slugs, models.dev file names, the
 * aider leaderboard's free text) to index ids. Names are first normalised (`Claude Opus 4-7 (max)` and
 * `anthropic/claude-opus-4.7` both become `claude-opus-4.7`); what normalising cannot bridge is listed in
 * `modelAliases`, by normalised name.
 */

/**
 * Normalised source name -> index id, for names that do not normalise to the id's own name; null marks
 * a name that must never match (an API alias that has pointed at different models over time).
 */
export const modelAliases: Readonly<Record<string, string | null>> = {
  'deepseek-chat': null,
  'deepseek-reasoner': null,
  // Artificial Analysis and aider word orders.
  'claude-4.5-haiku': 'anthropic/claude-haiku-4.5',
  'claude-4.5-sonnet': 'anthropic/claude-sonnet-4.5',
  'claude-4.6-sonnet': 'anthropic/claude-sonnet-4.6',
  'claude-4.5-opus': 'anthropic/claude-opus-4.5',
  'claude-4.6-opus': 'anthropic/claude-opus-4.6',
  'claude-4.7-opus': 'anthropic/claude-opus-4.7',
  'claude-opus-4.0': 'anthropic/claude-opus-4',
  'claude-sonnet-4.0': 'anthropic/claude-sonnet-4',
  'claude-3.5-sonnet': 'anthropic/claude-3.5-sonnet',
  'claude-3.5-haiku': 'anthropic/claude-3.5-haiku',
  'claude-3.7-sonnet': 'anthropic/claude-3.7-sonnet',
  // models.dev file names that differ from the OpenRouter slug.
  'mistral-medium-2604': 'mistralai/mistral-medium-3-5',
  'mistral-medium-3.5': 'mistralai/mistral-medium-3-5',
  'mistral-medium-2505': 'mistralai/mistral-medium-3',
  'mistral-large-2411': 'mistralai/mistral-large-2411',
  'llama-4-maverick-17b-instruct': 'meta-llama/llama-4-maverick',
  'llama-4-maverick': 'meta-llama/llama-4-maverick',
  // Aider leaderboard free text.
  'deepseek-v3.2-exp': 'deepseek/deepseek-v3.2-exp',
  'deepseek-r1-0528': 'deepseek/deepseek-r1-0528',
  'kimi-k2': 'moonshotai/kimi-k2',
  'grok-4': 'x-ai/grok-4',
  'grok-3-beta': 'x-ai/grok-3',
  'grok-3-mini-beta': 'x-ai/grok-3-mini',
  'gemini-2.5-pro-preview-06-05': 'google/gemini-2.5-pro',
  'gemini-2.5-pro-preview-05-06': 'google/gemini-2.5-pro-preview-05-06',
  'gemini-2.5-flash-preview-05-20': 'google/gemini-2.5-flash',
  'qwen3-235b-a22b-diff-no-think-alibaba-api': 'qwen/qwen3-235b-a22b',
};

/** Lower-cases, drops vendor prefixes, parenthesised variants and date stamps, and joins `4-7` into `4.7`. */
export function normalizeModelName(text: string): string {
  let name = text.trim().toLowerCase();
  name = name.replace(/\([^)]*\)/g, ' ');
  name = name.replace(/^~/, '');
  const slash = name.lastIndexOf('/');
  if (slash !== -1) name = name.slice(slash + 1);
  const colon = name.indexOf(': ');
  if (colon !== -1) name = name.slice(colon + 2);
  name = name.replace(/\.toml$/, '');
  name = name
    .replace(/[\s_,]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  // Full dates only (2025-05-14, 20250514): four-digit stamps such as devstral-2512 are part of real ids.
  name = name.replace(/-(?:19|20)\d{2}-?\d{2}-?\d{2}$/, '');
  name = name.replace(/(^|[^\d.])(\d)-(\d)(?!\d)/g, '$1$2.$3');
  return name;
}

export interface AliasCandidate {
  id: string;
  name?: string;
}

/** Resolves a source's model name to an index id, or undefined when nothing matches unambiguously. */
export type AliasResolver = (text: string) => string | undefined;

/**
 * A resolver over `candidates` (usually the catalog or snapshot models): an exact id, then the alias
 * table, then a unique normalised match on the id's last segment or the display name. Variant ids
 * (`:free`, `~` aliases) match only exactly, so `deepseek-v4-flash` never lands on the free variant.
 */
export function createAliasResolver(
  candidates: readonly AliasCandidate[],
  aliases: Readonly<Record<string, string | null>> = modelAliases,
): AliasResolver {
  const exact = new Set(candidates.map((candidate) => candidate.id));
  // Ids first, display names second: "Claude Opus 4.7 (Fast)" must not make "claude-opus-4.7" ambiguous.
  const byIdKey = new Map<string, Set<string>>();
  const byNameKey = new Map<string, Set<string>>();
  const add = (map: Map<string, Set<string>>, key: string, id: string) => {
    if (key === '') return;
    let ids = map.get(key);
    if (ids === undefined) {
      ids = new Set();
      map.set(key, ids);
    }
    ids.add(id);
  };
  for (const candidate of candidates) {
    if (candidate.id.includes(':') || candidate.id.startsWith('~')) continue;
    add(byIdKey, normalizeModelName(candidate.id), candidate.id);
    if (candidate.name !== undefined) add(byNameKey, normalizeModelName(candidate.name), candidate.id);
  }
  const unique = (ids: Set<string> | undefined) =>
    ids !== undefined && ids.size === 1 ? [...ids][0] : undefined;
  return (text) => {
    if (exact.has(text)) return text;
    const key = normalizeModelName(text);
    if (Object.hasOwn(aliases, key)) return aliases[key] ?? undefined;
    return unique(byIdKey.get(key)) ?? unique(byNameKey.get(key));
  };
}

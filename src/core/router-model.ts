/** Parsing of the router's own model names: `openrouter/pareto-code`, `pareto-code:nitro`, `pareto-code@2026-05`. */

export interface RouterModelName {
  /** The name as the caller wrote it. */
  raw: string;
  nitro: boolean;
  /** Pinned snapshot version, when one was named. */
  snapshotVersion?: string;
}

const versionPattern = /^\d{4}-\d{2}(?:[.-][0-9A-Za-z]+)*$/;

/**
 * Parses a router model name, or returns null when `model` names a concrete model. Accepted forms:
 * `pareto-code`, `openrouter/pareto-code`, each optionally pinned with `@VERSION` or `:VERSION`, and
 * optionally with a `:nitro` suffix (`pareto-code@2026-05:nitro`, `openrouter/pareto-code:2026-05:nitro`).
 */
export function parseRouterModel(model: string): RouterModelName | null {
  let rest: string;
  if (model.startsWith('openrouter/pareto-code')) rest = model.slice('openrouter/pareto-code'.length);
  else if (model.startsWith('pareto-code')) rest = model.slice('pareto-code'.length);
  else return null;
  const result: RouterModelName = { raw: model, nitro: false };
  if (rest.endsWith(':nitro')) {
    result.nitro = true;
    rest = rest.slice(0, -':nitro'.length);
  }
  if (rest === '') return result;
  const separator = rest[0];
  const version = rest.slice(1);
  if ((separator === '@' || separator === ':') && versionPattern.test(version)) {
    result.snapshotVersion = version;
    return result;
  }
  return null;
}

/** The model and method named by a Gemini API path. */

/** The methods the router answers on a model resource. */
export type GeminiMethod = 'generateContent' | 'streamGenerateContent' | 'countTokens';

const methods: ReadonlySet<string> = new Set<GeminiMethod>([
  'generateContent',
  'streamGenerateContent',
  'countTokens',
]);

/**
 * `/v1beta/models/{model}:{method}`, and the same under `/v1` and `/v1alpha` (the Google SDKs take the
 * version as an option, the Gemini CLI from GOOGLE_GENAI_API_VERSION) and under an `/api` prefix (a base
 * URL that copies OpenRouter's `/api/v1`). The model may hold slashes, `@` and `:`
 * (`openrouter/pareto-code@0.5:nitro`): the SDKs put it in the path unescaped, so the method is what follows
 * the last `:`. The model is URL-decoded. Anything else, or another method, is null.
 */
export function parseGeminiPath(path: string): { model: string; method: GeminiMethod } | null {
  const end = path.search(/[?#]/);
  const pathname = end === -1 ? path : path.slice(0, end);
  const match = /^(?:\/api)?\/v1(?:beta|alpha)?\/models\/(.+)$/.exec(pathname);
  const resource = match?.[1];
  if (resource === undefined) return null;
  const colon = resource.lastIndexOf(':');
  if (colon === -1) return null;
  const method = resource.slice(colon + 1);
  if (!methods.has(method)) return null;
  let model: string;
  try {
    model = decodeURIComponent(resource.slice(0, colon));
  } catch {
    return null;
  }
  if (model === '' || model.split('/').includes('..')) return null;
  return { model, method: method as GeminiMethod };
}

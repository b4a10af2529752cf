/**
 * `index refresh`: fetches the OpenRouter catalog and writes a new snapshot into the data dir. Prices,
 * context, max output and capabilities of known models are updated; their benchmark figures are kept
 * (the catalog's Artificial Analysis Coding Index is merged in where it carries one); catalog models the
 * snapshot lacks are added, unshortlisted, only when they carry a coding index. On any failure nothing
 * is written and the error says which snapshot stays in use.
 */
import { RouterError } from '../core/errors.js';
import type { IndexSnapshot } from '../core/model-index.js';
import { importOpenRouterCatalog } from './import-openrouter-catalog.js';
import type { ProgressCallback } from './imported-model.js';
import { type MergeChange, mergeIntoSnapshot } from './merge-into-snapshot.js';
import { maxImportBytes, parseJsonText } from './parse-json-text.js';
import { listSnapshots, loadSnapshot, writeSnapshot } from './snapshot-store.js';

export const defaultOpenRouterBaseUrl = 'https://openrouter.ai/api/v1';

export interface RefreshCatalogOptions {
  /** The clock: the new version is `YYYY-MM` of this date (UTC). */
  now: Date;
  dataDir?: string | undefined;
  shippedDir?: string | undefined;
  /** Default: env `OPENROUTER_BASE_URL`, else `https://openrouter.ai/api/v1`. */
  baseUrl?: string | undefined;
  /** Default: env `OPENROUTER_API_KEY` (the catalog is public; a key is sent when present). */
  apiKey?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Snapshot to update; default the latest available. */
  base?: IndexSnapshot;
  timeoutMs?: number;
  fetch?: typeof fetch;
  onProgress?: ProgressCallback;
}

export interface RefreshResult {
  snapshot: IndexSnapshot;
  path: string;
  baseVersion: string;
  url: string;
  changes: MergeChange[];
  added: string[];
}

/** Fetches the catalog, merges it onto the latest snapshot and writes the result into the data dir. */
export async function refreshCatalog(options: RefreshCatalogOptions): Promise<RefreshResult> {
  const env = options.env ?? process.env;
  const base =
    options.base ?? (await loadSnapshot({ dataDir: options.dataDir, shippedDir: options.shippedDir }));
  const baseUrl = (options.baseUrl ?? nonEmpty(env.OPENROUTER_BASE_URL) ?? defaultOpenRouterBaseUrl).replace(
    /\/+$/,
    '',
  );
  const url = `${baseUrl}/models`;
  const apiKey = options.apiKey ?? nonEmpty(env.OPENROUTER_API_KEY);
  const fail = (reason: string, cause?: unknown): RouterError =>
    new RouterError(
      'import_failed',
      `could not fetch the OpenRouter catalog from ${url}: ${reason}; kept snapshot ${base.version}`,
      cause === undefined ? {} : { cause },
    );

  const timeoutMs = options.timeoutMs ?? 30_000;
  let text: string;
  try {
    text = await fetchText(url, apiKey, timeoutMs, options.fetch ?? fetch);
  } catch (error) {
    throw fail(describeFetchError(error, timeoutMs), error);
  }
  const date = options.now.toISOString().slice(0, 10);
  let catalog: ReturnType<typeof importOpenRouterCatalog>;
  try {
    catalog = importOpenRouterCatalog(parseJsonText(text, 'response'), {
      date,
      source: url,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
  } catch (error) {
    throw fail(error instanceof Error ? error.message : String(error), error);
  }

  const listings = await listSnapshots({ dataDir: options.dataDir, shippedDir: options.shippedDir });
  const version = nextVersion(
    options.now,
    listings.map((listing) => listing.version),
  );
  const merged = mergeIntoSnapshot(base, catalog.models, {
    version,
    createdAt: options.now.toISOString(),
    description: `OpenRouter catalog refresh of ${date} (${url}) over snapshot ${base.version}.`,
    fields: ['pricing', 'contextLength', 'maxOutputTokens', 'capabilities', 'benchmarks'],
    addNew: (model) =>
      (model.benchmarks ?? []).some((figure) => figure.benchmark === 'Artificial Analysis Coding Index'),
  });
  let path: string;
  try {
    path = await writeSnapshot(merged.snapshot, { dataDir: options.dataDir });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RouterError('import_failed', `${reason}; kept snapshot ${base.version}`, { cause: error });
  }
  return {
    snapshot: merged.snapshot,
    path,
    baseVersion: base.version,
    url,
    changes: merged.changes,
    added: merged.added,
  };
}

/** `YYYY-MM` of `now` (UTC), or `YYYY-MM.N` with the next free N when that version exists. */
export function nextVersion(now: Date, existing: readonly string[]): string {
  const month = now.toISOString().slice(0, 7);
  if (!existing.includes(month)) return month;
  let highest = 0;
  for (const version of existing) {
    if (!version.startsWith(`${month}.`)) continue;
    const suffix = Number(version.slice(month.length + 1));
    if (Number.isInteger(suffix) && suffix > highest) highest = suffix;
  }
  return `${month}.${highest + 1}`;
}

async function fetchText(
  url: string,
  apiKey: string | undefined,
  timeoutMs: number,
  fetchFunction: typeof fetch,
): Promise<string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
  const response = await fetchFunction(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) {
    await response.body?.cancel();
    throw new HttpStatusError(response.status, response.statusText);
  }
  if (response.body === null) return '';
  // Read with a cap: a misconfigured base URL must not fill memory.
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxImportBytes) {
      await reader.cancel();
      throw new Error(`response larger than ${maxImportBytes} bytes`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    statusText: string,
  ) {
    super(`HTTP ${status}${statusText === '' ? '' : ` ${statusText}`}`);
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof HttpStatusError) return error.message;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  if (error instanceof Error) {
    const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
    const code = typeof cause?.code === 'string' ? cause.code : undefined;
    const detail = typeof cause?.message === 'string' && cause.message !== '' ? cause.message : undefined;
    if (detail !== undefined) return `${error.message} (${detail})`;
    return code === undefined ? error.message : `${error.message} (${code})`;
  }
  return String(error);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

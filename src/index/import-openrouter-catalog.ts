/**
 * OpenRouter's `GET /api/v1/models` response -> index records: prices in USD per million tokens (exact
 * decimal shift of the per-token strings), context, max output, capabilities, and the Artificial
 * Analysis Coding Index where newer responses carry `benchmarks.artificial_analysis.coding_index`.
 */
import { z } from 'zod';
import { RouterError } from '../core/errors.js';
import type { BenchmarkResult, ModelCapabilities, ModelEntry, ModelPricing } from '../core/model-index.js';
import type { ImportedModel, ImportResult, ProgressCallback, SkippedRecord } from './imported-model.js';
import { parseJsonText } from './parse-json-text.js';
import { parsePerTokenPrice } from './parse-price.js';

export const openRouterCatalogSource = 'https://openrouter.ai/api/v1/models';

// Tolerant: only the fields read are named, everything else passes through unchecked.
const priceText = z.union([z.string(), z.number()]).nullish();
const catalogModelSchema = z.object({
  id: z.string().min(1),
  name: z.string().nullish(),
  created: z.number().nullish(),
  context_length: z.number().nullish(),
  architecture: z.object({ input_modalities: z.array(z.string()).nullish() }).nullish(),
  pricing: z
    .object({
      prompt: priceText,
      completion: priceText,
      input_cache_read: priceText,
      input_cache_write: priceText,
    })
    .nullish(),
  top_provider: z
    .object({ context_length: z.number().nullish(), max_completion_tokens: z.number().nullish() })
    .nullish(),
  supported_parameters: z.array(z.string()).nullish(),
  benchmarks: z
    .object({
      artificial_analysis: z.object({ coding_index: z.number().nullish() }).nullish(),
    })
    .nullish(),
});
const catalogSchema = z.object({ data: z.array(z.unknown()) });

type CatalogModel = z.infer<typeof catalogModelSchema>;

export interface ImportOpenRouterCatalogOptions {
  /** Date of the capture (YYYY-MM or YYYY-MM-DD), recorded in every source. */
  date: string;
  /** Where the catalog came from (recorded as the source); default the public endpoint. */
  source?: string;
  onProgress?: ProgressCallback;
}

export interface CatalogImportResult extends ImportResult {
  models: CatalogRecord[];
}

/** An imported catalog model; price and max output are absent when the catalog does not state them. */
export interface CatalogRecord extends ImportedModel {
  name: string;
  contextLength: number;
  capabilities: ModelCapabilities;
  benchmarks: BenchmarkResult[];
  sources: ModelEntry['sources'];
}

/** Converts a catalog response (parsed JSON or its text) into index records. */
export function importOpenRouterCatalog(
  input: unknown,
  options: ImportOpenRouterCatalogOptions,
): CatalogImportResult {
  const data = typeof input === 'string' ? parseJsonText(input, 'OpenRouter catalog') : input;
  const catalog = catalogSchema.safeParse(data);
  if (!catalog.success) {
    throw new RouterError(
      'import_failed',
      'OpenRouter catalog: expected an object with a "data" array of models',
    );
  }
  const source = options.source ?? openRouterCatalogSource;
  const models: CatalogRecord[] = [];
  const skipped: SkippedRecord[] = [];
  const total = catalog.data.data.length;
  catalog.data.data.forEach((raw, position) => {
    const parsed = catalogModelSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined ? '' : `${issue.path.join('.')}: `;
      skipped.push({ record: `data[${position}]`, reason: `${where}${issue?.message ?? 'invalid model'}` });
    } else {
      const converted = convertModel(parsed.data, source, options.date);
      if ('reason' in converted) skipped.push(converted);
      else models.push(converted);
    }
    options.onProgress?.(position + 1, total);
  });
  return { models, unmatched: [], skipped };
}

function convertModel(model: CatalogModel, source: string, date: string): CatalogRecord | SkippedRecord {
  const input = parsePerTokenPrice(model.pricing?.prompt);
  const output = parsePerTokenPrice(model.pricing?.completion);
  if (input === undefined || output === undefined) {
    const quoted = model.pricing?.prompt ?? model.pricing?.completion;
    const reason =
      quoted !== undefined && quoted !== null && Number(quoted) < 0
        ? `price "${String(quoted)}": a router pseudo-model, not a concrete model`
        : 'no input/output price';
    return { record: model.id, reason };
  }
  const contextLength = model.context_length ?? model.top_provider?.context_length ?? undefined;
  if (contextLength === undefined || !Number.isInteger(contextLength) || contextLength <= 0) {
    return { record: model.id, reason: 'no context length' };
  }
  const pricing: ModelPricing = { input, output };
  const cacheRead = parsePerTokenPrice(model.pricing?.input_cache_read);
  const cacheWrite = parsePerTokenPrice(model.pricing?.input_cache_write);
  if (cacheRead !== undefined) pricing.cacheRead = cacheRead;
  if (cacheWrite !== undefined) pricing.cacheWrite = cacheWrite;

  const parameters = new Set(model.supported_parameters ?? []);
  const capabilities: ModelCapabilities = {
    tools: parameters.has('tools'),
    structuredOutput: parameters.has('response_format') || parameters.has('structured_outputs'),
    reasoning: parameters.has('reasoning') || parameters.has('include_reasoning'),
    imageInput: (model.architecture?.input_modalities ?? []).includes('image'),
  };

  const record: CatalogRecord = {
    id: model.id,
    name: displayName(model.name ?? model.id),
    pricing,
    contextLength,
    capabilities,
    benchmarks: [],
    upstreams: [{ upstream: 'openrouter', model: model.id }],
    sources: [
      { field: 'pricing', source, date },
      { field: 'contextLength', source, date },
      { field: 'capabilities', source, date },
    ],
  };
  const maxOutput = model.top_provider?.max_completion_tokens;
  if (maxOutput !== undefined && maxOutput !== null && Number.isInteger(maxOutput) && maxOutput > 0) {
    record.maxOutputTokens = maxOutput;
    record.sources.push({ field: 'maxOutputTokens', source, date });
  }
  if (model.created !== undefined && model.created !== null) record.created = model.created;
  const codingIndex = model.benchmarks?.artificial_analysis?.coding_index;
  if (codingIndex !== undefined && codingIndex !== null && Number.isFinite(codingIndex)) {
    record.benchmarks.push({
      benchmark: 'Artificial Analysis Coding Index',
      value: codingIndex,
      metric: 'index',
      source,
      date,
      note: 'as published in the OpenRouter catalog (benchmarks.artificial_analysis.coding_index)',
    });
  }
  return record;
}

/** `Anthropic: Claude Opus 4.7` -> `Claude Opus 4.7`: the index shows the vendor through the id. */
export function displayName(catalogName: string): string {
  const colon = catalogName.indexOf(': ');
  return colon === -1 ? catalogName : catalogName.slice(colon + 2);
}

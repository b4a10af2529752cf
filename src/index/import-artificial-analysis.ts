/**
 * Artificial Analysis model data, in the format of their public API (`GET /api/v2/data/llms/models`:
 * `data[]` with `name`, `slug`, `model_creator`, `evaluations`, `pricing`, `median_output_tokens_per_second`,
 * `median_time_to_first_token_seconds`) -> benchmark figures, reference throughput and time to first
 * token, keyed by index id through the alias table.
 */
import { z } from 'zod';
import { RouterError } from '../core/errors.js';
import type { BenchmarkResult } from '../core/model-index.js';
import type { AliasResolver } from './aliases.js';
import type { ImportedModel, ImportResult, ProgressCallback, SkippedRecord } from './imported-model.js';
import { parseJsonText } from './parse-json-text.js';
import { shiftDecimalNumber } from './parse-price.js';

export const artificialAnalysisSource = 'https://artificialanalysis.ai/api/v2/data/llms/models';

const optionalNumber = z.number().nullish();
const aaModelSchema = z.object({
  name: z.string().min(1),
  slug: z.string().min(1),
  model_creator: z.object({ name: z.string().nullish(), slug: z.string().nullish() }).nullish(),
  evaluations: z.record(z.string(), z.union([z.number(), z.null()])).nullish(),
  pricing: z
    .object({ price_1m_input_tokens: optionalNumber, price_1m_output_tokens: optionalNumber })
    .nullish(),
  median_output_tokens_per_second: optionalNumber,
  median_time_to_first_token_seconds: optionalNumber,
});
const aaResponseSchema = z.object({ data: z.array(z.unknown()) });

interface EvaluationMapping {
  benchmark: string;
  metric: string;
  /** The API gives these as fractions (0.807); the index keeps percent (80.7) like every other source. */
  fraction: boolean;
}

/** The coding evaluations read from `evaluations`, and the benchmark name each becomes. */
export const artificialAnalysisEvaluations: Readonly<Record<string, EvaluationMapping>> = {
  artificial_analysis_coding_index: {
    benchmark: 'Artificial Analysis Coding Index',
    metric: 'index',
    fraction: false,
  },
  livecodebench: { benchmark: 'LiveCodeBench', metric: 'percent correct', fraction: true },
  scicode: { benchmark: 'SciCode', metric: 'percent correct', fraction: true },
  terminalbench_hard: { benchmark: 'Terminal-Bench Hard', metric: 'success rate', fraction: true },
};

export interface ImportArtificialAnalysisOptions {
  /** Matches Artificial Analysis slugs and names to index ids. */
  resolve: AliasResolver;
  /** Date the data was retrieved (YYYY-MM or YYYY-MM-DD). */
  date: string;
  source?: string;
  /**
   * Also import list prices. Off by default: Artificial Analysis quotes the first-party list price, while
   * the index prices what the configured upstreams charge (the OpenRouter catalog).
   */
  includePricing?: boolean;
  onProgress?: ProgressCallback;
}

/** Converts an Artificial Analysis models response (parsed JSON or its text) into index records. */
export function importArtificialAnalysis(
  input: unknown,
  options: ImportArtificialAnalysisOptions,
): ImportResult {
  const data = typeof input === 'string' ? parseJsonText(input, 'Artificial Analysis data') : input;
  const response = aaResponseSchema.safeParse(data);
  if (!response.success) {
    throw new RouterError(
      'import_failed',
      'Artificial Analysis data: expected an object with a "data" array of models',
    );
  }
  const source = options.source ?? artificialAnalysisSource;
  const models: ImportedModel[] = [];
  const unmatched: string[] = [];
  const skipped: SkippedRecord[] = [];
  const total = response.data.data.length;
  response.data.data.forEach((raw, position) => {
    const parsed = aaModelSchema.safeParse(raw);
    if (!parsed.success) {
      skipped.push({
        record: `data[${position}]`,
        reason: parsed.error.issues[0]?.message ?? 'invalid model',
      });
      options.onProgress?.(position + 1, total);
      return;
    }
    const model = parsed.data;
    const creator = model.model_creator?.slug;
    const id =
      options.resolve(model.slug) ??
      options.resolve(model.name) ??
      (creator === undefined || creator === null ? undefined : options.resolve(`${creator}/${model.slug}`));
    if (id === undefined) {
      unmatched.push(model.slug);
    } else {
      models.push(convertModel(id, model, source, options));
    }
    options.onProgress?.(position + 1, total);
  });
  return { models, unmatched, skipped };
}

function convertModel(
  id: string,
  model: z.infer<typeof aaModelSchema>,
  source: string,
  options: ImportArtificialAnalysisOptions,
): ImportedModel {
  const record: ImportedModel = { id, benchmarks: [] };
  const note = `Artificial Analysis model "${model.slug}"`;
  const benchmarks: BenchmarkResult[] = [];
  for (const [key, mapping] of Object.entries(artificialAnalysisEvaluations)) {
    const raw = model.evaluations?.[key];
    if (raw === undefined || raw === null || !Number.isFinite(raw)) continue;
    const value = mapping.fraction ? shiftDecimalNumber(raw, 2) : raw;
    if (value === undefined) continue;
    benchmarks.push({
      benchmark: mapping.benchmark,
      value,
      metric: mapping.metric,
      source,
      date: options.date,
      note,
    });
  }
  record.benchmarks = benchmarks;
  // Zero means "not measured" in this API: no live endpoint was sampled.
  const throughput = model.median_output_tokens_per_second;
  if (throughput !== undefined && throughput !== null && throughput > 0)
    record.throughputTokensPerSecond = throughput;
  const ttftSeconds = model.median_time_to_first_token_seconds;
  if (ttftSeconds !== undefined && ttftSeconds !== null && ttftSeconds > 0) {
    const milliseconds = shiftDecimalNumber(ttftSeconds, 3);
    if (milliseconds !== undefined) record.timeToFirstTokenMs = milliseconds;
  }
  const sources: NonNullable<ImportedModel['sources']> = [];
  if (record.throughputTokensPerSecond !== undefined) {
    sources.push({ field: 'throughputTokensPerSecond', source, date: options.date });
  }
  if (record.timeToFirstTokenMs !== undefined)
    sources.push({ field: 'timeToFirstTokenMs', source, date: options.date });
  const input = model.pricing?.price_1m_input_tokens;
  const output = model.pricing?.price_1m_output_tokens;
  if (
    options.includePricing === true &&
    typeof input === 'number' &&
    typeof output === 'number' &&
    input >= 0 &&
    output >= 0
  ) {
    record.pricing = { input, output };
    sources.push({ field: 'pricing', source, date: options.date });
  }
  if (sources.length > 0) record.sources = sources;
  return record;
}

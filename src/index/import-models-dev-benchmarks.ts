/**
 * models.dev benchmark extracts (the `[[benchmarks]]` tables of its model files, as JSON:
 * `{source, commit, models: [{file, name, release_date, benchmarks: [{name, score, metric, dataset?,
 * harness?, variant?, version?, source, date?}]}]}`) -> per-model benchmark figures.
 *
 * Benchmark names are made canonical, and figures on different datasets get different names, because
 * the coding percentile treats each name as one scale: Scale AI's public SWE-Bench Pro set and the
 * Artificial Analysis hard subset of it are not comparable numbers, nor are Terminal-Bench 2.0 and 2.1.
 */
import { z } from 'zod';
import { RouterError } from '../core/errors.js';
import type { BenchmarkResult } from '../core/model-index.js';
import type { AliasResolver } from './aliases.js';
import type { ImportedModel, ImportResult, ProgressCallback, SkippedRecord } from './imported-model.js';
import { parseJsonText } from './parse-json-text.js';

const looseText = z.union([z.string(), z.number()]).nullish();
const benchmarkSchema = z.object({
  name: z.string().min(1),
  score: z.number(),
  metric: z.string().nullish(),
  dataset: looseText,
  harness: looseText,
  variant: looseText,
  version: looseText,
  source: z.string().min(1),
  date: z.string().nullish(),
});
const modelSchema = z.object({
  file: z.string().min(1),
  name: z.string().nullish(),
  release_date: looseText,
  benchmarks: z.array(z.unknown()),
});
const fileSchema = z.object({
  commit: z.string().nullish(),
  models: z.array(z.unknown()),
});

export interface ImportModelsDevOptions {
  resolve: AliasResolver;
  /**
   * Date given to figures the file leaves undated (YYYY-MM): the date of the capture, which is the
   * latest the figure can be. Each such figure says so in its note.
   */
  undatedDate: string;
  onProgress?: ProgressCallback;
}

/** One models.dev model file's figures, matched to an index id. */
export interface ModelsDevRecord extends ImportedModel {
  benchmarks: BenchmarkResult[];
  /** The models.dev file the figures came from. */
  files: string[];
  /** Release date as models.dev states it (YYYY, YYYY-MM or YYYY-MM-DD), when it does. */
  releaseDate?: string;
}

export interface ModelsDevImportResult extends ImportResult {
  models: ModelsDevRecord[];
  commit?: string;
}

/** Converts a models.dev benchmark extract (parsed JSON or its text) into per-model figures. */
export function importModelsDevBenchmarks(
  input: unknown,
  options: ImportModelsDevOptions,
): ModelsDevImportResult {
  const data = typeof input === 'string' ? parseJsonText(input, 'models.dev benchmarks') : input;
  const file = fileSchema.safeParse(data);
  if (!file.success) {
    throw new RouterError('import_failed', 'models.dev benchmarks: expected an object with a "models" array');
  }
  const byId = new Map<string, ModelsDevRecord>();
  const unmatched: string[] = [];
  const skipped: SkippedRecord[] = [];
  const total = file.data.models.length;
  file.data.models.forEach((raw, position) => {
    const parsed = modelSchema.safeParse(raw);
    if (!parsed.success) {
      skipped.push({
        record: `models[${position}]`,
        reason: parsed.error.issues[0]?.message ?? 'invalid model',
      });
    } else {
      const model = parsed.data;
      const slug = model.file.replace(/^.*\//, '').replace(/\.toml$/, '');
      const id =
        options.resolve(slug) ??
        (model.name === null || model.name === undefined ? undefined : options.resolve(model.name));
      if (id === undefined) {
        unmatched.push(model.file);
      } else {
        let record = byId.get(id);
        if (record === undefined) {
          record = { id, benchmarks: [], files: [] };
          if (model.release_date !== undefined && model.release_date !== null)
            record.releaseDate = String(model.release_date);
          byId.set(id, record);
        }
        record.files.push(model.file);
        model.benchmarks.forEach((rawBenchmark, benchmarkPosition) => {
          const benchmark = benchmarkSchema.safeParse(rawBenchmark);
          if (!benchmark.success) {
            skipped.push({
              record: `${model.file} benchmarks[${benchmarkPosition}]`,
              reason: benchmark.error.issues[0]?.message ?? 'invalid benchmark',
            });
            return;
          }
          const result = convertBenchmark(benchmark.data, options.undatedDate);
          if (!record.benchmarks.some((existing) => sameFigure(existing, result)))
            record.benchmarks.push(result);
        });
      }
    }
    options.onProgress?.(position + 1, total);
  });
  const result: ModelsDevImportResult = { models: [...byId.values()], unmatched, skipped };
  if (file.data.commit !== undefined && file.data.commit !== null) result.commit = file.data.commit;
  return result;
}

function convertBenchmark(benchmark: z.infer<typeof benchmarkSchema>, undatedDate: string): BenchmarkResult {
  const text = (value: string | number | null | undefined) =>
    value === undefined || value === null || String(value).trim() === '' ? undefined : String(value).trim();
  const dataset = text(benchmark.dataset);
  const version = text(benchmark.version);
  const name = canonicalBenchmarkName(benchmark.name, { dataset, version });
  const notes: string[] = [];
  const harness = text(benchmark.harness);
  const variant = text(benchmark.variant);
  if (harness !== undefined) notes.push(`harness ${harness}`);
  if (variant !== undefined) notes.push(`variant ${variant}`);
  if (dataset === 'public') notes.push("Scale AI's public set");
  const date = text(benchmark.date);
  if (date === undefined) notes.push(`undated in models.dev; date is that of the capture (${undatedDate})`);
  const result: BenchmarkResult = {
    benchmark: name,
    value: benchmark.score,
    source: benchmark.source,
    date: date ?? undatedDate,
  };
  const metric = text(benchmark.metric);
  if (metric !== undefined) result.metric = metric;
  if (notes.length > 0) result.note = notes.join('; ');
  return result;
}

/**
 * The canonical name of a benchmark figure: one spelling per benchmark, and one name per dataset
 * (`SWE-Bench Pro` is Scale AI's public set, `SWE-Bench Pro (AA hard subset)` the Artificial Analysis
 * subset; `Terminal-Bench 2.0` and `Terminal-Bench 2.1` are different task sets).
 */
export function canonicalBenchmarkName(
  name: string,
  details: { dataset?: string | undefined; version?: string | undefined } = {},
): string {
  const spaced = name.trim().replace(/\s+/g, ' ');
  const key = spaced.toLowerCase().replace(/[\s-]+/g, ' ');
  if (key === 'swe bench pro') {
    return details.dataset === 'hard-aa' ? 'SWE-Bench Pro (AA hard subset)' : 'SWE-Bench Pro';
  }
  if (key === 'swe bench verified') return 'SWE-Bench Verified';
  if (key === 'swe bench multilingual') return 'SWE-Bench Multilingual';
  if (key === 'aider polyglot') return 'Aider Polyglot';
  if (key === 'livecodebench') return 'LiveCodeBench';
  if (key === 'terminal bench hard') return 'Terminal-Bench Hard';
  const terminal = /^terminal bench(?: v?(\d+(?:\.\d+)?))?$/.exec(key);
  if (terminal !== null) {
    const version = terminal[1] ?? details.version;
    if (version === undefined) return 'Terminal-Bench';
    return `Terminal-Bench ${version.includes('.') ? version : `${version}.0`}`;
  }
  return spaced;
}

function sameFigure(a: BenchmarkResult, b: BenchmarkResult): boolean {
  return a.benchmark === b.benchmark && a.value === b.value && a.source === b.source && a.note === b.note;
}

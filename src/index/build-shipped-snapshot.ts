/**
 * Rebuilds the shipped snapshots (`snapshots/2026-11.json`, `snapshots/2026-05.json`) from the public
 * data files and the curated lineup of `shipped-models.ts`, with the project's own importers.
 *
 * Curation rules, applied in code so the result can be checked against its sources:
 * - Prices, context, max output and capabilities come from the OpenRouter catalog capture; where it
 *   states no output cap, the model's own public figure, else the context window (the only bound).
 * - Benchmark figures come from models.dev, the aider leaderboard and `shippedFigures`. Only benchmark
 *   names that are coding scales shared by several models in the field count; the component scores of
 *   the Artificial Analysis Coding Agent Index are left out because the index already holds them.
 * - One figure per model and benchmark name: the best reported one (its harness or variant in `note`),
 *   on ties the earliest, because the core would otherwise prefer a later but lower re-run.
 * - `asOf` drops models released and figures dated after it (the 2026-05 snapshot).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchmarkResult, IndexSnapshot, ModelEntry } from '../core/model-index.js';
import { createAliasResolver } from './aliases.js';
import { importAiderLeaderboard } from './import-aider-leaderboard.js';
import { importModelsDevBenchmarks } from './import-models-dev-benchmarks.js';
import {
  type CatalogRecord,
  importOpenRouterCatalog,
  openRouterCatalogSource,
} from './import-openrouter-catalog.js';
import { validateSnapshot } from './load-snapshot.js';
import { offCatalogModels, type ShippedModelSpec, shippedFigures, shippedModels } from './shipped-models.js';

/** When the OpenRouter catalog and the models.dev extract were captured. */
export const sharedDataCaptureDate = '2026-07';

/** Benchmark names that enter the shipped snapshots (see the module comment). */
export const shippedBenchmarkNames: ReadonlySet<string> = new Set([
  'Artificial Analysis Coding Agent Index',
  'Artificial Analysis Coding Index',
  'SWE-Bench Verified',
  'SWE-Bench Pro',
  'Terminal-Bench 2.0',
  'Terminal-Bench 2.1',
  'LiveCodeBench',
  'Aider Polyglot',
]);

const codingAgentIndexPage = 'https://artificialanalysis.ai/agents/coding-agents';

/** The three public data files, as text. */
export interface SharedDataFiles {
  openRouterCatalog: string;
  modelsDevBenchmarks: string;
  aiderLeaderboard: string;
}

/** Reads the shared data files from `directory` (`openrouter-models-2026-07.json` and the two others). */
export function readSharedDataFiles(directory: string): SharedDataFiles {
  return {
    openRouterCatalog: readFileSync(join(directory, 'openrouter-models-2026-07.json'), 'utf8'),
    modelsDevBenchmarks: readFileSync(join(directory, 'models-dev-benchmarks.json'), 'utf8'),
    aiderLeaderboard: readFileSync(join(directory, 'aider-polyglot-leaderboard.yml'), 'utf8'),
  };
}

export interface BuildShippedSnapshotOptions {
  version: string;
  createdAt: string;
  /** Leave out models released and figures dated after this day (YYYY-MM-DD). */
  asOf?: string;
}

/** Builds one shipped snapshot from the shared data files and the curated lineup. */
export function buildShippedSnapshot(
  files: SharedDataFiles,
  options: BuildShippedSnapshotOptions,
): IndexSnapshot {
  const catalog = importOpenRouterCatalog(files.openRouterCatalog, { date: sharedDataCaptureDate });
  const catalogById = new Map(catalog.models.map((model) => [model.id, model] as const));
  const resolve = createAliasResolver([...catalog.models, ...offCatalogModels]);
  const modelsDev = importModelsDevBenchmarks(files.modelsDevBenchmarks, {
    resolve,
    undatedDate: sharedDataCaptureDate,
  });
  const aider = importAiderLeaderboard(files.aiderLeaderboard, { resolve });

  const figuresById = new Map<string, BenchmarkResult[]>();
  const addFigure = (id: string, figure: BenchmarkResult) => {
    const list = figuresById.get(id) ?? [];
    list.push(figure);
    figuresById.set(id, list);
  };
  for (const record of [...modelsDev.models, ...aider.models]) {
    for (const figure of record.benchmarks ?? []) addFigure(record.id, figure);
  }
  for (const { model, ...figure } of shippedFigures) addFigure(model, figure);

  const models: ModelEntry[] = [];
  for (const spec of shippedModels) {
    const entry = buildEntry(spec, catalogById.get(spec.id));
    if (options.asOf !== undefined && entry.released > options.asOf) continue;
    entry.model.benchmarks = selectFigures(figuresById.get(spec.id) ?? [], options.asOf);
    models.push(entry.model);
  }

  const cutoff =
    options.asOf === undefined
      ? ''
      : ` restricted to models released and figures dated on or before ${options.asOf}`;
  const snapshot: IndexSnapshot = {
    schemaVersion: 1,
    version: options.version,
    createdAt: options.createdAt,
    description:
      `Coding-model index${cutoff}. Prices, context, max output and capabilities: OpenRouter catalog capture of ` +
      `${sharedDataCaptureDate} (${openRouterCatalogSource})${options.asOf === undefined ? '' : ', the only capture available'}. ` +
      `Benchmarks: models.dev extract (commit ${modelsDev.commit ?? 'unknown'}), the aider polyglot leaderboard and vendor ` +
      'launch tables, each figure with its own source and date; figures models.dev leaves undated carry the capture date.',
    models,
  };
  return validateSnapshot(snapshot, `shipped snapshot ${options.version}`);
}

function buildEntry(
  spec: ShippedModelSpec,
  record: CatalogRecord | undefined,
): { model: ModelEntry; released: string } {
  const upstreams = [
    { upstream: 'openrouter', model: spec.id },
    ...(spec.native === undefined ? [] : [spec.native]),
  ];
  if (record === undefined) {
    const offCatalog = offCatalogModels.find((model) => model.id === spec.id);
    if (offCatalog === undefined)
      throw new Error(`${spec.id}: not in the OpenRouter catalog capture and not described off-catalog`);
    return {
      released: offCatalog.released,
      model: {
        id: spec.id,
        name: offCatalog.name,
        pricing: { ...offCatalog.pricing },
        contextLength: offCatalog.contextLength,
        maxOutputTokens: offCatalog.maxOutputTokens,
        capabilities: { ...offCatalog.capabilities },
        benchmarks: [],
        upstreams,
        sources: offCatalog.sources.map((source) => ({ ...source })),
        shortlist: spec.shortlist,
      },
    };
  }
  if (record.pricing === undefined) throw new Error(`${spec.id}: the catalog capture has no price`);
  const sources = record.sources.map((source) => ({ ...source }));
  let maxOutputTokens = record.maxOutputTokens;
  if (maxOutputTokens === undefined && spec.maxOutputTokens !== undefined) {
    maxOutputTokens = spec.maxOutputTokens.value;
    sources.push({
      field: 'maxOutputTokens',
      source: spec.maxOutputTokens.source,
      date: spec.maxOutputTokens.date,
    });
  }
  if (maxOutputTokens === undefined) {
    // No separate cap is published: what bounds the output is the context window itself.
    maxOutputTokens = record.contextLength;
    sources.push({
      field: 'maxOutputTokens',
      source: `${openRouterCatalogSource} (top_provider.max_completion_tokens is null: no separate cap, so the context length)`,
      date: sharedDataCaptureDate,
    });
  }
  if (spec.native !== undefined) {
    sources.push({
      field: 'upstreams',
      source: `${spec.native.upstream} API documentation (model name ${spec.native.model})`,
      date: sharedDataCaptureDate,
    });
  }
  const model: ModelEntry = {
    id: spec.id,
    name: record.name,
    pricing: { ...record.pricing },
    contextLength: record.contextLength,
    maxOutputTokens,
    capabilities: { ...record.capabilities },
    benchmarks: [],
    upstreams,
    sources,
    shortlist: spec.shortlist,
  };
  const released =
    record.created === undefined
      ? sharedDataCaptureDate
      : new Date(record.created * 1000).toISOString().slice(0, 10);
  return { model, released };
}

/** The counted figure per benchmark name (see the module comment), sorted by name. */
export function selectFigures(figures: readonly BenchmarkResult[], asOf?: string): BenchmarkResult[] {
  const best = new Map<string, BenchmarkResult>();
  for (const figure of figures) {
    if (!shippedBenchmarkNames.has(figure.benchmark)) continue;
    if (
      figure.source === codingAgentIndexPage &&
      figure.benchmark !== 'Artificial Analysis Coding Agent Index'
    )
      continue;
    if (asOf !== undefined && figure.date > asOf) continue;
    const current = best.get(figure.benchmark);
    if (
      current === undefined ||
      figure.value > current.value ||
      (figure.value === current.value && figure.date < current.date)
    ) {
      best.set(figure.benchmark, figure);
    }
  }
  return [...best.values()]
    .map((figure) => ({ ...figure }))
    .sort((a, b) => (a.benchmark < b.benchmark ? -1 : a.benchmark > b.benchmark ? 1 : 0));
}

/**
 * Applies imported records onto a base snapshot, giving a new snapshot (new version) and a list of what
 * changed. The base is never modified. Benchmark figures are matched on (benchmark, source, note): the
 * same figure re-imported is updated in place, a new one is appended, and none is ever dropped.
 */
import type { BenchmarkResult, IndexSnapshot, ModelEntry } from '../core/model-index.js';
import type { ImportedModel } from './imported-model.js';
import { validateSnapshot } from './load-snapshot.js';

export type MergeField =
  | 'name'
  | 'pricing'
  | 'contextLength'
  | 'maxOutputTokens'
  | 'capabilities'
  | 'benchmarks'
  | 'throughputTokensPerSecond'
  | 'timeToFirstTokenMs';

const allFields: readonly MergeField[] = [
  'name',
  'pricing',
  'contextLength',
  'maxOutputTokens',
  'capabilities',
  'benchmarks',
  'throughputTokensPerSecond',
  'timeToFirstTokenMs',
];

export interface MergeOptions {
  version: string;
  /** ISO timestamp of the new snapshot. */
  createdAt: string;
  description?: string;
  /** Fields taken from the imports (default: every field an import carries). */
  fields?: readonly MergeField[];
  /**
   * Whether an imported model the base lacks is added (never shortlisted). Only complete records can be
   * added: name, prices, context, max output and capabilities. Default: never.
   */
  addNew?: (model: ImportedModel) => boolean;
}

export interface MergeChange {
  id: string;
  field: string;
  before?: unknown;
  after?: unknown;
}

export interface MergeResult {
  snapshot: IndexSnapshot;
  changes: MergeChange[];
  /** Ids added to the snapshot. */
  added: string[];
  /** Imported ids the base does not hold and that were not added, with the reason. */
  ignored: { id: string; reason: string }[];
}

/** Builds a new snapshot from `base` with `imports` applied. */
export function mergeIntoSnapshot(
  base: IndexSnapshot,
  imports: readonly ImportedModel[],
  options: MergeOptions,
): MergeResult {
  const fields = new Set(options.fields ?? allFields);
  const models: ModelEntry[] = base.models.map((model) => structuredClone(model));
  const byId = new Map(models.map((model) => [model.id, model] as const));
  const changes: MergeChange[] = [];
  const added: string[] = [];
  const ignored: { id: string; reason: string }[] = [];

  for (const imported of imports) {
    const existing = byId.get(imported.id);
    if (existing === undefined) {
      if (options.addNew?.(imported) !== true) {
        ignored.push({ id: imported.id, reason: 'not in the base snapshot' });
        continue;
      }
      const entry = completeEntry(imported);
      if (typeof entry === 'string') {
        ignored.push({ id: imported.id, reason: entry });
        continue;
      }
      models.push(entry);
      byId.set(entry.id, entry);
      added.push(entry.id);
      changes.push({ id: entry.id, field: 'model', after: 'added' });
      continue;
    }
    applyImport(existing, imported, fields, changes);
  }

  const snapshot: IndexSnapshot = {
    schemaVersion: 1,
    version: options.version,
    createdAt: options.createdAt,
    models,
  };
  const description = options.description ?? base.description;
  if (description !== undefined) snapshot.description = description;
  validateSnapshot(snapshot, `snapshot ${options.version}`);
  return { snapshot, changes, added, ignored };
}

function applyImport(
  target: ModelEntry,
  imported: ImportedModel,
  fields: ReadonlySet<MergeField>,
  changes: MergeChange[],
): void {
  const setField = <K extends Exclude<MergeField, 'benchmarks'>>(
    field: K,
    value: ModelEntry[K] | undefined,
  ) => {
    if (value === undefined || !fields.has(field)) return;
    if (!sameValue(target[field], value)) {
      changes.push({ id: target.id, field, before: target[field], after: value });
      target[field] = structuredClone(value);
    }
    replaceSources(target, imported, field);
  };
  setField('name', imported.name);
  setField('pricing', imported.pricing);
  setField('contextLength', imported.contextLength);
  setField('maxOutputTokens', imported.maxOutputTokens);
  setField('capabilities', imported.capabilities);
  setField('throughputTokensPerSecond', imported.throughputTokensPerSecond);
  setField('timeToFirstTokenMs', imported.timeToFirstTokenMs);
  if (fields.has('benchmarks')) {
    for (const figure of imported.benchmarks ?? []) mergeBenchmark(target, figure, changes);
  }
}

function mergeBenchmark(target: ModelEntry, figure: BenchmarkResult, changes: MergeChange[]): void {
  const position = target.benchmarks.findIndex(
    (existing) =>
      existing.benchmark === figure.benchmark &&
      existing.source === figure.source &&
      existing.note === figure.note,
  );
  if (position === -1) {
    target.benchmarks.push({ ...figure });
    changes.push({ id: target.id, field: `benchmarks.${figure.benchmark}`, after: figure.value });
    return;
  }
  const existing = target.benchmarks[position] as BenchmarkResult;
  if (!sameValue(existing, figure)) {
    changes.push({
      id: target.id,
      field: `benchmarks.${figure.benchmark}`,
      before: existing.value,
      after: figure.value,
    });
    target.benchmarks[position] = { ...figure };
  }
}

// A field's provenance follows its value: the imported source replaces the old one for that field.
function replaceSources(target: ModelEntry, imported: ImportedModel, field: string): void {
  const incoming = (imported.sources ?? []).filter((source) => source.field === field);
  if (incoming.length === 0) return;
  target.sources = [
    ...target.sources.filter((source) => source.field !== field),
    ...incoming.map((source) => ({ ...source })),
  ];
}

function completeEntry(imported: ImportedModel): ModelEntry | string {
  const { name, pricing, contextLength, maxOutputTokens, capabilities } = imported;
  if (name === undefined) return 'no name';
  if (pricing === undefined) return 'no price';
  if (contextLength === undefined) return 'no context length';
  if (maxOutputTokens === undefined) return 'no max output figure';
  if (capabilities === undefined) return 'no capabilities';
  const entry: ModelEntry = {
    id: imported.id,
    name,
    pricing: { ...pricing },
    contextLength,
    maxOutputTokens,
    capabilities: { ...capabilities },
    benchmarks: (imported.benchmarks ?? []).map((figure) => ({ ...figure })),
    upstreams: (imported.upstreams ?? [{ upstream: 'openrouter', model: imported.id }]).map((route) => ({
      ...route,
    })),
    sources: (imported.sources ?? []).map((source) => ({ ...source })),
    shortlist: false,
  };
  if (imported.throughputTokensPerSecond !== undefined)
    entry.throughputTokensPerSecond = imported.throughputTokensPerSecond;
  if (imported.timeToFirstTokenMs !== undefined) entry.timeToFirstTokenMs = imported.timeToFirstTokenMs;
  return entry;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

// Key order must not make two equal objects look different.
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, entry]) => entry !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, entry]) => [key, canonical(entry)]),
    );
  }
  return value;
}

/** What every importer produces: partial model records keyed by index id, ready for `mergeIntoSnapshot`. */
import type {
  BenchmarkResult,
  ModelCapabilities,
  ModelEntry,
  ModelPricing,
  UpstreamRoute,
} from '../core/model-index.js';

/** Progress of a long import: `done` of `total` records handled. */
export type ProgressCallback = (done: number, total: number) => void;

/** One imported model: only the fields the source knows are present. */
export interface ImportedModel {
  /** Index (OpenRouter-form) id. */
  id: string;
  name?: string;
  pricing?: ModelPricing;
  contextLength?: number;
  maxOutputTokens?: number;
  capabilities?: ModelCapabilities;
  benchmarks?: BenchmarkResult[];
  throughputTokensPerSecond?: number;
  timeToFirstTokenMs?: number;
  upstreams?: UpstreamRoute[];
  sources?: ModelEntry['sources'];
  /** Unix seconds at which the catalog first listed the model, where known. */
  created?: number;
}

/** A record the importer read but could not use, and why. */
export interface SkippedRecord {
  record: string;
  reason: string;
}

export interface ImportResult {
  models: ImportedModel[];
  /** Source names no alias matched to an index id. */
  unmatched: string[];
  skipped: SkippedRecord[];
}

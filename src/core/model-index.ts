/**
 * The model index: which coding models exist, how well they code, what they cost, what they can do,
 * and which upstreams serve them. A snapshot is one dated, versioned copy of it.
 */

/** Prices in USD per million tokens. */
export interface ModelPricing {
  input: number;
  output: number;
  /** Price of a prompt token read from the provider's prompt cache; absent means "same as input". */
  cacheRead?: number;
  /** Price of a prompt token written to the cache; absent means "same as input". */
  cacheWrite?: number;
}

export interface ModelCapabilities {
  tools: boolean;
  /** `response_format: {type: "json_schema"}` is honoured. */
  structuredOutput: boolean;
  reasoning: boolean;
  imageInput: boolean;
}

/** One benchmark figure, with where it came from. */
export interface BenchmarkResult {
  /** Canonical benchmark name, for example `Artificial Analysis Coding Index`, `SWE-Bench Verified`. */
  benchmark: string;
  value: number;
  /** What the value measures, for example `percent resolved`, `index`. */
  metric?: string;
  /** A URL or a short citation of where the figure was published. */
  source: string;
  /** ISO date (YYYY-MM-DD or YYYY-MM) the figure was published or retrieved. */
  date: string;
  /** Harness, variant or dataset notes that distinguish this figure from others of the same benchmark. */
  note?: string;
}

/** Where one upstream serves this model, and under which name. */
export interface UpstreamRoute {
  /** Upstream name as configured (`openai`, `anthropic`, `gemini`, `openrouter`, `deepseek`...). */
  upstream: string;
  /** The model name that upstream expects. */
  model: string;
}

export interface ModelEntry {
  /** OpenRouter-form id, for example `anthropic/claude-opus-4.7`. */
  id: string;
  name: string;
  pricing: ModelPricing;
  contextLength: number;
  maxOutputTokens: number;
  capabilities: ModelCapabilities;
  benchmarks: BenchmarkResult[];
  /** Reference output throughput in tokens per second, where a public figure exists. */
  throughputTokensPerSecond?: number;
  /** Reference time to first token in milliseconds, where a public figure exists. */
  timeToFirstTokenMs?: number;
  upstreams: UpstreamRoute[];
  /** Provenance of the non-benchmark fields (prices, context, capabilities). */
  sources: { field: string; source: string; date: string }[];
  /** In the curated routing shortlist of this snapshot. */
  shortlist: boolean;
}

/** One versioned copy of the index, as shipped in `snapshots/<version>.json`. */
export interface IndexSnapshot {
  /** Format version of the file itself. */
  schemaVersion: 1;
  /** Snapshot version, `YYYY-MM` (optionally with a suffix such as `2026-11.1`). */
  version: string;
  /** ISO timestamp of when the snapshot was built. */
  createdAt: string;
  description?: string;
  models: ModelEntry[];
}

/** A model with everything the router derives from the snapshot. */
export interface IndexedModel extends ModelEntry {
  /** Coding percentile in 0..1 within the benchmarked field of the snapshot; null when unbenchmarked. */
  codingPercentile: number | null;
  /** Combined coding score the percentile ranks (documented in `coding-percentile.ts`). */
  codingScore: number | null;
  /** Blended price in USD per million tokens (see `blended-price.ts`). */
  blendedPrice: number;
  /** On the Pareto frontier of (blended price, coding percentile) among the shortlist. */
  onFrontier: boolean;
}

/** A snapshot with derived fields computed once, ready for routing. */
export interface ModelIndex {
  version: string;
  createdAt: string;
  models: readonly IndexedModel[];
  byId: ReadonlyMap<string, IndexedModel>;
  /** Shortlist models, sorted by id. */
  shortlist: readonly IndexedModel[];
}

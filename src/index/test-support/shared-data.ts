/** Where the shared public data files are for tests (`../shared/data/` from the repository root). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IndexSnapshot, ModelEntry } from '../../core/model-index.js';

export const sharedDataDir = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));

/** True when the shared data files are present; tests that need them skip otherwise. */
export const hasSharedData = existsSync(join(sharedDataDir, 'openrouter-models-2026-07.json'));

/** Shown in the names of skipped tests so the reason is visible in the report. */
export const sharedDataSkipNote = hasSharedData ? '' : ` (skipped: ${sharedDataDir} is absent)`;

/** A small valid model entry for tests. */
export function testModel(id: string, overrides: Partial<ModelEntry> = {}): ModelEntry {
  return {
    id,
    name: id,
    pricing: { input: 1, output: 2 },
    contextLength: 100_000,
    maxOutputTokens: 10_000,
    capabilities: { tools: true, structuredOutput: true, reasoning: false, imageInput: false },
    benchmarks: [],
    upstreams: [{ upstream: 'openrouter', model: id }],
    sources: [],
    shortlist: true,
    ...overrides,
  };
}

/** A small valid snapshot for tests. */
export function testSnapshot(version: string, models: ModelEntry[]): IndexSnapshot {
  return { schemaVersion: 1, version, createdAt: '2026-01-01T00:00:00.000Z', models };
}

/**
 * Aider's polyglot leaderboard (`polyglot_leaderboard.yml`: one record per run with `model` as free
 * text, `pass_rate_2`, `total_cost` for the whole 225-exercise run, `seconds_per_case`, `date`) ->
 * `Aider Polyglot` figures keyed by index id through the alias table.
 */
import { isMap, isSeq } from 'yaml';
import { z } from 'zod';
import { RouterError } from '../core/errors.js';
import type { BenchmarkResult } from '../core/model-index.js';
import type { AliasResolver } from './aliases.js';
import type { ImportedModel, ImportResult, ProgressCallback, SkippedRecord } from './imported-model.js';
import { parseYamlText } from './parse-yaml-text.js';

export const aiderLeaderboardSource = 'https://aider.chat/docs/leaderboards/';

const runSchema = z.object({
  model: z.union([z.string(), z.number()]).transform(String),
  pass_rate_2: z.number(),
  date: z
    .union([z.string(), z.date()])
    .transform((value) => (value instanceof Date ? value.toISOString().slice(0, 10) : value)),
  edit_format: z.string().nullish(),
  total_cost: z.number().nullish(),
  seconds_per_case: z.number().nullish(),
  test_cases: z.number().nullish(),
});

/** One leaderboard run. */
export interface AiderRun {
  /** The leaderboard's free-text model name. */
  model: string;
  id?: string;
  passRate: number;
  date: string;
  editFormat?: string;
  /** USD for the whole run; absent when the leaderboard says 0, which means unknown, not free. */
  totalCostUsd?: number;
  secondsPerCase?: number;
  line: number;
}

export interface AiderImportResult extends ImportResult {
  runs: AiderRun[];
}

export interface ImportAiderLeaderboardOptions {
  resolve: AliasResolver;
  label?: string;
  onProgress?: ProgressCallback;
}

/** Parses the aider polyglot leaderboard YAML into runs and per-model `Aider Polyglot` figures. */
export function importAiderLeaderboard(
  text: string,
  options: ImportAiderLeaderboardOptions,
): AiderImportResult {
  const label = options.label ?? 'aider leaderboard';
  const { root, lineOf } = parseYamlText(text, label);
  if (root === null) return { models: [], runs: [], unmatched: [], skipped: [] };
  if (!isSeq(root)) throw new RouterError('import_failed', `${label}: expected a list of runs`);

  const runs: AiderRun[] = [];
  const skipped: SkippedRecord[] = [];
  const unmatched: string[] = [];
  const byId = new Map<string, ImportedModel & { benchmarks: BenchmarkResult[] }>();
  const total = root.items.length;
  root.items.forEach((item, position) => {
    const line = lineOf(item);
    const parsed = isMap(item) ? runSchema.safeParse(item.toJSON()) : undefined;
    if (parsed === undefined || !parsed.success) {
      const issue = parsed?.error.issues[0];
      skipped.push({
        record: `line ${line}`,
        reason: issue === undefined ? 'not a run record' : `${issue.path.join('.')}: ${issue.message}`,
      });
      options.onProgress?.(position + 1, total);
      return;
    }
    const entry = parsed.data;
    const run: AiderRun = { model: entry.model, passRate: entry.pass_rate_2, date: entry.date, line };
    if (entry.edit_format !== undefined && entry.edit_format !== null) run.editFormat = entry.edit_format;
    if (entry.total_cost !== undefined && entry.total_cost !== null && entry.total_cost > 0)
      run.totalCostUsd = entry.total_cost;
    if (entry.seconds_per_case !== undefined && entry.seconds_per_case !== null)
      run.secondsPerCase = entry.seconds_per_case;
    const id = options.resolve(entry.model);
    if (id === undefined) {
      if (!unmatched.includes(entry.model)) unmatched.push(entry.model);
    } else {
      run.id = id;
      let record = byId.get(id);
      if (record === undefined) {
        record = { id, benchmarks: [] };
        byId.set(id, record);
      }
      const note = [
        `run "${entry.model}"`,
        run.editFormat === undefined ? undefined : `edit format ${run.editFormat}`,
      ]
        .filter((part) => part !== undefined)
        .join('; ');
      record.benchmarks.push({
        benchmark: 'Aider Polyglot',
        value: entry.pass_rate_2,
        metric: 'percent correct',
        source: aiderLeaderboardSource,
        date: entry.date,
        note,
      });
    }
    runs.push(run);
    options.onProgress?.(position + 1, total);
  });
  return { models: [...byId.values()], runs, unmatched, skipped };
}

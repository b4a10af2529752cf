/**
 * `pareto-router index refresh|import|diff|show`: keeping the model index current. New snapshots are
 * written into `<dataDir>/snapshots/`; the shipped ones are never modified.
 */
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { Option } from 'commander';
import { buildModelIndex } from '../../core/build-model-index.js';
import { RouterError } from '../../core/errors.js';
import type { IndexSnapshot } from '../../core/model-index.js';
import { defaultTierCutoffs, tierOf } from '../../core/tiers.js';
import { createAliasResolver } from '../../index/aliases.js';
import { diffSnapshots, renderSnapshotDiff } from '../../index/diff-snapshots.js';
import { importAiderLeaderboard } from '../../index/import-aider-leaderboard.js';
import { importArtificialAnalysis } from '../../index/import-artificial-analysis.js';
import { importBenchmarkTable } from '../../index/import-benchmark-table.js';
import { importModelsDevBenchmarks } from '../../index/import-models-dev-benchmarks.js';
import { importOpenRouterCatalog } from '../../index/import-openrouter-catalog.js';
import type { ImportResult, ProgressCallback } from '../../index/imported-model.js';
import { loadSnapshotFile } from '../../index/load-snapshot.js';
import { mergeIntoSnapshot } from '../../index/merge-into-snapshot.js';
import { maxImportBytes, parseJsonText } from '../../index/parse-json-text.js';
import { nextVersion, refreshCatalog } from '../../index/refresh-catalog.js';
import { snapshotVersionPattern } from '../../index/snapshot-schema.js';
import { listSnapshots, loadSnapshot, writeSnapshot } from '../../index/snapshot-store.js';
import { formatJson, formatPercentile, formatPricePerMillion, formatTokenCount } from '../format-values.js';
import { startSpinner } from '../progress.js';

export const importFormats = [
  'openrouter',
  'artificial-analysis',
  'csv',
  'yaml',
  'models-dev',
  'aider',
] as const;
export type ImportFormat = (typeof importFormats)[number];

/** Imports with more records than this show a progress bar on a terminal. */
const progressBarThreshold = 200;

/** What the commands take from the outside world; tests replace the clock and the network. */
export interface IndexCommandDependencies {
  now?: () => Date;
  fetch?: typeof fetch;
  /** Whether stderr is a terminal (progress bars only there). */
  isTerminal?: boolean;
  /** Where results go (default process.stdout). */
  stdout?: (text: string) => void;
  /** Where progress and notes go (default process.stderr). */
  stderr?: (text: string) => void;
}

interface DataDirOption {
  dataDir?: string;
}

/** Adds `index refresh|import|diff|show` to the program. */
export function registerIndexCommand(program: Command, dependencies: IndexCommandDependencies = {}): void {
  const now = dependencies.now ?? (() => new Date());
  const write =
    dependencies.stdout ??
    ((text: string) => {
      process.stdout.write(text);
    });
  // Progress and notes go to stderr, so stdout carries only the result.
  const note =
    dependencies.stderr ??
    ((text: string) => {
      process.stderr.write(text);
    });
  const index = program
    .command('index')
    .description('the model index: refresh, import, diff and show snapshots');

  index
    .command('refresh')
    .description('fetch the OpenRouter catalog and write an updated snapshot into the data dir')
    .option(
      '--base-url <url>',
      'OpenRouter API base URL (env OPENROUTER_BASE_URL; default https://openrouter.ai/api/v1)',
    )
    .option('--data-dir <dir>', 'data directory (env PARETO_ROUTER_DATA_DIR; default ~/.pareto-router)')
    .option('--json', 'print what was written as JSON')
    .action(async (options: DataDirOption & { baseUrl?: string; json?: boolean }, command: Command) => {
      const spinner = startSpinner(
        dependencies.isTerminal ?? process.stderr.isTTY === true,
        'fetching the catalog',
      );
      let result: Awaited<ReturnType<typeof refreshCatalog>>;
      try {
        result = await refreshCatalog({
          now: now(),
          dataDir: dataDirOf(command, options),
          baseUrl: options.baseUrl,
          ...(dependencies.fetch === undefined ? {} : { fetch: dependencies.fetch }),
        });
      } finally {
        spinner.stop();
      }
      if (options.json === true) {
        write(
          formatJson({
            version: result.snapshot.version,
            path: result.path,
            url: result.url,
            baseVersion: result.baseVersion,
            changes: result.changes,
            added: result.added,
          }),
        );
        return;
      }
      write(
        `wrote snapshot ${result.snapshot.version} (${result.path}) from ${result.url} over ${result.baseVersion}: ` +
          `${result.changes.length} change(s), ${result.added.length} model(s) added\n`,
      );
    });

  index
    .command('import <file>')
    .description('import prices or benchmark figures from a file and write a new snapshot into the data dir')
    .addOption(
      new Option('--format <format>', 'input format (default: guessed from the file)').choices(importFormats),
    )
    .option('--base <version>', 'snapshot to import onto (default: the latest)')
    .option('--data-dir <dir>', 'data directory (env PARETO_ROUTER_DATA_DIR; default ~/.pareto-router)')
    .option('--json', 'print what was written as JSON')
    .action(
      async (
        file: string,
        options: DataDirOption & { format?: ImportFormat; base?: string; json?: boolean },
        command: Command,
      ) => {
        const dataDir = dataDirOf(command, options);
        const base = await loadSnapshot({ version: options.base, dataDir });
        const text = await readImportFile(file);
        const format = options.format ?? detectImportFormat(file, text);
        const today = now();
        const progress = createProgress(dependencies.isTerminal ?? process.stderr.isTTY === true, note);
        let result: ImportResult;
        try {
          result = runImporter(
            format,
            text,
            file,
            base,
            today.toISOString().slice(0, 10),
            progress.onProgress,
          );
        } finally {
          progress.stop();
        }
        const existing = (await listSnapshots({ dataDir })).map((listing) => listing.version);
        const merged = mergeIntoSnapshot(base, result.models, {
          version: nextVersion(today, existing),
          createdAt: today.toISOString(),
          description: `Import of ${file} (${format}) over snapshot ${base.version}.`,
          ...(format === 'openrouter'
            ? {
                addNew: (model) =>
                  (model.benchmarks ?? []).some(
                    (figure) => figure.benchmark === 'Artificial Analysis Coding Index',
                  ),
              }
            : {}),
        });
        const path = await writeSnapshot(merged.snapshot, { dataDir });
        if (options.json === true) {
          write(
            formatJson({
              file,
              format,
              records: result.models.length,
              version: merged.snapshot.version,
              path,
              baseVersion: base.version,
              changes: merged.changes,
              added: merged.added,
              unmatched: result.unmatched,
              ignored: merged.ignored,
              skipped: result.skipped,
            }),
          );
          return;
        }
        write(
          `read ${result.models.length} model record(s) from ${file} (${format}); wrote snapshot ${merged.snapshot.version} ` +
            `(${path}) over ${base.version}: ${merged.changes.length} change(s), ${merged.added.length} model(s) added\n`,
        );
        if (result.unmatched.length > 0) {
          write(
            `unmatched (no alias): ${result.unmatched.slice(0, 20).join(', ')}${result.unmatched.length > 20 ? ', ...' : ''}\n`,
          );
        }
        const ignored = merged.ignored.length;
        if (ignored > 0) write(`not in snapshot ${base.version}, ignored: ${ignored} model(s)\n`);
        if (result.skipped.length > 0) write(`skipped: ${result.skipped.length} record(s)\n`);
      },
    );

  index
    .command('diff <a> <b>')
    .description('what changed between two snapshots (versions or file paths)')
    .option('--json', 'print the diff as JSON')
    .option('--data-dir <dir>', 'data directory (env PARETO_ROUTER_DATA_DIR; default ~/.pareto-router)')
    .action(async (a: string, b: string, options: DataDirOption & { json?: boolean }, command: Command) => {
      const dataDir = dataDirOf(command, options);
      const [older, newer] = await Promise.all([resolveSnapshot(a, dataDir), resolveSnapshot(b, dataDir)]);
      const diff = diffSnapshots(older, newer);
      write(options.json === true ? formatJson(diff) : renderSnapshotDiff(diff));
    });

  index
    .command('show [version]')
    .description('a snapshot with derived percentiles, tiers and blended prices (default: the latest)')
    .option('--json', 'print as JSON')
    .option('--data-dir <dir>', 'data directory (env PARETO_ROUTER_DATA_DIR; default ~/.pareto-router)')
    .action(
      async (version: string | undefined, options: DataDirOption & { json?: boolean }, command: Command) => {
        const snapshot = await resolveSnapshot(version, dataDirOf(command, options));
        write(options.json === true ? formatJson(showDocument(snapshot)) : renderShow(snapshot));
      },
    );
}

/** Guesses the format of an import file from its extension and its first fields. */
export function detectImportFormat(file: string, text: string): ImportFormat {
  const extension = extname(file).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.yml' || extension === '.yaml')
    return /^\s*-?\s*pass_rate_2\s*:/m.test(text) ? 'aider' : 'yaml';
  if (extension === '.json') {
    const data = parseJsonText(text, file);
    if (typeof data === 'object' && data !== null) {
      if (Array.isArray((data as { models?: unknown }).models)) return 'models-dev';
      const first = (data as { data?: unknown }).data;
      if (Array.isArray(first) && first.length > 0) {
        const sample = first[0] as Record<string, unknown>;
        if ('evaluations' in sample || 'model_creator' in sample) return 'artificial-analysis';
        if ('pricing' in sample || 'context_length' in sample) return 'openrouter';
      }
    }
  }
  throw new RouterError(
    'import_failed',
    `${file}: cannot tell the format; pass --format ${importFormats.join('|')}`,
  );
}

function runImporter(
  format: ImportFormat,
  text: string,
  file: string,
  base: IndexSnapshot,
  date: string,
  onProgress: ProgressCallback,
): ImportResult {
  const resolve = createAliasResolver(base.models);
  switch (format) {
    case 'openrouter':
      return importOpenRouterCatalog(parseJsonText(text, file), { date, source: file, onProgress });
    case 'artificial-analysis':
      return importArtificialAnalysis(parseJsonText(text, file), { resolve, date, onProgress });
    case 'csv':
    case 'yaml':
      return importBenchmarkTable(text, { format, label: file, resolve, onProgress });
    case 'models-dev':
      return importModelsDevBenchmarks(parseJsonText(text, file), {
        resolve,
        undatedDate: date.slice(0, 7),
        onProgress,
      });
    case 'aider':
      return importAiderLeaderboard(text, { resolve, label: file, onProgress });
  }
}

/** A version from the store, or a snapshot file when the argument looks like a path. */
async function resolveSnapshot(
  reference: string | undefined,
  dataDir: string | undefined,
): Promise<IndexSnapshot> {
  if (reference !== undefined && !snapshotVersionPattern.test(reference)) return loadSnapshotFile(reference);
  return loadSnapshot({ version: reference, dataDir });
}

async function readImportFile(file: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new RouterError('import_failed', `${file}: ${reason}`, { cause: error });
  }
  try {
    const { size } = await handle.stat();
    if (size > maxImportBytes)
      throw new RouterError('import_failed', `${file}: ${size} bytes; the limit is ${maxImportBytes}`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** The nearest `--data-dir`: the command's own, else one given before the command name. */
function dataDirOf(command: Command, options: DataDirOption): string | undefined {
  if (options.dataDir !== undefined) return options.dataDir;
  let current: Command | null = command.parent;
  while (current !== null) {
    const value = current.opts<DataDirOption>().dataDir;
    if (value !== undefined) return value;
    current = current.parent;
  }
  return undefined;
}

function createProgress(
  terminal: boolean,
  write: (text: string) => void,
): { onProgress: ProgressCallback; stop: () => void } {
  let bar: SingleBar | undefined;
  let total = 0;
  return {
    onProgress: (done, count) => {
      total = count;
      if (!terminal || count <= progressBarThreshold) return;
      if (bar === undefined) {
        // The caller decided this is a terminal; noTTYOutput keeps the bar visible even when the stream
        // itself cannot tell (a terminal behind a wrapper), at one line per redraw.
        bar = new SingleBar({
          format: 'importing [{bar}] {value}/{total}',
          stream: process.stderr,
          hideCursor: true,
          noTTYOutput: true,
        });
        bar.start(count, 0);
      }
      bar.update(done);
    },
    stop: () => {
      if (bar !== undefined) bar.stop();
      else if (total > 0) write(`processed ${total} record(s)\n`);
    },
  };
}

interface ShowEntry {
  id: string;
  name: string;
  shortlist: boolean;
  tier: string | null;
  codingPercentile: number | null;
  codingScore: number | null;
  blendedPrice: number;
  pricing: IndexSnapshot['models'][number]['pricing'];
  contextLength: number;
  maxOutputTokens: number;
  onFrontier: boolean;
  benchmarks: number;
}

function showDocument(snapshot: IndexSnapshot): {
  version: string;
  createdAt: string;
  description?: string;
  models: ShowEntry[];
} {
  const modelIndex = buildModelIndex(snapshot);
  const models = [...modelIndex.models]
    .sort(
      (a, b) =>
        Number(b.shortlist) - Number(a.shortlist) ||
        (b.codingPercentile ?? -1) - (a.codingPercentile ?? -1) ||
        (a.id < b.id ? -1 : 1),
    )
    .map((model) => ({
      id: model.id,
      name: model.name,
      shortlist: model.shortlist,
      tier: model.codingPercentile === null ? null : tierOf(model.codingPercentile, defaultTierCutoffs),
      codingPercentile: model.codingPercentile,
      codingScore: model.codingScore,
      blendedPrice: model.blendedPrice,
      pricing: model.pricing,
      contextLength: model.contextLength,
      maxOutputTokens: model.maxOutputTokens,
      onFrontier: model.onFrontier,
      benchmarks: model.benchmarks.length,
    }));
  return {
    version: snapshot.version,
    createdAt: snapshot.createdAt,
    ...(snapshot.description === undefined ? {} : { description: snapshot.description }),
    models,
  };
}

function renderShow(snapshot: IndexSnapshot): string {
  const document = showDocument(snapshot);
  const header = ['', 'model', 'tier', 'percentile', 'blended', 'input', 'output', 'context', 'benchmarks'];
  const rows = document.models.map((model) => [
    `${model.shortlist ? '*' : ' '}${model.onFrontier ? 'F' : ' '}`,
    model.id,
    model.tier ?? 'unranked',
    formatPercentile(model.codingPercentile),
    formatPricePerMillion(model.blendedPrice),
    formatPricePerMillion(model.pricing.input),
    formatPricePerMillion(model.pricing.output),
    formatTokenCount(model.contextLength),
    String(model.benchmarks),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column >= 3 ? cell.padStart(widths[column] as number) : cell.padEnd(widths[column] as number),
      )
      .join('  ')
      .trimEnd();
  const shortlisted = document.models.filter((model) => model.shortlist).length;
  return [
    `Snapshot ${document.version} (created ${document.createdAt}): ${document.models.length} models, ${shortlisted} shortlisted`,
    ...(document.description === undefined ? [] : [document.description]),
    '* shortlist, F on the price/quality frontier; prices in USD per million tokens, blended 3:1 input:output',
    '',
    line(header),
    ...rows.map(line),
    '',
  ].join('\n');
}

/**
 * The lineup of the shipped snapshot under each routing rule, worked out by the routing core, against
 * the tables of README.md and docs/routing.md: the docs never say what the code does not do. On a
 * mismatch the expected table is printed, ready to paste.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModelIndex } from '../src/core/build-model-index.js';
import type { ModelIndex } from '../src/core/model-index.js';
import { defaultRoutePolicy, type RoutingRule, route } from '../src/core/route.js';
import { loadSnapshotFileSync } from '../src/index/load-snapshot.js';
import { shippedSnapshotsDir } from '../src/index/snapshot-store.js';
import { rootDir } from './support/built-bin.js';

const index: ModelIndex = buildModelIndex(loadSnapshotFileSync(join(shippedSnapshotsDir(), '2026-11.json')));
const rules: readonly RoutingRule[] = ['pareto', 'bands'];
const bars = [0.2, 0.5, 0.8] as const;

function planOf(score: number, rule: RoutingRule): string[] {
  return route({ minCodingScore: score }, index, undefined, { ...defaultRoutePolicy, rule }).candidates.map(
    (candidate) => candidate.modelId,
  );
}

/** The rows of the markdown table whose header line is `header`, cells trimmed, separator dropped. */
function tableAfter(text: string, header: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.replace(/\s+/g, ' ').trim() === header);
  if (start < 0) throw new Error(`no table with the header ${header}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

const scoreOf = (cell: string) => Number(/`(\d(?:\.\d+)?)`/.exec(cell)?.[1]);
const idsOf = (cell: string) => [...cell.matchAll(/`([\w.-]+\/[\w.:-]+)`/g)].map((match) => match[1]);

describe('the shipped lineup in the docs', () => {
  it('README: the primary of each band under the default rule', () => {
    const readme = readFileSync(join(rootDir, 'README.md'), 'utf8');
    const rows = tableAfter(
      readme,
      '| `min_coding_score` | tier | aliases | primary in the shipped `2026-11` snapshot |',
    );
    // The rows run high, medium, low: the bars 0.8, 0.5 and 0.2 fall in them with the default cut-offs.
    expect(rows.map((row) => row[1])).toEqual(['high', 'medium', 'low']);
    const expected = [0.8, 0.5, 0.2].map((score) => planOf(score, 'pareto')[0]);
    expect(rows.map((row) => idsOf(row[3] ?? '')[0])).toEqual(expected);
  });

  it('docs/routing.md: the model each bar gets first under each rule', () => {
    const doc = readFileSync(join(rootDir, 'docs', 'routing.md'), 'utf8');
    const rows = tableAfter(doc, '| bar | `pareto` (the default) | `bands` |');
    const expected = bars.map((score) => [score, ...rules.map((rule) => planOf(score, rule)[0])]);
    const actual = rows.map((row) => [scoreOf(row[0] ?? ''), ...row.slice(1).map((cell) => idsOf(cell)[0])]);
    expect(actual, `expected rows (bar, pareto, bands): ${JSON.stringify(expected)}`).toEqual(expected);
  });

  it('docs/routing.md: every candidate, in order, for each bar and rule', () => {
    const doc = readFileSync(join(rootDir, 'docs', 'routing.md'), 'utf8');
    const rows = tableAfter(doc, '| bar | rule | candidates, in the order they are tried |');
    const expected = bars.flatMap((score) =>
      rules.map(
        (rule) =>
          `| \`${score}\` | \`${rule}\` | ${planOf(score, rule)
            .map((id) => `\`${id}\``)
            .join(', ')} |`,
      ),
    );
    const actual = rows.map((row) => `| ${row.join(' | ')} |`);
    expect(actual, `expected rows:\n${expected.join('\n')}`).toEqual(expected);
  });

  it('sends a low bar to a model that no other shortlisted model beats on both price and percentile', () => {
    const primary = index.byId.get(planOf(0.2, 'pareto')[0] as string);
    if (primary === undefined || primary.codingPercentile === null) throw new Error('no primary');
    const beaten = index.shortlist.filter(
      (other) =>
        other.id !== primary.id &&
        other.codingPercentile !== null &&
        other.codingPercentile >= primary.codingPercentile &&
        other.blendedPrice <= primary.blendedPrice &&
        (other.codingPercentile > primary.codingPercentile || other.blendedPrice < primary.blendedPrice),
    );
    expect(beaten).toEqual([]);
    // The bands rule's low primary is beaten by it: better and cheaper.
    const bandsPrimary = index.byId.get(planOf(0.2, 'bands')[0] as string);
    expect(bandsPrimary?.blendedPrice).toBeGreaterThan(primary.blendedPrice);
    expect(bandsPrimary?.codingPercentile).toBeLessThan(primary.codingPercentile);
  });
});

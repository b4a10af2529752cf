import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routerErrorOf } from '../core/test-support/router-error-of.js';
import {
  formatIssuePath,
  loadSnapshotFile,
  loadSnapshotFileSync,
  parseSnapshotText,
} from './load-snapshot.js';
import { testModel, testSnapshot } from './test-support/shared-data.js';

const good = testSnapshot('2026-11', [
  testModel('a/one'),
  testModel('b/two'),
  testModel('c/three'),
  testModel('d/four'),
]);

describe('parseSnapshotText', () => {
  it('accepts a valid snapshot and returns it unchanged', () => {
    expect(parseSnapshotText(JSON.stringify(good), 'snapshots/2026-11.json')).toEqual(good);
  });

  it('names the file and the first bad field path', () => {
    const bad = structuredClone(good) as unknown as { models: { pricing: { input: unknown } }[] };
    (bad.models[3] as { pricing: { input: unknown } }).pricing.input = 'cheap';
    const error = routerErrorOf(() => parseSnapshotText(JSON.stringify(bad), 'snapshots/2026-11.json'));
    expect(error.code).toBe('snapshot_invalid');
    expect(error.message).toBe('snapshots/2026-11.json: models[3].pricing.input: expected a number');
  });

  it('reports missing fields, wrong literals and duplicates', () => {
    const missing = structuredClone(good) as unknown as Record<string, unknown>;
    delete missing.createdAt;
    expect(routerErrorOf(() => parseSnapshotText(JSON.stringify(missing), 'x.json')).message).toBe(
      'x.json: createdAt: missing (expected a string)',
    );
    expect(
      routerErrorOf(() => parseSnapshotText(JSON.stringify({ ...good, schemaVersion: 2 }), 'x.json')).message,
    ).toBe('x.json: schemaVersion: expected 1');
    const duplicate = testSnapshot('2026-11', [testModel('a/one'), testModel('a/one')]);
    expect(routerErrorOf(() => parseSnapshotText(JSON.stringify(duplicate), 'x.json')).message).toBe(
      'x.json: models[1].id: duplicate model id "a/one"',
    );
    const negative = testSnapshot('2026-11', [testModel('a/one', { pricing: { input: -1, output: 1 } })]);
    expect(routerErrorOf(() => parseSnapshotText(JSON.stringify(negative), 'x.json')).message).toMatch(
      /^x\.json: models\[0\]\.pricing\.input: too small/,
    );
  });

  it('reports bad JSON on one line with the file name', () => {
    const error = routerErrorOf(() => parseSnapshotText('{"schemaVersion": 1,', 'snapshots/2026-11.json'));
    expect(error.code).toBe('snapshot_invalid');
    expect(error.message).toMatch(/^snapshots\/2026-11\.json: not valid JSON: /);
    expect(error.message).not.toContain('\n');
  });
});

describe('formatIssuePath', () => {
  it('writes array indexes in brackets', () => {
    expect(formatIssuePath(['models', 3, 'benchmarks', 0, 'value'])).toBe('models[3].benchmarks[0].value');
  });
});

describe('loadSnapshotFile', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'pareto-load-'));
    await writeFile(join(directory, 'good.json'), JSON.stringify(good));
    await writeFile(join(directory, 'bad.json'), '{nope');
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('loads asynchronously and synchronously', async () => {
    expect((await loadSnapshotFile(join(directory, 'good.json'))).version).toBe('2026-11');
    expect(loadSnapshotFileSync(join(directory, 'good.json')).models).toHaveLength(4);
  });

  it('a missing file is snapshot_not_found, a corrupt one snapshot_invalid', async () => {
    await expect(loadSnapshotFile(join(directory, 'absent.json'))).rejects.toMatchObject({
      code: 'snapshot_not_found',
    });
    await expect(loadSnapshotFile(join(directory, 'bad.json'))).rejects.toMatchObject({
      code: 'snapshot_invalid',
    });
    expect(() => loadSnapshotFileSync(join(directory, 'bad.json'))).toThrow(/bad\.json: not valid JSON/);
  });
});

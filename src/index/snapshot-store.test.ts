import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  compareSnapshotVersions,
  listSnapshots,
  listSnapshotsSync,
  loadSnapshot,
  loadSnapshotSync,
  resolveDataDir,
  shippedSnapshotsDir,
  writeSnapshot,
} from './snapshot-store.js';
import { testModel, testSnapshot } from './test-support/shared-data.js';

let root: string;
let shippedDir: string;
let dataDir: string;

async function putSnapshot(directory: string, version: string, modelId = 'a/model'): Promise<void> {
  await mkdir(directory, { recursive: true });
  await writeFile(
    join(directory, `${version}.json`),
    JSON.stringify(testSnapshot(version, [testModel(modelId)])),
  );
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'pareto-store-'));
  shippedDir = join(root, 'shipped');
  dataDir = join(root, 'data');
  await putSnapshot(shippedDir, '2026-05', 'shipped/may');
  await putSnapshot(shippedDir, '2026-11', 'shipped/november');
  await writeFile(join(shippedDir, 'notes.txt'), 'not a snapshot');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('versions', () => {
  it('sorts months, then numeric suffixes', () => {
    const versions = ['2026-11.10', '2026-11', '2026-05', '2026-11.2', '2025-12'];
    expect([...versions].sort(compareSnapshotVersions)).toEqual([
      '2025-12',
      '2026-05',
      '2026-11',
      '2026-11.2',
      '2026-11.10',
    ]);
  });
});

describe('resolveDataDir', () => {
  it('prefers the option, then the environment, then ~/.pareto-router', () => {
    expect(resolveDataDir('/opt/x', { PARETO_ROUTER_DATA_DIR: '/env' })).toBe('/opt/x');
    expect(resolveDataDir(undefined, { PARETO_ROUTER_DATA_DIR: '/env' })).toBe('/env');
    expect(resolveDataDir(undefined, {})).toBe(join(homedir(), '.pareto-router'));
  });
});

describe('listing and loading', () => {
  it('lists shipped and data snapshots sorted, a data one shadowing the shipped one of its version', async () => {
    await putSnapshot(join(dataDir, 'snapshots'), '2026-11', 'data/november');
    await putSnapshot(join(dataDir, 'snapshots'), '2026-11.1', 'data/refresh');
    const listing = await listSnapshots({ dataDir, shippedDir });
    expect(listing.map((entry) => [entry.version, entry.origin])).toEqual([
      ['2026-05', 'shipped'],
      ['2026-11', 'data'],
      ['2026-11.1', 'data'],
    ]);
    expect(listSnapshotsSync({ dataDir, shippedDir })).toEqual(listing);
    expect((await loadSnapshot({ dataDir, shippedDir, version: '2026-11' })).models[0]?.id).toBe(
      'data/november',
    );
    expect((await loadSnapshot({ dataDir, shippedDir })).version).toBe('2026-11.1');
    expect(loadSnapshotSync({ dataDir, shippedDir, version: '2026-05' }).models[0]?.id).toBe('shipped/may');
  });

  it('a missing data dir is simply empty', async () => {
    const listing = await listSnapshots({ dataDir: join(root, 'nowhere'), shippedDir });
    expect(listing.map((entry) => entry.version)).toEqual(['2026-05', '2026-11']);
  });

  it('an unknown version names the available ones', async () => {
    await expect(loadSnapshot({ dataDir, shippedDir, version: '2024-01' })).rejects.toMatchObject({
      code: 'snapshot_not_found',
      message: 'snapshot "2024-01" not found; available: 2026-05, 2026-11',
    });
    expect(() => loadSnapshotSync({ dataDir, shippedDir, version: '2024-01' })).toThrow(
      /available: 2026-05, 2026-11/,
    );
  });

  it('no snapshot at all is snapshot_not_found', async () => {
    await expect(loadSnapshot({ dataDir, shippedDir: join(root, 'empty') })).rejects.toMatchObject({
      code: 'snapshot_not_found',
    });
  });

  it('a file whose version disagrees with its name is corrupt', async () => {
    await mkdir(join(dataDir, 'snapshots'), { recursive: true });
    await writeFile(join(dataDir, 'snapshots', '2027-01.json'), JSON.stringify(testSnapshot('2026-01', [])));
    await expect(loadSnapshot({ dataDir, shippedDir })).rejects.toMatchObject({ code: 'snapshot_invalid' });
  });

  it('finds the package snapshots from the source tree', async () => {
    expect(shippedSnapshotsDir()).toMatch(/snapshots\/?$/);
    const versions = (await listSnapshots({ dataDir })).map((entry) => entry.version);
    expect(versions).toEqual(expect.arrayContaining(['2026-05', '2026-11']));
    expect((await loadSnapshot({ dataDir, version: '2026-05' })).version).toBe('2026-05');
  });
});

describe('writeSnapshot', () => {
  it('writes into <dataDir>/snapshots and leaves no temporary file', async () => {
    const path = await writeSnapshot(testSnapshot('2026-12', [testModel('x/y')]), { dataDir });
    expect(path).toBe(join(dataDir, 'snapshots', '2026-12.json'));
    expect(await readdir(join(dataDir, 'snapshots'))).toEqual(['2026-12.json']);
    expect(JSON.parse(await readFile(path, 'utf8')).models[0].id).toBe('x/y');
    expect((await loadSnapshot({ dataDir, shippedDir })).version).toBe('2026-12');
  });

  it('refuses to replace an existing version unless asked', async () => {
    await writeSnapshot(testSnapshot('2026-12', [testModel('first/one')]), { dataDir });
    await expect(
      writeSnapshot(testSnapshot('2026-12', [testModel('second/one')]), { dataDir }),
    ).rejects.toMatchObject({
      code: 'import_failed',
    });
    await writeSnapshot(testSnapshot('2026-12', [testModel('second/one')]), { dataDir, overwrite: true });
    expect((await loadSnapshot({ dataDir, shippedDir, version: '2026-12' })).models[0]?.id).toBe(
      'second/one',
    );
  });

  it('refuses an invalid snapshot before touching the disk', async () => {
    const invalid = testSnapshot('2026-12', [testModel('x/y', { contextLength: -5 })]);
    await expect(writeSnapshot(invalid, { dataDir })).rejects.toMatchObject({ code: 'snapshot_invalid' });
    await expect(readdir(join(dataDir, 'snapshots'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('cleans up and reports when the final rename fails', async () => {
    // A directory in the way makes the rename fail even for root, for whom permissions do not.
    const blocked = join(dataDir, 'snapshots', '2026-12.json');
    await mkdir(join(blocked, 'inside'), { recursive: true });
    await expect(
      writeSnapshot(testSnapshot('2026-12', [testModel('new/one')]), { dataDir, overwrite: true }),
    ).rejects.toMatchObject({ code: 'import_failed' });
    expect(await readdir(join(dataDir, 'snapshots'))).toEqual(['2026-12.json']);
    expect(await readdir(blocked)).toEqual(['inside']);
  });

  const runsAsRoot = process.getuid?.() === 0;
  it.skipIf(runsAsRoot)(
    `keeps the old file when the write fails${runsAsRoot ? ' (skipped: running as root, a read-only directory does not stop the write)' : ''}`,
    async () => {
      await writeSnapshot(testSnapshot('2026-12', [testModel('old/one')]), { dataDir });
      await chmod(join(dataDir, 'snapshots'), 0o500);
      try {
        await expect(
          writeSnapshot(testSnapshot('2026-12', [testModel('new/one')]), { dataDir, overwrite: true }),
        ).rejects.toMatchObject({ code: 'import_failed' });
      } finally {
        await chmod(join(dataDir, 'snapshots'), 0o700);
      }
      expect((await loadSnapshot({ dataDir, shippedDir, version: '2026-12' })).models[0]?.id).toBe('old/one');
    },
  );
});

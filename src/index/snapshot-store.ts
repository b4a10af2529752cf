/**
 * Where snapshots live: the ones shipped in the package's `snapshots/` folder, and the ones refreshed or
 * imported by the user in `<dataDir>/snapshots/`. A data-dir snapshot wins over a shipped one of the
 * same version, so a user can correct shipped data without touching the package.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RouterError } from '../core/errors.js';
import type { IndexSnapshot } from '../core/model-index.js';
import { loadSnapshotFile, loadSnapshotFileSync, validateSnapshot } from './load-snapshot.js';
import { snapshotVersionPattern } from './snapshot-schema.js';

export type SnapshotOrigin = 'shipped' | 'data';

export interface SnapshotListing {
  version: string;
  path: string;
  origin: SnapshotOrigin;
}

export interface SnapshotStoreOptions {
  /** Data directory; default env `PARETO_ROUTER_DATA_DIR`, else `~/.pareto-router`. */
  dataDir?: string | undefined;
  /** Folder of the shipped snapshots; default the package's `snapshots/` (tests override it). */
  shippedDir?: string | undefined;
}

export interface LoadSnapshotOptions extends SnapshotStoreOptions {
  /** Version to load; the latest when omitted. */
  version?: string | undefined;
}

export interface WriteSnapshotOptions extends SnapshotStoreOptions {
  /** Replace an existing data-dir file of the same version (default false: refuse). */
  overwrite?: boolean;
}

// From src/index/ under vitest and from dist/index/ when built, the package root is two levels up.
const packageSnapshotsDir = fileURLToPath(new URL('../../snapshots/', import.meta.url));

/** The folder holding the snapshots shipped with the package. */
export function shippedSnapshotsDir(): string {
  return packageSnapshotsDir;
}

/** The data directory: the option, else env `PARETO_ROUTER_DATA_DIR`, else `~/.pareto-router`. */
export function resolveDataDir(dataDir?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (dataDir !== undefined && dataDir !== '') return dataDir;
  const fromEnv = env.PARETO_ROUTER_DATA_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return join(homedir(), '.pareto-router');
}

/** The folder holding refreshed and imported snapshots. */
export function dataSnapshotsDir(dataDir?: string): string {
  return join(resolveDataDir(dataDir), 'snapshots');
}

/** Orders versions: `2026-05` < `2026-11` < `2026-11.1` < `2026-11.2`. */
export function compareSnapshotVersions(a: string, b: string): number {
  const [baseA, suffixA] = splitVersion(a);
  const [baseB, suffixB] = splitVersion(b);
  if (baseA !== baseB) return baseA < baseB ? -1 : 1;
  return suffixA - suffixB;
}

function splitVersion(version: string): [string, number] {
  const dot = version.indexOf('.');
  if (dot === -1) return [version, -1];
  return [version.slice(0, dot), Number(version.slice(dot + 1))];
}

/** Every available snapshot, sorted by version; where both hold a version, only the data-dir one. */
export async function listSnapshots(options: SnapshotStoreOptions = {}): Promise<SnapshotListing[]> {
  const shippedDir = options.shippedDir ?? shippedSnapshotsDir();
  const dataDir = dataSnapshotsDir(options.dataDir);
  const [shipped, data] = await Promise.all([readNames(shippedDir), readNames(dataDir)]);
  return mergeListings(shippedDir, shipped, dataDir, data);
}

/** Synchronous `listSnapshots` (server start-up). */
export function listSnapshotsSync(options: SnapshotStoreOptions = {}): SnapshotListing[] {
  const shippedDir = options.shippedDir ?? shippedSnapshotsDir();
  const dataDir = dataSnapshotsDir(options.dataDir);
  return mergeListings(shippedDir, readNamesSync(shippedDir), dataDir, readNamesSync(dataDir));
}

/** Loads one version (the latest when omitted); `snapshot_not_found` names the available versions. */
export async function loadSnapshot(options: LoadSnapshotOptions = {}): Promise<IndexSnapshot> {
  const listing = pickListing(await listSnapshots(options), options);
  return checkVersion(await loadSnapshotFile(listing.path), listing);
}

/** Synchronous `loadSnapshot` (server start-up). */
export function loadSnapshotSync(options: LoadSnapshotOptions = {}): IndexSnapshot {
  const listing = pickListing(listSnapshotsSync(options), options);
  return checkVersion(loadSnapshotFileSync(listing.path), listing);
}

/**
 * Writes a snapshot into `<dataDir>/snapshots/<version>.json` atomically: a temporary file in the same
 * folder, flushed, then renamed over the target, so a crash or a full disk never leaves a torn file and
 * never replaces a good one. Returns the path written.
 */
export async function writeSnapshot(
  snapshot: IndexSnapshot,
  options: WriteSnapshotOptions = {},
): Promise<string> {
  const directory = dataSnapshotsDir(options.dataDir);
  const target = join(directory, `${snapshot.version}.json`);
  validateSnapshot(snapshot, target);
  await mkdir(directory, { recursive: true });
  if (options.overwrite !== true && (await readNames(directory)).includes(snapshot.version)) {
    throw new RouterError('import_failed', `snapshot ${snapshot.version} already exists at ${target}`);
  }
  const temporary = join(
    directory,
    `.${snapshot.version}.json.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(`${JSON.stringify(snapshot, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    const reason = error instanceof Error ? error.message : String(error);
    throw new RouterError('import_failed', `could not write snapshot ${target}: ${reason}`, { cause: error });
  }
  return target;
}

function mergeListings(
  shippedDir: string,
  shipped: readonly string[],
  dataDir: string,
  data: readonly string[],
): SnapshotListing[] {
  const byVersion = new Map<string, SnapshotListing>();
  for (const version of shipped) {
    byVersion.set(version, { version, path: join(shippedDir, `${version}.json`), origin: 'shipped' });
  }
  for (const version of data) {
    byVersion.set(version, { version, path: join(dataDir, `${version}.json`), origin: 'data' });
  }
  return [...byVersion.values()].sort((a, b) => compareSnapshotVersions(a.version, b.version));
}

function pickListing(listings: readonly SnapshotListing[], options: LoadSnapshotOptions): SnapshotListing {
  if (options.version === undefined) {
    const latest = listings.at(-1);
    if (latest === undefined) {
      throw new RouterError(
        'snapshot_not_found',
        `no snapshot found in ${options.shippedDir ?? shippedSnapshotsDir()} or ${dataSnapshotsDir(options.dataDir)}`,
      );
    }
    return latest;
  }
  const found = listings.find((listing) => listing.version === options.version);
  if (found === undefined) {
    const available = listings.map((listing) => listing.version).join(', ') || 'none';
    throw new RouterError(
      'snapshot_not_found',
      `snapshot "${options.version}" not found; available: ${available}`,
      {
        metadata: { available: listings.map((listing) => listing.version) },
      },
    );
  }
  return found;
}

function checkVersion(snapshot: IndexSnapshot, listing: SnapshotListing): IndexSnapshot {
  // The file name is what listings and pins refer to; a file whose content says otherwise is corrupt.
  if (snapshot.version !== listing.version) {
    throw new RouterError(
      'snapshot_invalid',
      `${listing.path}: version: file says "${snapshot.version}" but is named ${listing.version}.json`,
    );
  }
  return snapshot;
}

function versionsOf(names: readonly string[]): string[] {
  const versions: string[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const version = name.slice(0, -'.json'.length);
    if (snapshotVersionPattern.test(version)) versions.push(version);
  }
  return versions;
}

async function readNames(directory: string): Promise<string[]> {
  try {
    return versionsOf(await readdir(directory));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function readNamesSync(directory: string): string[] {
  try {
    return versionsOf(readdirSync(directory));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

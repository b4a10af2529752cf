import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { makeRequestRecord } from '../store/test-support/request-store.case.js';
import { openRouterOps } from './router-ops.js';

const directories: string[] = [];

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** A log destination that keeps each JSON line. */
function captureLines(): { lines: string[]; destination: Writable } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  return { lines, destination };
}

describe('closing the router operations', () => {
  it('writes the records the store still refuses into the log, even with logging silenced, and says so', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pareto-router-ops-'));
    directories.push(dataDir);
    const { lines, destination } = captureLines();
    const ops = await openRouterOps(loadConfig({ env: {}, overrides: { dataDir } }), {
      logDestination: destination,
      logLevel: 'silent',
      now: () => Date.now(),
    });
    ops.store.insertRequests = async () => {
      throw new Error('database or disk is full');
    };
    ops.logWriter.append(makeRequestRecord({ id: 'gen-unstored-1' }));
    ops.logWriter.append(makeRequestRecord({ id: 'gen-unstored-2' }));

    await expect(ops.close()).rejects.toThrow(
      /could not store 2 record\(s\) at shutdown \(database or disk is full\).*logs --restore/,
    );
    const spilled = lines
      .map((line) => JSON.parse(line) as { unstored_request?: { id: string } })
      .flatMap((entry) => (entry.unstored_request === undefined ? [] : [entry.unstored_request.id]));
    expect(spilled).toEqual(['gen-unstored-1', 'gen-unstored-2']);
    expect(ops.logWriter.depth).toBe(0);
  }, 20_000);
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRequestRecord } from '../store/test-support/request-store.case.js';
import { readUnstoredRecords, scanLogLine, type UnstoredRecords } from './read-unstored-records.js';

const directory = mkdtempSync(join(tmpdir(), 'pareto-router-unstored-'));

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

const unstoredLine = (record: unknown) =>
  JSON.stringify({ level: 50, time: 1, msg: 'unstored request record', unstored_request: record });

describe('scanLogLine', () => {
  it('passes over the lines of the log that carry no unstored record', () => {
    const found: UnstoredRecords = { records: [], invalid: [] };
    scanLogLine(JSON.stringify({ level: 30, msg: 'request', request_id: 'gen-1' }), 1, found);
    scanLogLine('not json at all', 2, found);
    scanLogLine('', 3, found);
    expect(found).toEqual({ records: [], invalid: [] });
  });

  it('takes a storable record and names the line and reason of one that is not', () => {
    const found: UnstoredRecords = { records: [], invalid: [] };
    const record = makeRequestRecord({ id: 'gen-spilled' });
    scanLogLine(unstoredLine(record), 4, found);
    scanLogLine(unstoredLine({ ...record, id: 'gen-bad', costUsd: -1 }), 5, found);
    scanLogLine(unstoredLine('a string'), 6, found);
    scanLogLine('{"unstored_request": {"id": "gen-cut"', 7, found);
    expect(found.records).toEqual([record]);
    expect(found.invalid).toEqual([
      { line: 5, problem: expect.stringContaining('costUsd must be a non-negative finite number') },
      { line: 6, problem: 'unstored_request is not an object' },
      { line: 7, problem: 'the line is not JSON' },
    ]);
  });
});

describe('readUnstoredRecords', () => {
  it('reads a whole log file, CRLF line ends included, in order', async () => {
    const file = join(directory, 'router.log');
    const first = makeRequestRecord({ id: 'gen-a' });
    const second = makeRequestRecord({ id: 'gen-b' });
    writeFileSync(
      file,
      ['{"level":30,"msg":"request"}', unstoredLine(first), unstoredLine(second), ''].join('\r\n'),
    );
    const found = await readUnstoredRecords(file);
    expect(found.records.map((record) => record.id)).toEqual(['gen-a', 'gen-b']);
    expect(found.invalid).toEqual([]);
  });

  it('rejects with the file system error for a missing file', async () => {
    await expect(readUnstoredRecords(join(directory, 'missing.log'))).rejects.toThrow(/ENOENT/);
  });
});

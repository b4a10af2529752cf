/**
 * Reads back the request records a router could not store at shutdown. `serve` writes each of them into
 * its JSON log as one line with an `unstored_request` field holding the whole record; every other line of
 * the log is passed over, so the whole log file can be given as it is.
 */
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { findRequestRecordProblem, type RequestRecord } from '../store/request-record.js';

export interface UnstoredRecords {
  /** The records found, in the order of the log. */
  records: RequestRecord[];
  /** Lines that carried `unstored_request` but no storable record, with the reason. */
  invalid: { line: number; problem: string }[];
}

const marker = '"unstored_request"';

/** Adds what one log line holds to `found`; `lineNumber` counts from 1. */
export function scanLogLine(line: string, lineNumber: number, found: UnstoredRecords): void {
  if (!line.includes(marker)) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    found.invalid.push({ line: lineNumber, problem: 'the line is not JSON' });
    return;
  }
  const record =
    typeof parsed === 'object' && parsed !== null
      ? (parsed as { unstored_request?: unknown }).unstored_request
      : undefined;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    found.invalid.push({ line: lineNumber, problem: 'unstored_request is not an object' });
    return;
  }
  const problem = findRequestRecordProblem(record as RequestRecord);
  if (problem !== null) {
    found.invalid.push({ line: lineNumber, problem });
    return;
  }
  found.records.push(record as RequestRecord);
}

/** Reads a log file line by line (any size); rejects with the file system's error when it cannot. */
export async function readUnstoredRecords(path: string): Promise<UnstoredRecords> {
  const found: UnstoredRecords = { records: [], invalid: [] };
  // Opened first, so a missing or unreadable file rejects here rather than inside the line reader.
  const handle = await open(path, 'r');
  const lines = createInterface({
    input: handle.createReadStream({ encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    scanLogLine(line, lineNumber, found);
  }
  return found;
}

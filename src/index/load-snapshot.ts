/**
 * Reads and validates one snapshot file. Every failure is a `snapshot_invalid` (or `snapshot_not_found`)
 * RouterError whose one-line message names the file and the first bad field, for example
 * `snapshots/2026-11.json: models[3].pricing.input: expected a number`.
 */
import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { RouterError } from '../core/errors.js';
import type { IndexSnapshot } from '../core/model-index.js';
import { indexSnapshotSchema } from './snapshot-schema.js';

/** Largest snapshot file read: a few hundred models take well under 1 MiB. */
export const maxSnapshotBytes = 16 * 1024 * 1024;

/** Loads and validates a snapshot file. */
export async function loadSnapshotFile(path: string): Promise<IndexSnapshot> {
  let text: string;
  try {
    checkSize(path, (await stat(path)).size);
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw readError(path, error);
  }
  return parseSnapshotText(text, path);
}

/** Loads and validates a snapshot file, synchronously (server start-up). */
export function loadSnapshotFileSync(path: string): IndexSnapshot {
  let text: string;
  try {
    checkSize(path, statSync(path).size);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw readError(path, error);
  }
  return parseSnapshotText(text, path);
}

// Checked before reading, so a huge file is refused without being loaded.
function checkSize(path: string, size: number): void {
  if (size > maxSnapshotBytes) {
    throw new RouterError(
      'snapshot_invalid',
      `${displayPath(path)}: ${size} bytes; the limit is ${maxSnapshotBytes}`,
    );
  }
}

/** Validates snapshot JSON text; `label` (usually the file path) prefixes every error message. */
export function parseSnapshotText(text: string, label: string): IndexSnapshot {
  const shown = displayPath(label);
  if (text.length > maxSnapshotBytes) {
    throw new RouterError('snapshot_invalid', `${shown}: larger than ${maxSnapshotBytes} bytes`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RouterError('snapshot_invalid', `${shown}: not valid JSON: ${reason}`, { cause: error });
  }
  return validateSnapshot(data, label);
}

/** Validates parsed snapshot data; `label` prefixes every error message. */
export function validateSnapshot(data: unknown, label: string): IndexSnapshot {
  const result = indexSnapshotSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const detail = issue === undefined ? 'invalid snapshot' : describeIssue(issue);
    throw new RouterError('snapshot_invalid', `${displayPath(label)}: ${detail}`, { cause: result.error });
  }
  return result.data as IndexSnapshot;
}

/** `models[3].pricing.input` from `['models', 3, 'pricing', 'input']`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length === 0 ? '(top level)' : formatIssuePath(issue.path);
  return `${where}: ${issueMessage(issue)}`;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      // zod does not keep the input on the issue; its message says what it received.
      return /received undefined$/.test(issue.message)
        ? `missing (expected ${article(issue.expected)})`
        : `expected ${article(issue.expected)}`;
    case 'invalid_value':
      return `expected ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `needs at least ${String(issue.minimum)} item(s)`
        : `too small (minimum ${String(issue.minimum)})`;
    case 'unrecognized_keys':
      return `unknown field(s) ${issue.keys.join(', ')}`;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** The path relative to the working directory when it is inside it, so messages stay short. */
export function displayPath(path: string): string {
  const absolute = resolve(path);
  const fromHere = relative(process.cwd(), absolute);
  return fromHere !== '' && !fromHere.startsWith('..') && !isAbsolute(fromHere) ? fromHere : absolute;
}

function readError(path: string, error: unknown): RouterError {
  if (error instanceof RouterError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return new RouterError('snapshot_not_found', `${displayPath(path)}: no such snapshot file`, {
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new RouterError('snapshot_invalid', `${displayPath(path)}: cannot read: ${reason}`, {
    cause: error,
  });
}

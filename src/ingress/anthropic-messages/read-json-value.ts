/**
 * Typed reads of a caller's JSON with errors that name the path and the value found, so every refusal of
 * an Anthropic body reads `messages[2].content[0].source.type: expected "base64", "url" or "file", got 7`.
 * None of them recurse, so a deeply nested body cannot overflow the stack here.
 */
import { RouterError } from '../../core/errors.js';
import { isRecord } from '../../core/is-record.js';

/** The 400 for a malformed field of the caller's body. */
export function invalidRequest(path: string, problem: string): RouterError {
  return new RouterError('invalid_request', `${path}: ${problem}`);
}

const shownStringLength = 60;

/** A short rendering of a value for an error message: never the whole of a large string or object. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > shownStringLength ? `${value.slice(0, shownStringLength)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** The value as an object, or a 400 naming `path`. */
export function readRecord(value: unknown, path: string): Record<string, unknown> {
  if (isRecord(value)) return value;
  throw invalidRequest(path, `expected an object, got ${describeValue(value)}`);
}

/** The value as an array, or a 400 naming `path`. */
export function readArray(value: unknown, path: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw invalidRequest(path, `expected an array, got ${describeValue(value)}`);
}

/** The value as a string, or a 400 naming `path`. */
export function readString(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  throw invalidRequest(path, `expected a string, got ${describeValue(value)}`);
}

/** The value as a string, undefined when absent or null, or a 400 naming `path`. */
export function readOptionalString(value: unknown, path: string): string | undefined {
  return value == null ? undefined : readString(value, path);
}

/** The value as a finite number, undefined when absent or null, or a 400 naming `path`. */
export function readOptionalNumber(value: unknown, path: string): number | undefined {
  if (value == null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw invalidRequest(path, `expected a number, got ${describeValue(value)}`);
}

/** The value as a boolean, undefined when absent or null, or a 400 naming `path`. */
export function readOptionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value == null) return undefined;
  if (typeof value === 'boolean') return value;
  throw invalidRequest(path, `expected a boolean, got ${describeValue(value)}`);
}

/** The value as a positive integer, or a 400 naming `path`. */
export function readPositiveInteger(value: unknown, path: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw invalidRequest(path, `expected a positive integer, got ${describeValue(value)}`);
}

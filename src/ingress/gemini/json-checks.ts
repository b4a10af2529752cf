/**
 * Small checks for reading a caller's JSON body: each failure is a 400 `invalid_request` naming the field
 * (`contents[2].parts[0].text`) and the value that was wrong.
 */
import { RouterError } from '../../core/errors.js';
import { isRecord } from '../../core/is-record.js';

/** Longest rendering of a caller's value in an error message. */
const maxShownLength = 80;

/** A short rendering of `value` for error messages (strings quoted, long values cut). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (isRecord(value)) return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > maxShownLength ? `${text.slice(0, maxShownLength - 3)}...` : text;
}

/** The 400 error for the field at `path`. */
export function invalidField(path: string, message: string): RouterError {
  return new RouterError('invalid_request', `${path}: ${message}`);
}

/** `value` as a string, or a 400 naming `path`. */
export function requireString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw invalidField(path, `expected a string, got ${describeValue(value)}`);
  return value;
}

/** `value` as a finite number, or a 400 naming `path`. */
export function requireNumber(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidField(path, `expected a number, got ${describeValue(value)}`);
  }
  return value;
}

/** `value` as an integer, or a 400 naming `path`. */
export function requireInteger(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidField(path, `expected an integer, got ${describeValue(value)}`);
  }
  return value;
}

/** `value` as a boolean, or a 400 naming `path`. */
export function requireBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean')
    throw invalidField(path, `expected true or false, got ${describeValue(value)}`);
  return value;
}

/** `value` as an object, or a 400 naming `path`. */
export function requireRecord(value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value)) throw invalidField(path, `expected an object, got ${describeValue(value)}`);
  return value;
}

/** `value` as an array, or a 400 naming `path`. */
export function requireArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw invalidField(path, `expected an array, got ${describeValue(value)}`);
  return value;
}

/** `value` as an array of strings, or a 400 naming the first bad element. */
export function requireStringArray(value: unknown, path: string): string[] {
  const list = requireArray(value, path);
  for (const [index, item] of list.entries()) requireString(item, `${path}[${index}]`);
  return list as string[];
}

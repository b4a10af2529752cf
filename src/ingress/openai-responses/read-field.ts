/**
 * Typed readers for the caller's untrusted JSON. Each throws a 400 RouterError that names the field's path
 * and the value it found, so a bad request says exactly what was wrong.
 */
import { RouterError } from '../../core/errors.js';
import { isRecord } from '../../core/is-record.js';

export type JsonObject = Record<string, unknown>;

const maxShownLength = 60;

/** A short description of a value for an error message: the value itself when small, else its kind. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > maxShownLength ? `${value.slice(0, maxShownLength)}...` : value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** The 400 error for the field at `path`. */
export function invalidField(path: string, message: string): RouterError {
  return new RouterError('invalid_request', `${path}: ${message}`);
}

/** `value` as an object, or a 400 naming `path`. */
export function expectObject(value: unknown, path: string): JsonObject {
  if (!isRecord(value)) throw invalidField(path, `must be an object, got ${describeValue(value)}`);
  return value;
}

/** `value` as an array, or a 400 naming `path`. */
export function expectArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw invalidField(path, `must be an array, got ${describeValue(value)}`);
  return value;
}

/** `value` as a string, or a 400 naming `path`. */
export function expectString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw invalidField(path, `must be a string, got ${describeValue(value)}`);
  return value;
}

/** `object[key]` as a string; undefined when absent or null. `prefix` is the path up to the key. */
export function optionalString(object: JsonObject, key: string, prefix: string): string | undefined {
  const value = object[key];
  return value == null ? undefined : expectString(value, `${prefix}${key}`);
}

/** `object[key]` as a finite number; undefined when absent or null. */
export function optionalNumber(object: JsonObject, key: string, prefix: string): number | undefined {
  const value = object[key];
  if (value == null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidField(`${prefix}${key}`, `must be a number, got ${describeValue(value)}`);
  }
  return value;
}

/** `object[key]` as a boolean; undefined when absent or null. */
export function optionalBoolean(object: JsonObject, key: string, prefix: string): boolean | undefined {
  const value = object[key];
  if (value == null) return undefined;
  if (typeof value !== 'boolean') {
    throw invalidField(`${prefix}${key}`, `must be a boolean, got ${describeValue(value)}`);
  }
  return value;
}

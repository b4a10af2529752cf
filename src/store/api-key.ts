/**
 * API keys the router issues to its own callers. A key is `pr-` plus 43 base64url characters (32 random
 * bytes); only its SHA-256 is stored, so a leaked database does not leak usable keys. Each key carries
 * per-key defaults and budgets, validated here so every store refuses the same nonsense.
 */
import { createHash, randomBytes } from 'node:crypto';
import { RouterError } from '../core/errors.js';

/** What an operator can set on a key (and later change with `updateKey`). */
export interface ApiKeySettings {
  name: string;
  /** Applied when the caller sends no bar of its own. */
  defaultMinCodingScore: number | null;
  /** When true, the caller's own routing settings may not loosen the key's defaults and lists. */
  preventOverrides: boolean;
  /** Model ids or patterns this key may reach; empty means no restriction. */
  allowedModels: string[];
  excludedModels: string[];
  limitDailyUsd: number | null;
  limitMonthlyUsd: number | null;
  limitTotalUsd: number | null;
  rateLimitPerMinute: number | null;
}

export interface ApiKeyRecord extends ApiKeySettings {
  /** Short public id (`key_` + 12 characters), safe to show and log. */
  id: string;
  /** SHA-256 hex of the full key. */
  hash: string;
  /** The first 8 characters after `pr-`, so an operator can tell keys apart without the secret. */
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
}

/** A change to a key's settings; fields left out keep their value. */
export type ApiKeyPatch = Partial<ApiKeySettings>;

export interface GeneratedApiKey {
  /** The secret, shown to the operator once and never stored. */
  key: string;
  hash: string;
  prefix: string;
}

const keyPrefix = 'pr-';
const keyBodyLength = 43;
const displayPrefixLength = 8;
const keyIdAlphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
const keyIdLength = 12;
const keyPattern = /^pr-[A-Za-z0-9_-]{43}$/;

/** Limits above these are typing mistakes, not budgets. */
export const maxLimitUsd = 1e9;
export const maxRateLimitPerMinute = 1e7;
export const maxKeyNameLength = 200;
/** Every list is capped: a key's lists are read on every request. */
export const maxKeyModelListLength = 1000;
export const maxKeyModelPatternLength = 512;

/** Creates a new random key with its hash and display prefix. */
export function generateApiKey(): GeneratedApiKey {
  const body = randomBytes(32).toString('base64url');
  const key = `${keyPrefix}${body}`;
  return { key, hash: hashApiKey(key), prefix: body.slice(0, displayPrefixLength) };
}

/** SHA-256 hex of a key, the form stored and looked up. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Whether `value` has the shape of a key this router issues (checked before hashing and a lookup). */
export function isApiKeyFormat(value: string): boolean {
  return value.length === keyPrefix.length + keyBodyLength && keyPattern.test(value);
}

/** A new public key id, `key_` + 12 lowercase letters and digits. */
export function generateKeyId(): string {
  let id = '';
  while (id.length < keyIdLength) {
    for (const byte of randomBytes(keyIdLength * 2)) {
      // 252 is the largest multiple of 36 below 256: rejecting the rest keeps every character equally likely.
      if (byte >= 252) continue;
      id += keyIdAlphabet[byte % keyIdAlphabet.length];
      if (id.length === keyIdLength) break;
    }
  }
  return `key_${id}`;
}

/** The settings a key gets when the operator names none. */
export const defaultApiKeySettings: Readonly<Omit<ApiKeySettings, 'name'>> = {
  defaultMinCodingScore: null,
  preventOverrides: false,
  allowedModels: [],
  excludedModels: [],
  limitDailyUsd: null,
  limitMonthlyUsd: null,
  limitTotalUsd: null,
  rateLimitPerMinute: null,
};

/** Builds a complete, validated key record and its secret; the caller stores the record and shows the key once. */
export function createApiKeyRecord(
  settings: Pick<ApiKeySettings, 'name'> & ApiKeyPatch,
  now: number,
): { key: string; record: ApiKeyRecord } {
  const generated = generateApiKey();
  const record: ApiKeyRecord = {
    ...defaultApiKeySettings,
    allowedModels: [],
    excludedModels: [],
    ...withoutUndefined(settings),
    id: generateKeyId(),
    hash: generated.hash,
    prefix: generated.prefix,
    createdAt: now,
    revokedAt: null,
  };
  validateApiKeySettings(record);
  return { key: generated.key, record };
}

/** The fields `updateKey` may change; everything else about a key (id, hash, times) is fixed. */
export const apiKeySettingFields = [
  'name',
  'defaultMinCodingScore',
  'preventOverrides',
  'allowedModels',
  'excludedModels',
  'limitDailyUsd',
  'limitMonthlyUsd',
  'limitTotalUsd',
  'rateLimitPerMinute',
] as const satisfies readonly (keyof ApiKeySettings)[];

/** The key with `patch` applied and validated; unknown or undefined patch fields are ignored. */
export function applyApiKeyPatch(current: ApiKeyRecord, patch: ApiKeyPatch): ApiKeyRecord {
  validateApiKeySettings(patch);
  const next: ApiKeyRecord = { ...current };
  for (const field of apiKeySettingFields) {
    const value = patch[field];
    if (value !== undefined) Object.assign(next, { [field]: Array.isArray(value) ? [...value] : value });
  }
  return next;
}

/**
 * Throws RouterError `invalid_request` naming the field and value when a setting is out of range:
 * negative, non-finite or absurd limits, scores outside 0..1, oversized names or lists.
 * Fields absent from `settings` are not checked, so a patch can be validated on its own.
 */
export function validateApiKeySettings(settings: ApiKeyPatch): void {
  const { name, defaultMinCodingScore, preventOverrides, allowedModels, excludedModels } = settings;
  if (name !== undefined) {
    if (typeof name !== 'string' || name.trim().length === 0 || name.length > maxKeyNameLength) {
      fail('name', name, `must be a non-empty string of at most ${maxKeyNameLength} characters`);
    }
  }
  if (defaultMinCodingScore !== undefined && defaultMinCodingScore !== null) {
    if (!isFiniteNumber(defaultMinCodingScore) || defaultMinCodingScore < 0 || defaultMinCodingScore > 1) {
      fail('defaultMinCodingScore', defaultMinCodingScore, 'must be a number between 0 and 1');
    }
  }
  if (preventOverrides !== undefined && typeof preventOverrides !== 'boolean') {
    fail('preventOverrides', preventOverrides, 'must be a boolean');
  }
  checkModelList('allowedModels', allowedModels);
  checkModelList('excludedModels', excludedModels);
  checkLimit('limitDailyUsd', settings.limitDailyUsd, maxLimitUsd, 'USD');
  checkLimit('limitMonthlyUsd', settings.limitMonthlyUsd, maxLimitUsd, 'USD');
  checkLimit('limitTotalUsd', settings.limitTotalUsd, maxLimitUsd, 'USD');
  const rate = settings.rateLimitPerMinute;
  checkLimit('rateLimitPerMinute', rate, maxRateLimitPerMinute, 'requests per minute');
  if (rate !== undefined && rate !== null && !Number.isInteger(rate)) {
    fail('rateLimitPerMinute', rate, 'must be a whole number of requests');
  }
}

function checkLimit(field: string, value: number | null | undefined, maximum: number, unit: string): void {
  if (value === undefined || value === null) return;
  if (!isFiniteNumber(value)) fail(field, value, 'must be a finite number');
  if (value < 0) fail(field, value, 'must not be negative');
  if (value > maximum) fail(field, value, `is above the maximum of ${maximum} ${unit}`);
}

function checkModelList(field: string, value: string[] | undefined): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) fail(field, value, 'must be an array of model ids');
  if (value.length > maxKeyModelListLength) {
    fail(field, `${value.length} entries`, `holds more than ${maxKeyModelListLength} entries`);
  }
  for (const entry of value) {
    if (typeof entry !== 'string' || entry.length === 0 || entry.length > maxKeyModelPatternLength) {
      fail(
        field,
        entry,
        `entries must be non-empty strings of at most ${maxKeyModelPatternLength} characters`,
      );
    }
  }
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function fail(field: string, value: unknown, problem: string): never {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new RouterError('invalid_request', `${field} ${problem}, got ${shown}`, {
    metadata: { field },
  });
}

function withoutUndefined<T extends object>(value: T): T {
  // Spreading a patch must not overwrite a default with an explicit undefined.
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

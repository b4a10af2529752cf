import { describe, expect, it } from 'vitest';
import { RouterError } from '../core/errors.js';
import {
  type ApiKeyPatch,
  applyApiKeyPatch,
  createApiKeyRecord,
  generateApiKey,
  generateKeyId,
  hashApiKey,
  isApiKeyFormat,
  validateApiKeySettings,
} from './api-key.js';

function validationMessage(patch: ApiKeyPatch): string {
  try {
    validateApiKeySettings(patch);
  } catch (error) {
    expect(error).toBeInstanceOf(RouterError);
    expect((error as RouterError).code).toBe('invalid_request');
    return (error as RouterError).message;
  }
  throw new Error(`expected ${JSON.stringify(patch)} to be refused`);
}

describe('generateApiKey', () => {
  it('makes pr- plus 43 base64url characters, its SHA-256 and an 8-character prefix', () => {
    const generated = generateApiKey();
    expect(generated.key).toMatch(/^pr-[A-Za-z0-9_-]{43}$/);
    expect(generated.hash).toBe(hashApiKey(generated.key));
    expect(generated.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(generated.prefix).toBe(generated.key.slice(3, 11));
    expect(isApiKeyFormat(generated.key)).toBe(true);
  });

  it('never repeats', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey().key));
    expect(keys.size).toBe(200);
  });
});

describe('hashApiKey', () => {
  it('is the SHA-256 hex of the key text', () => {
    // Known vector: SHA-256("abc").
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('isApiKeyFormat', () => {
  it('refuses anything but the issued shape', () => {
    expect(isApiKeyFormat(`pr-${'a'.repeat(43)}`)).toBe(true);
    expect(isApiKeyFormat(`pr-${'a'.repeat(42)}`)).toBe(false);
    expect(isApiKeyFormat(`sk-${'a'.repeat(43)}`)).toBe(false);
    expect(isApiKeyFormat(`pr-${'a'.repeat(42)}=`)).toBe(false);
    expect(isApiKeyFormat('')).toBe(false);
  });
});

describe('generateKeyId', () => {
  it('makes key_ plus 12 lowercase letters and digits', () => {
    for (let index = 0; index < 50; index += 1) expect(generateKeyId()).toMatch(/^key_[a-z0-9]{12}$/);
  });
});

describe('validateApiKeySettings', () => {
  it('accepts sensible settings, nulls and an empty patch', () => {
    expect(() =>
      validateApiKeySettings({
        name: 'team',
        defaultMinCodingScore: 0,
        limitDailyUsd: 0,
        limitMonthlyUsd: 1e9,
        limitTotalUsd: null,
        rateLimitPerMinute: 1e7,
        allowedModels: ['anthropic/*'],
        excludedModels: [],
        preventOverrides: true,
      }),
    ).not.toThrow();
    expect(() => validateApiKeySettings({ defaultMinCodingScore: 1 })).not.toThrow();
    expect(() => validateApiKeySettings({})).not.toThrow();
  });

  it('names the field and the value it refuses', () => {
    expect(validationMessage({ limitDailyUsd: -0.01 })).toBe('limitDailyUsd must not be negative, got -0.01');
    expect(validationMessage({ limitTotalUsd: Number.POSITIVE_INFINITY })).toBe(
      'limitTotalUsd must be a finite number, got Infinity',
    );
    expect(validationMessage({ limitMonthlyUsd: Number.NaN })).toMatch(/limitMonthlyUsd .* got NaN/);
    expect(validationMessage({ limitMonthlyUsd: 2e9 })).toBe(
      'limitMonthlyUsd is above the maximum of 1000000000 USD, got 2000000000',
    );
    expect(validationMessage({ rateLimitPerMinute: 2e7 })).toMatch(
      /rateLimitPerMinute is above .* got 20000000/,
    );
    expect(validationMessage({ rateLimitPerMinute: 1.5 })).toBe(
      'rateLimitPerMinute must be a whole number of requests, got 1.5',
    );
    expect(validationMessage({ defaultMinCodingScore: 1.01 })).toMatch(/defaultMinCodingScore .* got 1.01/);
    expect(validationMessage({ defaultMinCodingScore: -0.1 })).toMatch(/defaultMinCodingScore .* got -0.1/);
    expect(validationMessage({ name: '  ' })).toMatch(/^name must be a non-empty string/);
    expect(validationMessage({ allowedModels: [''] })).toMatch(/^allowedModels entries/);
    expect(validationMessage({ excludedModels: Array.from({ length: 1001 }, () => 'x') })).toMatch(
      /excludedModels holds more than 1000 entries/,
    );
  });
});

describe('createApiKeyRecord', () => {
  it('fills defaults, generates the identity and returns the secret once', () => {
    const { key, record } = createApiKeyRecord({ name: 'ci', limitDailyUsd: 3 }, 1_700_000_000_000);
    expect(record).toEqual({
      id: expect.stringMatching(/^key_[a-z0-9]{12}$/),
      name: 'ci',
      hash: hashApiKey(key),
      prefix: key.slice(3, 11),
      createdAt: 1_700_000_000_000,
      revokedAt: null,
      defaultMinCodingScore: null,
      preventOverrides: false,
      allowedModels: [],
      excludedModels: [],
      limitDailyUsd: 3,
      limitMonthlyUsd: null,
      limitTotalUsd: null,
      rateLimitPerMinute: null,
    });
    expect(JSON.stringify(record)).not.toContain(key);
  });

  it('refuses invalid settings', () => {
    expect(() => createApiKeyRecord({ name: 'ci', limitDailyUsd: -5 }, 0)).toThrow(/limitDailyUsd/);
  });
});

describe('applyApiKeyPatch', () => {
  it('changes only settings and copies lists', () => {
    const { record } = createApiKeyRecord({ name: 'ci' }, 0);
    const models = ['a/b'];
    const next = applyApiKeyPatch(record, { allowedModels: models, name: 'renamed' });
    models.push('c/d');
    expect(next).toEqual({ ...record, allowedModels: ['a/b'], name: 'renamed' });
    expect(record.name).toBe('ci');
  });
});

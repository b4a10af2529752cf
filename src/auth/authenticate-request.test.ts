import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RouterError } from '../core/errors.js';
import { routerRejectionOf } from '../core/test-support/router-error-of.js';
import { generateApiKey } from '../store/api-key.js';
import { assertMasterKey, KeyAuthenticator, parseBearerToken } from './authenticate-request.js';
import { createTempStore, type TempStore } from './test-support/temp-store.js';

let temp: TempStore;
let clock: number;
const now = () => clock;

beforeEach(async () => {
  temp = await createTempStore();
  clock = Date.UTC(2025, 5, 1);
});
afterEach(async () => {
  await temp.dispose();
});

describe('KeyAuthenticator', () => {
  it('is open while the store has no keys and caches that fact', async () => {
    const listKeys = vi.spyOn(temp.store, 'listKeys');
    const authenticator = new KeyAuthenticator({ store: temp.store, now });
    expect(await authenticator.authenticate(undefined)).toEqual({ mode: 'open' });
    expect(await authenticator.authenticate('Bearer whatever')).toEqual({ mode: 'open' });
    expect(listKeys).toHaveBeenCalledTimes(1);
  });

  it('leaves open mode when a key is created and invalidated, without waiting for the TTL', async () => {
    const authenticator = new KeyAuthenticator({ store: temp.store, now, cacheTtlMs: 60_000 });
    expect((await authenticator.authenticate(undefined)).mode).toBe('open');
    const { key, record } = await temp.addKey();
    authenticator.invalidate(record.id);
    expect((await routerRejectionOf(authenticator.authenticate(undefined))).status).toBe(401);
    const context = await authenticator.authenticate(`Bearer ${key}`);
    expect(context).toEqual({ mode: 'key', key: record });
  });

  it('notices keys created elsewhere once the open-mode TTL passes', async () => {
    const authenticator = new KeyAuthenticator({ store: temp.store, now, cacheTtlMs: 1000 });
    expect((await authenticator.authenticate(undefined)).mode).toBe('open');
    await temp.addKey();
    expect((await authenticator.authenticate(undefined)).mode).toBe('open');
    clock += 1001;
    expect((await routerRejectionOf(authenticator.authenticate(undefined))).code).toBe('unauthorized');
  });

  it('refuses missing, malformed and unknown keys without echoing them', async () => {
    await temp.addKey();
    const authenticator = new KeyAuthenticator({ store: temp.store, now });
    const unknown = generateApiKey().key;
    const cases: [string | undefined, string][] = [
      [undefined, 'missing API key'],
      ['', 'missing API key'],
      ['Basic dXNlcjpwYXNz', 'malformed Authorization header'],
      ['Bearer sk-or-v1-notours1234567890', 'malformed API key'],
      [`Bearer ${unknown}`, 'unknown API key'],
    ];
    for (const [header, message] of cases) {
      const error = await routerRejectionOf(authenticator.authenticate(header));
      expect(error.code).toBe('unauthorized');
      expect(error.status).toBe(401);
      expect(error.message).toContain(message);
      expect(error.message).not.toContain(unknown);
      expect(error.message).not.toContain('sk-or-v1-notours');
    }
  });

  it('accepts any case of the Bearer scheme', async () => {
    const { key, record } = await temp.addKey();
    const authenticator = new KeyAuthenticator({ store: temp.store, now });
    const context = await authenticator.authenticate(`bearer   ${key}`);
    expect(context.mode === 'key' && context.key.id).toBe(record.id);
  });

  it('says "key revoked" for a revoked key, once invalidated', async () => {
    const { key, record } = await temp.addKey();
    const authenticator = new KeyAuthenticator({ store: temp.store, now });
    expect((await authenticator.authenticate(`Bearer ${key}`)).mode).toBe('key');
    await temp.store.revokeKey(record.id, clock);
    // Still cached: revocation reaches the hot path through invalidate (or the TTL).
    expect((await authenticator.authenticate(`Bearer ${key}`)).mode).toBe('key');
    authenticator.invalidate(record.id);
    const error = await routerRejectionOf(authenticator.authenticate(`Bearer ${key}`));
    expect(error.status).toBe(401);
    expect(error.message).toBe('key revoked');
    expect(error.message).not.toContain(key);
  });

  it('serves repeated lookups from the cache until the TTL passes', async () => {
    const { key } = await temp.addKey();
    const findKeyByHash = vi.spyOn(temp.store, 'findKeyByHash');
    const authenticator = new KeyAuthenticator({ store: temp.store, now, cacheTtlMs: 5000 });
    await Promise.all(Array.from({ length: 20 }, () => authenticator.authenticate(`Bearer ${key}`)));
    for (let index = 0; index < 50; index += 1) await authenticator.authenticate(`Bearer ${key}`);
    expect(findKeyByHash).toHaveBeenCalledTimes(1);
    clock += 5001;
    await authenticator.authenticate(`Bearer ${key}`);
    expect(findKeyByHash).toHaveBeenCalledTimes(2);
  });

  it('caches unknown keys too, and keeps the cache bounded', async () => {
    await temp.addKey();
    const findKeyByHash = vi.spyOn(temp.store, 'findKeyByHash');
    const authenticator = new KeyAuthenticator({ store: temp.store, now, maxCacheEntries: 3 });
    const bogus = Array.from({ length: 5 }, () => generateApiKey().key);
    for (const key of bogus) await routerRejectionOf(authenticator.authenticate(`Bearer ${key}`));
    expect(findKeyByHash).toHaveBeenCalledTimes(5);
    // The last three are cached; the first two were evicted.
    for (const key of bogus.slice(2)) await routerRejectionOf(authenticator.authenticate(`Bearer ${key}`));
    expect(findKeyByHash).toHaveBeenCalledTimes(5);
    await routerRejectionOf(authenticator.authenticate(`Bearer ${bogus[0]}`));
    expect(findKeyByHash).toHaveBeenCalledTimes(6);
  });

  it('refuses the master key outside the admin API', async () => {
    await temp.addKey();
    const masterKey = 'master-secret-value-123';
    const authenticator = new KeyAuthenticator({ store: temp.store, now, masterKey });
    const error = await routerRejectionOf(authenticator.authenticate(`Bearer ${masterKey}`));
    expect(error.status).toBe(401);
    expect(error.message).toBe('the master key is only valid for the admin API');
  });

  it('sees updated settings after invalidate', async () => {
    const { key, record } = await temp.addKey({ limitDailyUsd: 1 });
    const authenticator = new KeyAuthenticator({ store: temp.store, now });
    await authenticator.authenticate(`Bearer ${key}`);
    await temp.store.updateKey(record.id, { limitDailyUsd: 7 });
    authenticator.invalidate(record.id);
    const context = await authenticator.authenticate(`Bearer ${key}`);
    expect(context.mode === 'key' && context.key.limitDailyUsd).toBe(7);
  });
});

describe('parseBearerToken', () => {
  it('extracts the token of a Bearer header only', () => {
    expect(parseBearerToken('Bearer abc')).toBe('abc');
    expect(parseBearerToken('BEARER abc ')).toBe('abc');
    expect(parseBearerToken('Bearer')).toBeNull();
    expect(parseBearerToken('Bearer a b')).toBeNull();
    expect(parseBearerToken('Token abc')).toBeNull();
    expect(parseBearerToken(undefined)).toBeNull();
    expect(parseBearerToken(`Bearer ${'x'.repeat(10_000)}`)).toBeNull();
  });
});

describe('assertMasterKey', () => {
  it('accepts the master key and refuses anything else with a 401', () => {
    expect(() => assertMasterKey('Bearer the-master', 'the-master')).not.toThrow();
    for (const header of [undefined, 'Bearer the-maste', 'Bearer the-master2', 'the-master']) {
      let thrown: unknown;
      try {
        assertMasterKey(header, 'the-master');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(RouterError);
      expect((thrown as RouterError).status).toBe(401);
      expect((thrown as RouterError).message).not.toContain('the-master');
    }
  });

  it('answers 404 when no master key is configured', () => {
    expect(() => assertMasterKey('Bearer x', undefined)).toThrow(/admin API is disabled/);
    expect(() => assertMasterKey('Bearer x', '')).toThrow(
      expect.objectContaining({ code: 'not_found', status: 404 }),
    );
  });
});

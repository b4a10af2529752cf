/**
 * Who is calling: a gateway key (`pr-...`) looked up by its SHA-256 through a small in-memory cache, or
 * nobody at all when the store holds no keys yet (open mode, for a router on 127.0.0.1). The master key
 * belongs to the admin API only. No message built here ever contains the presented secret.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { RouterError } from '../core/errors.js';
import { type ApiKeyRecord, hashApiKey, isApiKeyFormat } from '../store/api-key.js';
import type { RequestStore } from '../store/request-store.js';

/** The caller of one request: nobody (no keys exist yet) or a known, unrevoked key. */
export type KeyContext = { mode: 'open' } | { mode: 'key'; key: ApiKeyRecord };

export interface KeyAuthenticatorOptions {
  store: RequestStore;
  /** `PARETO_ROUTER_MASTER_KEY`; recognised only so a caller using it on the wrong path gets a clear 401. */
  masterKey?: string | undefined;
  /** How long a looked-up key (or the "no keys at all" fact) is trusted without asking the store again. */
  cacheTtlMs?: number;
  /** At most this many cached lookups; the least recently used go first. */
  maxCacheEntries?: number;
  now: () => number;
}

export const defaultKeyCacheTtlMs = 10_000;
export const defaultMaxKeyCacheEntries = 10_000;

interface CacheEntry {
  /** null caches "no such key", so a client retrying a bad key does not reach the store each time. */
  record: ApiKeyRecord | null;
  expiresAt: number;
}

const bearerPattern = /^Bearer[ \t]+(\S+)[ \t]*$/i;
/** Longer tokens are refused before hashing: no real key or master key is this long. */
const maxTokenLength = 4096;

/** Resolves the Authorization header of a request into a KeyContext, or throws a 401. */
export class KeyAuthenticator {
  readonly #store: RequestStore;
  readonly #masterKeyHash: Buffer | null;
  readonly #cacheTtlMs: number;
  readonly #maxCacheEntries: number;
  readonly #now: () => number;
  /** Map order is recency order: a hit is moved to the end, eviction takes the first. */
  readonly #cache = new Map<string, CacheEntry>();
  readonly #hashByKeyId = new Map<string, string>();
  readonly #pending = new Map<string, Promise<ApiKeyRecord | null>>();
  /** Once a key exists it never stops existing (revoked keys stay in the store), so true is final. */
  #keysExist = false;
  #noKeysUntil = 0;
  /** Bumped by every invalidation, so a lookup that started before it does not cache a stale record. */
  #generation = 0;
  #keysExistCheck: Promise<boolean> | null = null;

  constructor(options: KeyAuthenticatorOptions) {
    this.#store = options.store;
    this.#masterKeyHash =
      options.masterKey === undefined || options.masterKey === '' ? null : digest(options.masterKey);
    this.#cacheTtlMs = options.cacheTtlMs ?? defaultKeyCacheTtlMs;
    this.#maxCacheEntries = options.maxCacheEntries ?? defaultMaxKeyCacheEntries;
    this.#now = options.now;
  }

  /** The caller of a chat (or key info) request; throws RouterError `unauthorized` (401). */
  async authenticate(authorizationHeader: string | undefined): Promise<KeyContext> {
    if (!(await this.#keysExistNow())) return { mode: 'open' };
    const token = parseBearerToken(authorizationHeader);
    if (token === null) {
      throw new RouterError(
        'unauthorized',
        authorizationHeader === undefined || authorizationHeader.trim() === ''
          ? 'missing API key: send "Authorization: Bearer pr-..."'
          : 'malformed Authorization header: expected "Bearer pr-..."',
      );
    }
    if (!isApiKeyFormat(token)) {
      if (this.#masterKeyHash !== null && secretMatches(token, this.#masterKeyHash)) {
        throw new RouterError('unauthorized', 'the master key is only valid for the admin API');
      }
      throw new RouterError(
        'unauthorized',
        'malformed API key: expected "pr-" followed by 43 base64url characters',
      );
    }
    const record = await this.#lookup(hashApiKey(token));
    if (record === null) throw new RouterError('unauthorized', 'unknown API key');
    if (record.revokedAt !== null) {
      throw new RouterError('unauthorized', 'key revoked', { metadata: { key_id: record.id } });
    }
    return { mode: 'key', key: record };
  }

  /**
   * Forgets what is cached about a key: call after updating or revoking it, and after creating one
   * (which ends open mode at once instead of after the cache TTL).
   */
  invalidate(keyId: string): void {
    this.#keysExist = true;
    this.#generation += 1;
    // Lookups already in flight may have read the old record; later callers start a fresh one.
    this.#pending.clear();
    const hash = this.#hashByKeyId.get(keyId);
    if (hash === undefined) return;
    this.#hashByKeyId.delete(keyId);
    this.#cache.delete(hash);
  }

  /** Forgets every cached lookup (keys changed behind the router's back, for example by the CLI). */
  clear(): void {
    this.#generation += 1;
    this.#pending.clear();
    this.#cache.clear();
    this.#hashByKeyId.clear();
    this.#noKeysUntil = 0;
  }

  async #keysExistNow(): Promise<boolean> {
    if (this.#keysExist) return true;
    if (this.#now() < this.#noKeysUntil) return false;
    // Concurrent first requests share one store query.
    this.#keysExistCheck ??= this.#store.listKeys().then(
      (keys) => {
        this.#keysExistCheck = null;
        if (keys.length > 0) this.#keysExist = true;
        else this.#noKeysUntil = this.#now() + this.#cacheTtlMs;
        return this.#keysExist;
      },
      (error: unknown) => {
        this.#keysExistCheck = null;
        throw error;
      },
    );
    return this.#keysExistCheck;
  }

  async #lookup(hash: string): Promise<ApiKeyRecord | null> {
    const cached = this.#cache.get(hash);
    const now = this.#now();
    if (cached !== undefined) {
      this.#cache.delete(hash);
      if (cached.expiresAt > now) {
        this.#cache.set(hash, cached);
        return cached.record;
      }
      if (cached.record !== null) this.#hashByKeyId.delete(cached.record.id);
    }
    const pending = this.#pending.get(hash);
    if (pending !== undefined) return pending;
    const generation = this.#generation;
    const lookup = this.#store.findKeyByHash(hash);
    this.#pending.set(hash, lookup);
    try {
      const record = await lookup;
      if (generation === this.#generation) this.#remember(hash, record);
      return record;
    } finally {
      if (this.#pending.get(hash) === lookup) this.#pending.delete(hash);
    }
  }

  #remember(hash: string, record: ApiKeyRecord | null): void {
    while (this.#cache.size >= this.#maxCacheEntries) {
      const oldest = this.#cache.entries().next();
      if (oldest.done === true) break;
      const [oldestHash, entry] = oldest.value;
      this.#cache.delete(oldestHash);
      if (entry.record !== null) this.#hashByKeyId.delete(entry.record.id);
    }
    this.#cache.set(hash, { record, expiresAt: this.#now() + this.#cacheTtlMs });
    if (record !== null) this.#hashByKeyId.set(record.id, hash);
  }
}

/** The token of a `Bearer` Authorization header, or null when the header is missing or not of that form. */
export function parseBearerToken(authorizationHeader: string | undefined): string | null {
  if (authorizationHeader === undefined || authorizationHeader.length > maxTokenLength + 16) return null;
  const match = bearerPattern.exec(authorizationHeader);
  return match?.[1] ?? null;
}

/**
 * Checks an Authorization header against the master key in constant time; throws RouterError
 * `not_found` (404) when no master key is configured and `unauthorized` (401) when it does not match.
 */
export function assertMasterKey(
  authorizationHeader: string | undefined,
  masterKey: string | undefined,
): void {
  if (masterKey === undefined || masterKey === '') {
    throw new RouterError(
      'not_found',
      'the admin API is disabled: set PARETO_ROUTER_MASTER_KEY to enable it',
    );
  }
  const token = parseBearerToken(authorizationHeader);
  if (token === null || !secretMatches(token, digest(masterKey))) {
    throw new RouterError('unauthorized', 'the admin API needs "Authorization: Bearer <master key>"');
  }
}

function secretMatches(candidate: string, expectedDigest: Buffer): boolean {
  // Comparing fixed-length digests keeps the comparison constant-time whatever the lengths.
  return timingSafeEqual(digest(candidate), expectedDigest);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Per-key requests per minute shared by every instance: the same token bucket as the in-memory limiter,
 * kept in a Redis hash and updated by one Lua script on Redis's own clock, so the fleet together lets a
 * key through at its limit, not at its limit times the number of processes. Only keys with a limit pay
 * the round trip. While Redis is down each process falls back to its own bucket (a rate limit is a
 * guard against floods, not money: failing open per process is the documented behaviour).
 */
import type { RedisLink } from '../state/redis-link.js';
import { type KeyRateLimiter, type RateDecision, RateLimiter } from './rate-limiter.js';

const takeScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local rate = limit / 60000
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1])
local at = tonumber(bucket[2])
if tokens == nil or at == nil then
  tokens = limit
  at = now
end
tokens = math.min(limit, tokens + math.max(0, now - at) * rate)
at = math.max(at, now)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], 120000)
if allowed == 1 then return {1, 0} end
return {0, math.max(1, math.ceil((1 - tokens) / rate / 1000))}
`;

export class RedisRateLimiter implements KeyRateLimiter {
  readonly #link: RedisLink;
  readonly #local = new RateLimiter();

  constructor(link: RedisLink) {
    this.#link = link;
  }

  async take(keyId: string, limitPerMinute: number, now: number): Promise<RateDecision> {
    if (!Number.isFinite(limitPerMinute) || limitPerMinute <= 0) {
      return { allowed: false, retryAfterSeconds: 60 };
    }
    if (!this.#link.up) return this.#local.take(keyId, limitPerMinute, now);
    try {
      const [allowed, retryAfter] = (await this.#link.client.eval(
        takeScript,
        1,
        this.#link.key('rate', keyId),
        String(limitPerMinute),
      )) as [number, number];
      return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterSeconds: retryAfter };
    } catch {
      return this.#local.take(keyId, limitPerMinute, now);
    }
  }
}

/**
 * Whether a Redis answers, for tests that run against the real one and skip with a message when none
 * does. The URL comes from `PARETO_TEST_REDIS_URL`, the local Redis by default.
 */
import { Redis } from 'ioredis';

export const testRedisUrl = process.env.PARETO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True when the Redis at `url` answers a PING within about a second. */
export async function redisAnswers(url: string = testRedisUrl): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

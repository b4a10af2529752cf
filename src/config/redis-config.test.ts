import { describe, expect, it } from 'vitest';
import { routerErrorOf } from '../core/test-support/router-error-of.js';
import { loadConfig } from './load-config.js';

describe('fleet settings', () => {
  it('reads REDIS_URL, the key prefix, fail-open and the hold TTL from the environment', () => {
    const config = loadConfig({
      env: {
        REDIS_URL: 'redis://redis:6379/2',
        PARETO_ROUTER_REDIS_PREFIX: 'fleet-a:',
        PARETO_ROUTER_BUDGET_FAIL_OPEN: 'true',
        PARETO_ROUTER_RESERVATION_TTL_MS: '60000',
      },
    });
    expect(config).toMatchObject({
      redisUrl: 'redis://redis:6379/2',
      redisPrefix: 'fleet-a:',
      budgetFailOpen: true,
      reservationTtlMs: 60_000,
    });
  });

  it('fails closed by default and lets --redis-url override the environment', () => {
    const config = loadConfig({
      env: { REDIS_URL: 'redis://from-env:6379' },
      overrides: { redisUrl: 'rediss://from-flag:6380' },
    });
    expect(config.redisUrl).toBe('rediss://from-flag:6380');
    expect(config.budgetFailOpen).toBe(false);
    expect(loadConfig({ env: {} }).redisUrl).toBeUndefined();
  });

  it('refuses a URL that is not redis:// or rediss://, without echoing its password', () => {
    const error = routerErrorOf(() => loadConfig({ env: { REDIS_URL: 'http://user:hunter2@host:6379' } }));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toMatch(/must start with redis:\/\/ or rediss:\/\//);
    expect(error.message).not.toContain('hunter2');
    expect(routerErrorOf(() => loadConfig({ env: { REDIS_URL: 'not a url' } })).message).toMatch(/not a URL/);
  });

  it('refuses a fail-open value or a hold TTL it cannot read', () => {
    expect(
      routerErrorOf(() => loadConfig({ env: { PARETO_ROUTER_BUDGET_FAIL_OPEN: 'sometimes' } })).message,
    ).toMatch(/PARETO_ROUTER_BUDGET_FAIL_OPEN must be on\/off, true\/false or 1\/0/);
    expect(
      routerErrorOf(() => loadConfig({ env: { PARETO_ROUTER_RESERVATION_TTL_MS: '5' } })).message,
    ).toMatch(/PARETO_ROUTER_RESERVATION_TTL_MS must be an integer/);
  });
});

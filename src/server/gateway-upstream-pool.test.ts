/**
 * A configured upstream connection limit through the whole router: the call past it waits, and its wait
 * shows in the request log and in the metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, postChat, startGateway, userMessage } from './test-support/gateway-fixture.js';

describe('upstream connection limit', () => {
  let gateway: GatewayFixture;
  beforeAll(async () => {
    gateway = await startGateway({ upstreamPool: { connections: 1 } });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('queues the call past the limit and records its wait in the request log and the metrics', async () => {
    // Each answer holds the only connection for 150 ms, so of two calls sent together one waits.
    gateway.mock.script('alpha', { latencyMs: 150 });
    const [first, second] = await Promise.all([
      postChat(gateway.url, { model: 'lab/alpha', messages: userMessage }),
      postChat(gateway.url, { model: 'lab/alpha', messages: userMessage }),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    await gateway.router.app.ops.logWriter.flush();
    const waits: (number | undefined)[] = [];
    for (const id of [first.json.id, second.json.id]) {
      const response = await fetch(`${gateway.url}/api/v1/generation?id=${id}`, {
        headers: { authorization: 'Bearer anything' },
      });
      const record = (await response.json()) as any;
      waits.push(record.data.pareto_router.attempts[0].queue_ms);
    }
    const queued = waits.filter((wait) => wait !== undefined);
    expect(queued).toHaveLength(1);
    // It waited for the other answer, which took at least its scripted latency.
    expect(queued[0]).toBeGreaterThan(100);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toContain('pareto_router_upstream_queue_wait_seconds_count{upstream="openai"} 1');
    expect(metrics).toMatch(/pareto_router_upstream_connections\{upstream="openai"\} 1/);
    expect(metrics).toContain('pareto_router_upstream_queued_calls{upstream="openai"} 0');
  });
});

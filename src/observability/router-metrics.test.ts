import { describe, expect, it } from 'vitest';
import { type RequestObservation, RouterMetrics } from './router-metrics.js';

function observation(overrides: Partial<RequestObservation> = {}): RequestObservation {
  return {
    routerModel: 'openrouter/pareto-code',
    tier: 'high',
    servedModel: 'anthropic/claude-sonnet-4.5',
    upstream: 'openrouter',
    status: 200,
    streamed: true,
    latencySeconds: 2.4,
    timeToFirstTokenSeconds: 0.42,
    overheadSeconds: 0.0003,
    promptTokens: 1200,
    completionTokens: 300,
    cachedTokens: 1000,
    reasoningTokens: 50,
    costUsd: 0.0123,
    ...overrides,
  };
}

function metrics(): RouterMetrics {
  return new RouterMetrics({
    knownModels: ['anthropic/claude-sonnet-4.5', 'qwen/qwen3-coder'],
    knownUpstreams: ['openrouter', 'local'],
    defaultMetrics: false,
  });
}

/** The value of one series line, by its exact name and labels as rendered. */
function seriesValue(body: string, series: string): number | undefined {
  const line = body.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('RouterMetrics', () => {
  it('renders the request, latency, token and cost series after an observation', async () => {
    const subject = metrics();
    subject.observeRequest(observation());
    subject.observeRequest(observation({ streamed: false, routerModel: 'pareto-code@2025-06:nitro' }));
    const { contentType, body } = await subject.render();
    expect(contentType).toContain('text/plain');
    expect(
      seriesValue(
        body,
        'pareto_router_requests_total{router_model="pareto-code",tier="high",served_model="anthropic/claude-sonnet-4.5",upstream="openrouter",status="200",streamed="true",ingress="chat"}',
      ),
    ).toBe(1);
    expect(
      seriesValue(
        body,
        'pareto_router_requests_total{router_model="pareto-code:nitro",tier="high",served_model="anthropic/claude-sonnet-4.5",upstream="openrouter",status="200",streamed="false",ingress="chat"}',
      ),
    ).toBe(1);
    const model = 'served_model="anthropic/claude-sonnet-4.5"';
    expect(seriesValue(body, `pareto_router_tokens_total{${model},ingress="chat",kind="prompt"}`)).toBe(2400);
    expect(seriesValue(body, `pareto_router_tokens_total{${model},ingress="chat",kind="completion"}`)).toBe(
      600,
    );
    expect(seriesValue(body, `pareto_router_tokens_total{${model},ingress="chat",kind="cached"}`)).toBe(2000);
    expect(seriesValue(body, `pareto_router_tokens_total{${model},ingress="chat",kind="reasoning"}`)).toBe(
      100,
    );
    expect(seriesValue(body, `pareto_router_cost_usd_total{${model}}`)).toBeCloseTo(0.0246, 10);
    expect(
      seriesValue(body, `pareto_router_request_duration_seconds_bucket{le="2",${model},streamed="true"}`),
    ).toBe(0);
    expect(
      seriesValue(body, `pareto_router_request_duration_seconds_bucket{le="4",${model},streamed="true"}`),
    ).toBe(1);
    expect(seriesValue(body, `pareto_router_time_to_first_token_seconds_count{${model}}`)).toBe(2);
    expect(seriesValue(body, `pareto_router_time_to_first_token_seconds_bucket{le="0.5",${model}}`)).toBe(2);
    // Overhead buckets resolve fractions of a millisecond.
    expect(seriesValue(body, 'pareto_router_overhead_seconds_bucket{le="0.00025",streamed="true"}')).toBe(0);
    expect(seriesValue(body, 'pareto_router_overhead_seconds_bucket{le="0.0005",streamed="true"}')).toBe(1);
  });

  it('counts tokens per ingress protocol, so a cache hit rate can be read per model and protocol', async () => {
    const subject = metrics();
    subject.observeRequest(observation({ ingress: 'messages', cachedTokens: 700 }));
    subject.observeRequest(observation({ ingress: 'made-up', cachedTokens: 5 }));
    const { body } = await subject.render();
    const model = 'served_model="anthropic/claude-sonnet-4.5"';
    expect(seriesValue(body, `pareto_router_tokens_total{${model},ingress="messages",kind="cached"}`)).toBe(
      700,
    );
    expect(seriesValue(body, `pareto_router_tokens_total{${model},ingress="other",kind="cached"}`)).toBe(5);
    expect(body).not.toContain('made-up');
  });

  it('bounds every label: unknown models, upstreams, tiers, statuses and reasons become "other"', async () => {
    const subject = metrics();
    subject.observeRequest(
      observation({
        routerModel: 'some-other-router',
        tier: 'ultra',
        servedModel: 'made-up/model-123',
        upstream: 'attacker.example',
        status: 1234,
      }),
    );
    subject.observeRequest(
      observation({ routerModel: null, tier: null, servedModel: null, upstream: null, status: 502 }),
    );
    subject.observeFallback('made-up/model-123', 'something weird');
    subject.observeFallback('qwen/qwen3-coder', 'upstream_timeout_first_byte');
    const { body } = await subject.render();
    expect(body).not.toContain('made-up/model-123');
    expect(body).not.toContain('attacker.example');
    expect(body).not.toContain('ultra');
    expect(
      seriesValue(
        body,
        'pareto_router_requests_total{router_model="other",tier="other",served_model="other",upstream="other",status="other",streamed="true",ingress="chat"}',
      ),
    ).toBe(1);
    expect(
      seriesValue(
        body,
        'pareto_router_requests_total{router_model="none",tier="none",served_model="none",upstream="none",status="502",streamed="true",ingress="chat"}',
      ),
    ).toBe(1);
    expect(seriesValue(body, 'pareto_router_fallbacks_total{from_model="other",reason="other"}')).toBe(1);
    expect(
      seriesValue(
        body,
        'pareto_router_fallbacks_total{from_model="qwen/qwen3-coder",reason="upstream_timeout_first_byte"}',
      ),
    ).toBe(1);
  });

  it('accepts new model ids after an index refresh', async () => {
    const subject = metrics();
    subject.setKnownModels(['openai/gpt-5']);
    subject.observeRequest(observation({ servedModel: 'openai/gpt-5' }));
    const { body } = await subject.render();
    expect(seriesValue(body, 'pareto_router_cost_usd_total{served_model="openai/gpt-5"}')).toBeCloseTo(
      0.0123,
      10,
    );
  });

  it('ignores figures that cannot be counted instead of throwing', async () => {
    const subject = metrics();
    expect(() =>
      subject.observeRequest(
        observation({ promptTokens: -5, costUsd: Number.NaN, latencySeconds: Number.POSITIVE_INFINITY }),
      ),
    ).not.toThrow();
    const { body } = await subject.render();
    expect(
      seriesValue(
        body,
        'pareto_router_tokens_total{served_model="anthropic/claude-sonnet-4.5",kind="prompt"}',
      ),
    ).toBe(undefined);
  });

  it('replaces circuit states per model and upstream, showing the worst state for unknown models', async () => {
    const subject = metrics();
    subject.setCircuitStates([
      { modelId: 'qwen/qwen3-coder', upstream: 'openrouter', state: 'open' },
      { modelId: 'qwen/qwen3-coder', upstream: 'local', state: 'closed' },
      { modelId: 'anthropic/claude-sonnet-4.5', upstream: 'local', state: 'half_open' },
      { modelId: 'x/one', upstream: 'openrouter', state: 'closed' },
      { modelId: 'x/two', upstream: 'openrouter', state: 'open' },
    ]);
    const series = (model: string, upstream: string) =>
      `pareto_router_circuit_state{model="${model}",upstream="${upstream}"}`;
    let { body } = await subject.render();
    expect(seriesValue(body, series('qwen/qwen3-coder', 'openrouter'))).toBe(2);
    expect(seriesValue(body, series('qwen/qwen3-coder', 'local'))).toBe(0);
    expect(seriesValue(body, series('anthropic/claude-sonnet-4.5', 'local'))).toBe(1);
    expect(seriesValue(body, series('other', 'openrouter'))).toBe(2);
    subject.setCircuitStates([{ modelId: 'qwen/qwen3-coder', upstream: 'openrouter', state: 'closed' }]);
    ({ body } = await subject.render());
    expect(seriesValue(body, series('qwen/qwen3-coder', 'openrouter'))).toBe(0);
    expect(seriesValue(body, series('qwen/qwen3-coder', 'local'))).toBeUndefined();
    expect(seriesValue(body, series('anthropic/claude-sonnet-4.5', 'local'))).toBeUndefined();
  });

  it('reports the log buffer depth and counts drops from a cumulative total', async () => {
    const subject = metrics();
    subject.setLogBuffer(12, 3);
    subject.setLogBuffer(4, 3);
    subject.setLogBuffer(7, 10);
    const { body } = await subject.render();
    expect(seriesValue(body, 'pareto_router_request_log_buffer_depth')).toBe(7);
    expect(seriesValue(body, 'pareto_router_request_log_dropped_total')).toBe(10);
  });

  it('reads the upstream pool gauges when scraped and records queue waits, with bounded labels', async () => {
    const subject = new RouterMetrics({ knownUpstreams: ['openrouter'], defaultMetrics: false });
    let queued = 3;
    subject.setUpstreamPoolSource(() => [
      { upstream: 'openrouter', queued, connected: 8 },
      { upstream: 'somewhere-else', queued: 1, connected: 2 },
    ]);
    subject.observeUpstreamQueueWait('openrouter', 0.2);
    subject.observeUpstreamQueueWait('openrouter', Number.NaN);
    let { body } = await subject.render();
    expect(body).toContain('pareto_router_upstream_queued_calls{upstream="openrouter"} 3');
    expect(body).toContain('pareto_router_upstream_queued_calls{upstream="other"} 1');
    expect(body).toContain('pareto_router_upstream_connections{upstream="openrouter"} 8');
    expect(body).toContain('pareto_router_upstream_queue_wait_seconds_count{upstream="openrouter"} 1');
    expect(body).toContain(
      'pareto_router_upstream_queue_wait_seconds_bucket{le="0.25",upstream="openrouter"} 1',
    );
    queued = 0;
    ({ body } = await subject.render());
    expect(body).toContain('pareto_router_upstream_queued_calls{upstream="openrouter"} 0');
  });

  it('adds process metrics on its own registry, and two instances do not collide', async () => {
    const first = new RouterMetrics();
    const second = new RouterMetrics();
    first.observeRequest(observation());
    const [one, two] = await Promise.all([first.render(), second.render()]);
    expect(one.body).toContain('process_cpu_user_seconds_total');
    expect(one.body).toContain('nodejs_eventloop_lag_seconds');
    expect(two.body).toContain('process_cpu_user_seconds_total');
    expect(one.body).toContain('pareto_router_requests_total{');
    expect(two.body).not.toContain('pareto_router_requests_total{');
  });
});

/**
 * Routing through the whole gateway: the hosted router's max_price and price_source, the routing
 * metadata a caller can ask for, and the order in which the executor walks a plan.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeRequestRecord } from '../store/test-support/request-store.case.js';
import {
  type GatewayFixture,
  postChat,
  postChatStream,
  startGateway,
  userMessage,
} from './test-support/gateway-fixture.js';

let gateway: GatewayFixture;

beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway.close();
});
beforeEach(() => {
  gateway.mock.reset();
});

// Each request is its own conversation, so a sticky session from one never steers the next.
let conversation = 0;
const routed = (plugin: Record<string, unknown> = {}) => ({
  model: 'openrouter/pareto-code',
  messages: [{ role: 'user', content: `Write a function that reverses a string. (#${++conversation})` }],
  plugins: [{ id: 'pareto-router', ...plugin }],
});

async function explain(query: string): Promise<any> {
  const response = await fetch(`${gateway.url}/api/v1/router/explain?${query}`);
  expect(response.status).toBe(200);
  return response.json();
}

describe('max_price as the hosted router defines it', () => {
  it('routes to the best-scoring model whose input price is at or under the cap, whatever the bar', async () => {
    // Input prices: alpha $1 (0.778), beta $2 (0.889), gamma $3 (1), delta $4, mid-* $0.5-0.7, low-* $0.1-0.3.
    const response = await postChat(gateway.url, routed({ max_price: 1, min_coding_score: 0.1 }));
    expect(response.status).toBe(200);
    expect(response.json.model).toBe('lab/alpha');
    expect(response.headers.get('x-pareto-tier')).toBe('none');
    expect(response.headers.get('x-pareto-warnings')).toBe(
      'min_coding_score and tier are not used when max_price is set',
    );
    const plan = await explain('max_price=1');
    expect(plan.tier).toBeNull();
    expect(plan.candidates.map((candidate: any) => candidate.modelId)).toEqual([
      'lab/alpha',
      'lab/mid-c',
      'lab/mid-b',
      'lab/mid-a',
      'lab/low-c',
      'lab/low-b',
    ]);
  });

  it('explains a model left out as dominated, naming the cheapest model that beats it', async () => {
    // Under $4 of input the frontier, best first, is gamma, beta, alpha, mid-c, mid-b, mid-a: six. delta
    // ($4, 0.667) is beaten by alpha ($1, 0.778).
    const plan = await explain('max_price=4');
    expect(plan.candidates).toHaveLength(6);
    expect(plan.decisions.find((decision: any) => decision.modelId === 'lab/delta')).toMatchObject({
      kept: false,
      reason: 'dominated',
      detail: 'dominated by lab/alpha (better and cheaper)',
    });
  });

  it('answers 404 when no model is priced at or under the cap', async () => {
    const response = await postChat(gateway.url, routed({ max_price: 0.05 }));
    expect(response.status).toBe(404);
    expect(response.json.error.metadata).toMatchObject({ error_code: 'no_candidate', max_price: 0.05 });
    expect(response.json.error.message).toMatch(
      /^no model priced at or below max_price \$0\.05\/M of input fits the request: 10 over_max_price \(e\.g\. input price \$1\/M > max_price \$0\.05\/M\)$/,
    );
  });

  it('keeps the blended and per-direction caps inside the tier under their own names', async () => {
    const plan = await explain('min_coding_score=0.8&max_blended_price=4');
    expect(plan.tier).toBe('high');
    expect(plan.candidates.map((candidate: any) => candidate.modelId)).toEqual([
      'lab/alpha',
      'lab/beta',
      'lab/mid-c',
      'lab/mid-b',
      'lab/mid-a',
    ]);
    const gamma = plan.decisions.find((decision: any) => decision.modelId === 'lab/gamma');
    expect(gamma.detail).toBe('blended price $5.25/M > max_blended_price $4/M');
    const response = await postChat(gateway.url, routed({ max_prompt_price: 1.5 }));
    expect(response.json.model).toBe('lab/alpha');
  });

  it('with price_source weighted_avg, caps and ranks by the input price measured from the request log', async () => {
    // beta: $2 input, $0.2 cache reads. 95% of its logged prompt tokens were cache reads:
    // (500 * 2 + 9,500 * 0.2) / 10,000 = $0.29 per million.
    const now = Date.now();
    await gateway.router.app.ops.store.insertRequests([
      makeRequestRecord({
        id: 'gen-weighted-1',
        createdAt: now - 3_600_000,
        model: 'lab/beta',
        promptTokens: 10_000,
        cachedTokens: 9_500,
        cacheWriteTokens: 0,
      }),
    ]);
    await gateway.router.app.inputPrices.refresh(now);

    const measured = await postChat(gateway.url, routed({ max_price: 0.5, price_source: 'weighted_avg' }));
    expect(measured.json.model).toBe('lab/beta');
    const listed = await postChat(gateway.url, routed({ max_price: 0.5, price_source: 'prompt' }));
    expect(listed.json.model).toBe('lab/mid-a');

    const plan = await explain('max_price=0.5&price_source=weighted_avg');
    expect(plan.candidates[0]).toMatchObject({ modelId: 'lab/beta', inputPriceSource: 'measured' });
    expect(plan.candidates[0].inputPrice).toBeCloseTo(0.29, 12);
    // Cheaper frontier models follow (low-b, low-a); mid-a, now beaten by beta, comes after them.
    expect(plan.candidates.map((candidate: any) => candidate.modelId)).toEqual([
      'lab/beta',
      'lab/low-b',
      'lab/low-a',
      'lab/mid-a',
      'lab/low-c',
    ]);
    expect(plan.candidates[1]).toMatchObject({ inputPrice: 0.2, inputPriceSource: 'list' });
    const midA = plan.decisions.find((decision: any) => decision.modelId === 'lab/mid-a');
    expect(midA.reason).toBe('candidate');
  });
});

describe('routing metadata on request', () => {
  it('rides on the last chunk of a stream, before [DONE], and only when asked for', async () => {
    const asked = await postChatStream(gateway.url, routed({ min_coding_score: 0.5 }), {
      'x-openrouter-metadata': 'enabled',
    });
    expect(asked.done).toBe(true);
    const last = asked.chunks.at(-1);
    expect(last.usage).toBeDefined();
    expect(last.openrouter_metadata).toMatchObject({
      requested: 'openrouter/pareto-code',
      strategy: 'pareto',
      params: { quality_floor: 0.5 },
    });
    const stage = last.openrouter_metadata.pipeline[0];
    expect(stage.data).toMatchObject({ rule: 'pareto', tier: 'medium', stepped_to: null });
    expect(stage.data.dropped.find((model: any) => model.model === 'lab/low-a').reason).toBe('other_tier');
    expect(asked.chunks.slice(0, -1).some((chunk) => 'openrouter_metadata' in chunk)).toBe(false);

    const plain = await postChatStream(gateway.url, routed({ min_coding_score: 0.5 }));
    expect(plain.chunks.some((chunk) => 'openrouter_metadata' in chunk)).toBe(false);
  });

  it('carries the warnings, and says how a concrete model was served', async () => {
    const response = await postChat(
      gateway.url,
      {
        model: 'lab/beta',
        models: ['lab/gamma'],
        messages: userMessage,
        plugins: [{ id: 'pareto-router', min_coding_scroe: 0.2 }],
      },
      { 'x-openrouter-metadata': 'enabled' },
    );
    expect(response.status).toBe(200);
    const metadata = response.json.openrouter_metadata;
    expect(metadata).toMatchObject({ requested: 'lab/beta', strategy: 'fallback', attempt: 1 });
    expect(metadata.pipeline[0].data.warnings).toEqual([
      'plugins[0].min_coding_scroe is not a pareto-router field and was ignored (did you mean min_coding_score?)',
      'the pareto-router plugin applies only to router models; lab/beta is not routed',
    ]);
    expect(response.headers.get('x-pareto-warnings')).toContain('min_coding_scroe');
  });
});

describe('the executor walks the plan in order', () => {
  it('runs a fallback only after every candidate before it failed (property)', async () => {
    const plan = await explain('min_coding_score=0.8');
    const order: string[] = plan.candidates.map((candidate: any) => candidate.modelId.slice('lab/'.length));
    expect(order).toEqual(['alpha', 'beta', 'gamma', 'delta', 'mid-c', 'mid-b']);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('answers', 'fails', 'resets'), {
          minLength: order.length,
          maxLength: order.length,
        }),
        async (fates) => {
          gateway.mock.reset();
          order.forEach((model, position) => {
            const fate = fates[position];
            if (fate === 'fails') {
              gateway.mock.script(model, { faults: [{ type: 'status', status: 503 }], repeatFault: true });
            } else if (fate === 'resets') {
              gateway.mock.script(model, { faults: [{ type: 'reset' }], repeatFault: true });
            }
          });
          const response = await postChat(gateway.url, routed({ min_coding_score: 0.8 }));
          const answering = fates.indexOf('answers');
          const reached = gateway.mock.requests().map((request) => request.model);
          const expected = answering < 0 ? order : order.slice(0, answering + 1);
          // Each candidate is tried (once, as neither fault is retried on the same model), in plan order,
          // and nothing after the one that answers.
          expect(reached).toEqual(expected);
          expect(response.status).toBe(answering < 0 ? 502 : 200);
          if (answering >= 0) expect(response.json.model).toBe(`lab/${order[answering]}`);
        },
      ),
      { numRuns: 15 },
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, postChat, startGateway } from '../server/test-support/gateway-fixture.js';
import { createApiKeyRecord } from '../store/api-key.js';
import type { RequestRecord } from '../store/request-record.js';

const masterKey = 'dashboard-master-key-0123456789abcdef';

async function getJson(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: JSON.parse(text) as any };
}

describe('dashboard endpoints (open on loopback)', () => {
  let gateway: GatewayFixture;
  let api: string;

  beforeAll(async () => {
    gateway = await startGateway();
    api = `${gateway.url}/api/v1/dashboard`;
    for (const score of [undefined, 0.5, 0.1, 0.5]) {
      const plugins = score === undefined ? [] : [{ id: 'pareto-router', min_coding_score: score }];
      const result = await postChat(gateway.url, {
        model: 'pareto-code',
        plugins,
        messages: [{ role: 'user', content: 'hello' }],
        user: 'session-one',
      });
      expect(result.status).toBe(200);
    }
    await gateway.router.app.ops.logWriter.flush();
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('serves the page at GET / and answers HEAD / with 200 for probing clients', async () => {
    const page = await fetch(`${gateway.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('/dashboard/echarts.min.js');
    const head = await fetch(`${gateway.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    // A POST that is not JSON is refused at the edge (415) before routing; a JSON one reaches the page's 405.
    expect((await fetch(`${gateway.url}/`, { method: 'POST' })).status).toBe(415);
    const jsonPost = await fetch(`${gateway.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(jsonPost.status).toBe(405);
  });

  it('serves the charting library and the page script from the installed packages, gzipped on request', async () => {
    const library = await fetch(`${gateway.url}/dashboard/echarts.min.js`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(library.status).toBe(200);
    expect(library.headers.get('content-type')).toMatch(/javascript/);
    expect(await library.text()).toContain('echarts');
    expect((await fetch(`${gateway.url}/dashboard/dashboard.js`)).status).toBe(200);
    const missing = await getJson(`${gateway.url}/dashboard/../package.json`);
    expect(missing.status).toBe(404);
  });

  it('frontier: one point per benchmarked shortlist model, tier picks from route(), the chart spec', async () => {
    const { status, json } = await getJson(`${api}/frontier`);
    expect(status).toBe(200);
    expect(json.points).toHaveLength(10);
    expect(json.picks.high).toBe('lab/alpha');
    expect(json.picks.medium).toBe('lab/mid-a');
    expect(json.points.every((point: any) => point.available)).toBe(true);
    const explain = await getJson(`${gateway.url}/api/v1/router/explain?min_coding_score=0.1`);
    expect(json.picks.low).toBe(explain.json.candidates[0].modelId);
    const seriesIds = json.chart.series.map((series: any) => series.id);
    expect(seriesIds).toEqual(
      expect.arrayContaining(['frontier', 'picks', 'min-coding-score', 'tier-bands']),
    );
  });

  it('traffic: buckets per model and tier, totals, the high-tier counterfactual and fallbacks', async () => {
    const { status, json } = await getJson(`${api}/traffic?window=1h`);
    expect(status).toBe(200);
    expect(json.window).toMatchObject({ name: '1h', bucket_ms: 60_000 });
    expect(json.totals.requests).toBe(4);
    expect(json.high_tier_model).toBe('lab/alpha');
    expect(json.by_tier.map((row: any) => row.tier).sort()).toEqual(['high', 'low', 'medium']);
    // The medium and low calls were cheaper than the high tier's model would have been.
    expect(json.totals.high_tier_cost_usd).toBeGreaterThan(json.totals.cost_usd);
    expect(json.totals.saving_usd).toBeCloseTo(json.totals.high_tier_cost_usd - json.totals.cost_usd, 12);
    expect(json.fallbacks).toEqual({ requests: 0, reasons: [] });
    expect((await getJson(`${api}/traffic?window=2y`)).status).toBe(400);
  });

  it('performance: latency and first-token percentiles per model, throughput nitro uses', async () => {
    const { status, json } = await getJson(`${api}/performance`);
    expect(status).toBe(200);
    const models = json.latency.map((row: any) => row.model).sort();
    expect(models).toEqual(['lab/alpha', 'lab/low-a', 'lab/mid-a']);
    for (const row of json.latency) expect(row.latency_p95_ms).toBeGreaterThanOrEqual(row.latency_p50_ms);
    expect(json.throughput.find((row: any) => row.model === 'lab/alpha')).toMatchObject({
      reference_tokens_per_second: 90,
      used_by_nitro: 'reference',
    });
  });

  it('cache: hit rate per model and per ingress, sticky hits and misses', async () => {
    const { status, json } = await getJson(`${api}/cache`);
    expect(status).toBe(200);
    expect(json.by_ingress.map((row: any) => row.ingress)).toEqual(['chat']);
    expect(json.by_model).toHaveLength(3);
    // One session: the first call starts it, the second moves to medium (a miss), the third to low (a
    // miss), the fourth back to medium (a miss again).
    expect(json.sticky.hits + json.sticky.misses).toBe(3);
  });

  it('requests: newest first with a bounded limit, and one full record', async () => {
    const list = await getJson(`${api}/requests?limit=2`);
    expect(list.status).toBe(200);
    expect(list.json.data).toHaveLength(2);
    const [newest, older] = list.json.data;
    expect(newest.created_at).toBeGreaterThanOrEqual(older.created_at);
    const record = await getJson(`${api}/requests/${encodeURIComponent(newest.id)}`);
    expect(record.status).toBe(200);
    expect(record.json.data.id).toBe(newest.id);
    expect(record.json.data.settings.ingress).toBe('chat');
    expect((await getJson(`${api}/requests/gen-missing`)).status).toBe(404);
    expect((await getJson(`${api}/requests?limit=100000`)).status).toBe(400);
  });

  it('keys: empty in open mode; snapshot: the active one, with no older one to compare', async () => {
    const keys = await getJson(`${api}/keys`);
    expect(keys.json).toEqual({ data: [] });
    const snapshot = await getJson(`${api}/snapshot`);
    expect(snapshot.json.active).toMatchObject({ version: '2026-11', shortlist: 10 });
    expect(snapshot.json.diff).toBeNull();
  });

  it('answers an unknown dashboard endpoint with the error envelope', async () => {
    const { status, json } = await getJson(`${api}/nothing`);
    expect(status).toBe(404);
    expect(json.error.message).toContain('no dashboard endpoint');
  });
});

describe('dashboard with a master key', () => {
  let gateway: GatewayFixture;
  let api: string;

  beforeAll(async () => {
    gateway = await startGateway({ masterKey });
    api = `${gateway.url}/api/v1/dashboard`;
  });
  afterAll(async () => {
    await gateway.close();
  });

  const endpoints = [
    'frontier',
    'traffic',
    'performance',
    'cache',
    'requests',
    'requests/gen-x',
    'keys',
    'snapshot',
  ];

  it.each(endpoints)('refuses %s without a session', async (endpoint) => {
    const { status, json } = await getJson(`${api}/${endpoint}`);
    expect(status).toBe(401);
    expect(json.error.message).toContain('sign in');
  });

  it('signs in with the key in a JSON body, sets an HttpOnly SameSite=Strict cookie, and logs out', async () => {
    expect((await getJson(`${api}/session`)).json).toEqual({ sign_in_required: true, signed_in: false });
    const wrong = await fetch(`${api}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'not-the-key' }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const form = await fetch(`${api}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `key=${masterKey}`,
    });
    expect(form.status).toBe(415);
    const signIn = await fetch(`${api}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: masterKey }),
    });
    expect(signIn.status).toBe(200);
    const setCookie = signIn.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(masterKey);
    const cookie = setCookie.split(';')[0] ?? '';
    for (const endpoint of endpoints.filter((entry) => entry !== 'requests/gen-x')) {
      expect((await getJson(`${api}/${endpoint}`, { cookie })).status).toBe(200);
    }
    expect((await getJson(`${api}/session`, { cookie })).json.signed_in).toBe(true);
    const logout = await fetch(`${api}/session`, { method: 'DELETE', headers: { cookie } });
    expect(logout.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await getJson(`${api}/frontier`, { cookie })).status).toBe(401);
  });

  it('still serves the page and HEAD / without a session (they hold no data)', async () => {
    expect((await fetch(`${gateway.url}/`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/`, { method: 'HEAD' })).status).toBe(200);
  });
});

describe('dashboard over a log of 100,000 requests', () => {
  let gateway: GatewayFixture;
  let api: string;
  const total = 100_000;

  beforeAll(async () => {
    gateway = await startGateway();
    api = `${gateway.url}/api/v1/dashboard`;
    const now = Date.now();
    const models = ['lab/alpha', 'lab/beta', 'lab/mid-a', 'lab/mid-b', 'lab/low-a', 'lab/low-c'];
    const tiers = ['high', 'high', 'medium', 'medium', 'low', 'low'];
    const ingresses = ['chat', 'messages', 'responses', 'gemini'];
    const batch: RequestRecord[] = [];
    for (let position = 0; position < total; position += 1) {
      const which = position % models.length;
      const model = models[which] as string;
      batch.push({
        id: `gen-seed-${position}`,
        // Spread over the last 23 hours, so all fall inside the 24h window.
        createdAt: now - Math.floor((position / total) * 23 * 3_600_000),
        keyId: null,
        requestedModel: 'pareto-code',
        settings: { ingress: ingresses[position % 4], sticky: position % 3 === 0 ? 'miss' : 'hit' },
        tier: tiers[which] as string,
        attempts:
          position % 10 === 0
            ? [
                {
                  model: 'lab/gamma',
                  upstream: 'gemini',
                  status: 503,
                  errorCode: 'upstream_server_error',
                  durationMs: 3,
                },
                { model, upstream: 'openai', status: 200, errorCode: null, durationMs: 20 },
              ]
            : [{ model, upstream: 'openai', status: 200, errorCode: null, durationMs: 20 }],
        model,
        upstream: 'openai',
        promptTokens: 1000,
        completionTokens: 100,
        cachedTokens: Math.floor(position / models.length) % 2 === 0 ? 500 : 0,
        cacheWriteTokens: 0,
        reasoningTokens: 0,
        costUsd: 0.001,
        latencyMs: 100 + (position % 100),
        timeToFirstTokenMs: 50,
        outputTokensPerSecond: 80,
        sessionHash: null,
        finishReason: 'stop',
        streamed: true,
        status: 200,
        errorCode: null,
      });
      if (batch.length === 5000) await gateway.router.app.ops.store.insertRequests(batch.splice(0));
    }
  }, 120_000);
  afterAll(async () => {
    await gateway.close();
  });

  it('every endpoint answers with a bounded payload, the totals counted by the store', async () => {
    const sizes: Record<string, number> = {};
    for (const endpoint of ['traffic', 'performance', 'cache', 'requests', 'frontier', 'keys', 'snapshot']) {
      const started = performance.now();
      const { status, text } = await getJson(`${api}/${endpoint}`);
      if (process.env.DASHBOARD_TIMINGS === '1')
        console.log(endpoint, Math.round(performance.now() - started), 'ms', text.length, 'bytes');
      expect(status, endpoint).toBe(200);
      sizes[endpoint] = text.length;
      expect(text.length, endpoint).toBeLessThan(256 * 1024);
    }
    const traffic = (await getJson(`${api}/traffic`)).json;
    expect(traffic.totals.requests).toBe(total);
    expect(traffic.buckets.length).toBeLessThanOrEqual(48 * 6);
    expect(traffic.fallbacks.requests).toBe(total / 10);
    const cache = (await getJson(`${api}/cache`)).json;
    expect(cache.by_ingress.map((row: any) => row.ingress)).toEqual([
      'chat',
      'gemini',
      'messages',
      'responses',
    ]);
    // Every other request of each model read half its prompt from the cache.
    for (const row of cache.by_model) expect(row.hit_rate).toBeCloseTo(0.25, 3);
    expect(cache.sticky.hits + cache.sticky.misses).toBe(total);
    const latency = (await getJson(`${api}/performance`)).json;
    expect(latency.latency).toHaveLength(6);
    expect((await getJson(`${api}/requests`)).json.data).toHaveLength(50);
  }, 60_000);
});

describe('dashboard with gateway keys and no master key', () => {
  it('is closed, as the API is, once a key exists; open before', async () => {
    const gateway = await startGateway();
    try {
      const api = `${gateway.url}/api/v1/dashboard`;
      expect((await getJson(`${api}/keys`)).status).toBe(200);
      await gateway.router.app.ops.store.createKey(createApiKeyRecord({ name: 'ci' }, Date.now()).record);
      // Keys made by the CLI reach a running router after its cache time; the test does not wait for it.
      gateway.router.app.ops.authenticator.clear();
      for (const path of ['keys', 'requests', 'traffic', 'frontier']) {
        const answer = await getJson(`${api}/${path}`);
        expect(answer.status, path).toBe(403);
        expect(answer.text).toContain('PARETO_ROUTER_MASTER_KEY');
      }
    } finally {
      await gateway.close();
    }
  });

  it('answers a malformed request id with 400', async () => {
    const gateway = await startGateway();
    try {
      expect((await getJson(`${gateway.url}/api/v1/dashboard/requests/%E0%A4%A`)).status).toBe(400);
    } finally {
      await gateway.close();
    }
  });
});

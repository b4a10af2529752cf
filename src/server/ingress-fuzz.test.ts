/**
 * Property-based fuzzing of every ingress the router serves (chat completions, Anthropic Messages, OpenAI
 * Responses, Gemini) over real sockets, with the healthy fake upstream behind it. Bodies are valid
 * requests with fields replaced by arbitrary JSON, odd model ids, deep nesting, or bytes flipped in the
 * text; headers vary in content type, keys and session ids. Properties: never a 5xx, every error in the
 * envelope, no error event inside a 200 (the upstream is healthy, so one would be the router's own
 * fault), and the router serves an ordinary call to the same model afterwards.
 *
 * About 2,000 cases a run; `npm run fuzz` runs 100,000. FUZZ_RUNS and FUZZ_SEED override both; the seed
 * is printed so a failure can be replayed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLearnedTimeouts } from '../config/router-config.js';
import { type GatewayFixture, startGateway } from './test-support/gateway-fixture.js';

const runs = Number(process.env.FUZZ_RUNS ?? 2_000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);

type Ingress = 'chat' | 'messages' | 'responses' | 'gemini';

const validBodies: Record<Ingress, () => Record<string, unknown>> = {
  chat: () => ({
    model: 'openrouter/pareto-code',
    messages: [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'Write a function that reverses a string.' },
    ],
    plugins: [{ id: 'pareto-router', min_coding_score: 0.9 }],
    tools: [
      {
        type: 'function',
        function: {
          name: 'read_file',
          parameters: { type: 'object', properties: { path: { type: 'string' } } },
        },
      },
    ],
    tool_choice: 'none',
    max_tokens: 200,
  }),
  messages: () => ({
    model: 'lab/beta',
    max_tokens: 200,
    system: 'be brief',
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Write a function that reverses a string.' }] },
    ],
  }),
  responses: () => ({
    model: 'lab/alpha',
    instructions: 'be brief',
    input: [{ role: 'user', content: [{ type: 'input_text', text: 'Write a function.' }] }],
    max_output_tokens: 200,
  }),
  gemini: () => ({
    systemInstruction: { parts: [{ text: 'be brief' }] },
    contents: [{ role: 'user', parts: [{ text: 'Write a function that reverses a string.' }] }],
    generationConfig: { maxOutputTokens: 200 },
  }),
};

const nastyStrings = [
  '',
  ' ',
  '😀/🤖',
  'foo\r\nx-injected: 1',
  '\u0000',
  '\ud800',
  '日本語',
  'openrouter/pareto-code\u202e',
  '../..',
  '%s%n',
  'a'.repeat(10_000),
  'openrouter/pareto-code:nitro',
  'pareto-code@1999-01',
  'lab/alpha',
  'anthropic/*',
];

const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(...nastyStrings, null, true, 0, -1, 1e308, [], {}),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.jsonValue({ maxDepth: 4 }),
  fc.integer({ min: 1, max: 400 }).map((depth) => nest(depth)),
);

/** `depth` levels of alternating arrays and objects. */
function nest(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level++) value = level % 2 === 0 ? [value] : { a: value };
  return value;
}

/** Every path to a value in a body (keys and indexes), for replacing one of them. */
function pathsOf(value: unknown, prefix: (string | number)[] = [], into: (string | number)[][] = []) {
  into.push(prefix);
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) pathsOf(item, [...prefix, index], into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) pathsOf(item, [...prefix, key], into);
  }
  return into;
}

function replaceAt(body: Record<string, unknown>, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  let cursor: any = body;
  for (const step of path.slice(0, -1)) cursor = cursor[step];
  cursor[path.at(-1) as string | number] = value;
  return body;
}

interface Case {
  ingress: Ingress;
  stream: boolean;
  body: string | Buffer;
  contentType: string;
  headers: Record<string, string>;
  geminiModel: string;
}

const headerValue = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 60,
});

const caseArbitrary: fc.Arbitrary<Case> = fc
  .record({
    ingress: fc.constantFrom<Ingress>('chat', 'messages', 'responses', 'gemini'),
    stream: fc.boolean(),
    mutation: fc.oneof(
      fc.constant({ kind: 'none' as const }),
      fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: nastyValue }),
      fc.record({ kind: fc.constant('model' as const), value: nastyValue }),
      fc.record({
        kind: fc.constant('bytes' as const),
        edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      }),
      fc.record({ kind: fc.constant('whole' as const), value: fc.jsonValue({ maxDepth: 3 }) }),
    ),
    // Mostly JSON, so the cases reach past the content-type check.
    contentType: fc.oneof(
      {
        weight: 9,
        arbitrary: fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'application/vnd.api+json',
        ),
      },
      { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded') },
    ),
    headers: fc.record(
      {
        authorization: headerValue.map((value) => `Bearer ${value}`),
        'x-session-id': headerValue,
        'anthropic-version': headerValue,
        'x-title': headerValue,
      },
      { requiredKeys: [] },
    ),
    geminiModel: fc.oneof(fc.constantFrom('lab/gamma', 'pareto-code', 'nope'), fc.string({ maxLength: 20 })),
  })
  .map(({ ingress, stream, mutation, contentType, headers, geminiModel }) => {
    const body = validBodies[ingress]();
    if (stream && ingress !== 'gemini') body.stream = true;
    let sent: unknown = body;
    let bytes: Buffer | undefined;
    switch (mutation.kind) {
      case 'replace': {
        const paths = pathsOf(body).slice(1);
        sent = replaceAt(body, paths[mutation.pick % paths.length] ?? [], mutation.value);
        break;
      }
      case 'model':
        body.model = mutation.value;
        break;
      case 'bytes': {
        bytes = Buffer.from(JSON.stringify(body));
        for (const [position, byte] of mutation.edits) bytes[position % bytes.length] = byte;
        break;
      }
      case 'whole':
        sent = mutation.value;
        break;
      case 'none':
        break;
    }
    return {
      ingress,
      stream,
      body: bytes ?? JSON.stringify(sent) ?? 'null',
      contentType,
      headers: Object.fromEntries(
        Object.entries(headers).filter(([, value]) => value !== undefined),
      ) as Record<string, string>,
      geminiModel,
    };
  });

function pathOf(testCase: Case): string {
  switch (testCase.ingress) {
    case 'chat':
      return '/api/v1/chat/completions';
    case 'messages':
      return '/v1/messages';
    case 'responses':
      return '/v1/responses';
    case 'gemini': {
      let model: string;
      try {
        model = encodeURIComponent(testCase.geminiModel);
      } catch {
        model = 'lab%2Fgamma';
      }
      return `/v1beta/models/${model}:${testCase.stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
    }
  }
}

/** SSE payloads that report an error (every protocol's in-band error shapes). */
function errorEvents(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('event: error') || line.startsWith('event: response.failed')) found.push(line);
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    try {
      const data = JSON.parse(line.slice(6)) as { error?: unknown; type?: unknown };
      if (data.error !== undefined || data.type === 'error' || data.type === 'response.failed')
        found.push(line);
    } catch {
      found.push(line);
    }
  }
  return found;
}

describe('fuzzing every ingress', () => {
  let gateway: GatewayFixture;
  let modelBefore: string | null;

  // Conversations of their own: a fuzz case that (rightly) made its conversation sticky to a model must
  // not decide where the ordinary calls go.
  const ordinaryCall = (conversation: string) =>
    fetch(`${gateway.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...validBodies.chat(),
        messages: [{ role: 'user', content: `An ordinary call (${conversation}): reverse a string.` }],
      }),
    });

  beforeAll(async () => {
    // Generous stream limits: a pause of the machine is not what this test looks for. Streams arrive
    // whole, so the cases are many, not slow.
    gateway = await startGateway({
      timeouts: {
        firstByteMs: 30_000,
        firstTokenMs: 30_000,
        streamIdleMs: 30_000,
        keepAliveMs: 5_000,
        learned: { ...defaultLearnedTimeouts, enabled: false },
      },
    });
    gateway.mock.script('*', { tokensPerSecond: 0 });
    const before = await ordinaryCall('before');
    expect(before.status).toBe(200);
    modelBefore = before.headers.get('x-pareto-model');
  });
  afterAll(() => gateway?.close());

  it(`answers ${runs} hostile requests without a 5xx, always in the envelope (seed printed)`, async () => {
    console.log(
      `ingress fuzz: ${runs} cases, seed ${seed} (replay with FUZZ_SEED=${seed} FUZZ_RUNS=${runs})`,
    );
    const startedAt = performance.now();
    const counts = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (testCase) => {
        const response = await fetch(`${gateway.url}${pathOf(testCase)}`, {
          method: 'POST',
          headers: { ...testCase.headers, 'content-type': testCase.contentType },
          body: testCase.body,
        });
        const text = await response.text();
        counts.set(response.status, (counts.get(response.status) ?? 0) + 1);
        expect(response.status, text.slice(0, 300)).toBeLessThan(500);
        if (response.status >= 400) {
          const envelope = JSON.parse(text) as { error?: { message?: unknown } } | { error: unknown }[];
          const error = Array.isArray(envelope) ? envelope[0]?.error : envelope.error;
          expect(typeof (error as { message?: unknown } | undefined)?.message, text.slice(0, 300)).toBe(
            'string',
          );
        } else {
          expect(response.status).toBe(200);
          if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
            expect(errorEvents(text), text.slice(0, 300)).toEqual([]);
          }
        }
      }),
      { numRuns: runs, seed, endOnFailure: true },
    );
    const durationS = (performance.now() - startedAt) / 1000;
    const fiveHundreds = [...counts].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
    console.log(
      `ingress fuzz: ${runs} cases in ${durationS.toFixed(1)} s, ${fiveHundreds} 5xx, statuses ${JSON.stringify(Object.fromEntries(counts))}, seed ${seed}`,
    );
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).not.toMatch(/pareto_router_circuit_state\{[^}]*\} 2/);
    const health = await fetch(`${gateway.url}/health`);
    expect(health.status).toBe(200);
    const after = await ordinaryCall('after');
    expect(after.status).toBe(200);
    expect(after.headers.get('x-pareto-model')).toBe(modelBefore);
  }, 1_800_000);
});

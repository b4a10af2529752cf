/**
 * The same-protocol fast path against the general path: two routers, one with the fast path and one with
 * `fastPath: false`, each in front of its own fake upstream running the same script, get the same
 * requests. Answers must say the same (bodies equal up to ids and timestamps; streams the same text,
 * reasoning, tool calls, finish, usage chunk and error chunk), with the same decision headers, the same
 * request-log records (up to ids and timings) and the same costs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelScript } from '../mock-upstream/model-script.js';
import {
  type GatewayFixture,
  postChat,
  postChatStream,
  startGateway,
} from './test-support/gateway-fixture.js';

let fast: GatewayFixture;
let general: GatewayFixture;

beforeAll(async () => {
  [fast, general] = await Promise.all([startGateway({ fastPath: true }), startGateway({ fastPath: false })]);
});
afterAll(async () => {
  await Promise.all([fast.close(), general.close()]);
});

const timing = /(Ms|At|PerSecond|_ms|_at|per_second)$/;
const volatileHeaders = new Set(['x-generation-id', 'x-pareto-overhead-ms', 'date', 'content-length']);

/** A value with ids, timestamps and timings taken out, and object keys in one order. */
function normalised(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalised);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value)
    .filter(([key]) => key !== 'id' && key !== 'created' && !timing.test(key))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return Object.fromEntries(entries.map(([key, inner]) => [key, normalised(inner)]));
}

function decisionHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.startsWith('x-') && !volatileHeaders.has(name)) kept[name] = value;
  });
  return kept;
}

/** What a streamed answer says: its text, reasoning, tool calls, finish, usage and error chunks. */
function streamedAnswer(chunks: any[]) {
  let text = '';
  let reasoning = '';
  let finishReason: unknown = null;
  const toolCalls: Record<number, { id: string; name: string; arguments: string }> = {};
  const names = new Set<string>();
  const closing: unknown[] = [];
  for (const chunk of chunks) {
    names.add(`${chunk.model} / ${chunk.provider} / ${chunk.object}`);
    const choice = chunk.choices?.[0];
    if (chunk.error !== undefined || choice === undefined) {
      closing.push(normalised(chunk));
      continue;
    }
    const delta = choice.delta ?? {};
    text += delta.content ?? '';
    reasoning += delta.reasoning ?? '';
    for (const call of delta.tool_calls ?? []) {
      const entry = toolCalls[call.index] ?? { id: '', name: '', arguments: '' };
      toolCalls[call.index] = entry;
      entry.id += call.id ?? '';
      entry.name += call.function?.name ?? '';
      entry.arguments += call.function?.arguments ?? '';
    }
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
      finishReason = [choice.finish_reason, choice.native_finish_reason];
    }
  }
  // Tool-call ids are the upstream's own, random per call: only their presence is compared.
  const calls = Object.values(toolCalls).map((call) => ({ ...call, id: call.id !== '' }));
  return { text, reasoning, calls, finishReason, names: [...names], closing };
}

async function recordOf(gateway: GatewayFixture, id: string | null) {
  await gateway.router.app.ops.logWriter.flush();
  const record = id === null ? null : await gateway.router.app.ops.store.getRequest(id);
  expect(record).not.toBeNull();
  return normalised(record);
}

let conversation = 0;

interface Case {
  name: string;
  script: ModelScript;
  body?: Record<string, unknown>;
  /** The answer is one the fast path relays (rather than falling back to rendering it). */
  relays?: boolean;
}

/**
 * Whether a body or chunk is the upstream's own text relayed: its members keep the upstream's order
 * (`id`, `object`, ...), where the general path renders `id`, `provider`, `model`, ...
 */
function isRelayed(value: any): boolean {
  return Object.keys(value)[1] === 'object';
}

/** What the upstream was sent: model, path and body of every attempt. */
function upstreamRequests(gateway: GatewayFixture) {
  return gateway.mock.requests().map(({ model, path, body }) => ({ model, path, body }));
}

const tools = [
  {
    type: 'function',
    function: { name: 'read_file', parameters: { type: 'object', properties: { path: { type: 'string' } } } },
  },
];

const cases: Case[] = [
  { name: 'a plain answer', script: { answer: 'def add(a, b):\n    return a + b\n' }, relays: true },
  {
    name: 'reasoning, cached and cache-written tokens',
    script: {
      answer: 'Use a deque.',
      reasoning: 'The caller wants O(1) pops at both ends.',
      usage: {
        promptTokens: 3_000,
        completionTokens: 80,
        cachedTokens: 1_000,
        cacheWriteTokens: 500,
        reasoningTokens: 30,
      },
    },
  },
  {
    name: 'a tool call',
    script: { toolCall: { name: 'read_file', arguments: { path: 'src/index.ts' } } },
    body: { tools, tool_choice: 'auto' },
    relays: true,
  },
  {
    name: 'caller fields the router passes on (and its own it removes)',
    script: { answer: 'ok' },
    body: {
      temperature: 0.2,
      seed: 7,
      max_tokens: 300,
      stop: ['\n\n\n'],
      session_id: 'differential',
      provider: { sort: 'price' },
      plugins: [{ id: 'pareto-router', min_coding_score: 0.9 }, { id: 'web' }],
      metadata: { team: 'core' },
    },
  },
  {
    name: 'a 429 retried on the same model',
    script: { faults: [{ type: 'status', status: 429, retryAfter: '0' }] },
  },
  {
    name: 'a 500 failed over to another model',
    script: { faults: [{ type: 'status', status: 500 }], repeatFault: true },
  },
  { name: 'a reset connection', script: { faults: [{ type: 'reset' }], repeatFault: true } },
  { name: 'a context-window refusal', script: { faults: [{ type: 'context_length_exceeded' }] } },
  { name: 'a content-policy refusal', script: { faults: [{ type: 'content_policy' }] } },
  {
    name: 'a stream cut after content (rescued elsewhere)',
    script: { faults: [{ type: 'cut', afterChunks: 3 }] },
  },
  {
    name: 'an in-stream error after content',
    script: { faults: [{ type: 'midstream_error', afterChunks: 2 }] },
  },
  { name: 'a malformed chunk', script: { faults: [{ type: 'malformed_chunk', atChunk: 2 }] } },
  { name: 'a stream without its terminator', script: { faults: [{ type: 'no_done' }] } },
  { name: 'a truncated body', script: { faults: [{ type: 'truncated_body' }] } },
];

describe.each([false, true])('fast path against general path (stream: %s)', (stream) => {
  it.each(cases)('$name', async ({ script, body, relays }) => {
    conversation += 1;
    const request = {
      model: 'openrouter/pareto-code',
      messages: [{ role: 'user', content: `Write a function that reverses a string. (#${conversation})` }],
      plugins: [{ id: 'pareto-router', min_coding_score: 0.9 }],
      ...body,
    };
    fast.mock.script('alpha', script);
    general.mock.script('alpha', script);
    try {
      if (stream) {
        const [viaFast, viaGeneral] = [
          await postChatStream(fast.url, request),
          await postChatStream(general.url, request),
        ];
        expect(viaFast.status).toBe(viaGeneral.status);
        expect(decisionHeaders(viaFast.headers)).toEqual(decisionHeaders(viaGeneral.headers));
        expect(viaFast.done).toBe(viaGeneral.done);
        expect(viaFast.comments.filter((comment) => comment !== 'PARETO PROCESSING')).toEqual(
          viaGeneral.comments.filter((comment) => comment !== 'PARETO PROCESSING'),
        );
        const answer = streamedAnswer(viaGeneral.chunks);
        // Nothing vacuous: a stream that answered says something.
        if (viaGeneral.status === 200) expect(answer.text.length + answer.calls.length).toBeGreaterThan(0);
        expect(streamedAnswer(viaFast.chunks)).toEqual(streamedAnswer(viaGeneral.chunks));
        if (relays === true) {
          expect(viaFast.chunks.some(isRelayed)).toBe(true);
          expect(viaGeneral.chunks.some(isRelayed)).toBe(false);
        }
        expect(await recordOf(fast, viaFast.headers.get('x-generation-id'))).toEqual(
          await recordOf(general, viaGeneral.headers.get('x-generation-id')),
        );
      } else {
        const [viaFast, viaGeneral] = [
          await postChat(fast.url, request),
          await postChat(general.url, request),
        ];
        expect(viaFast.status).toBe(viaGeneral.status);
        expect(decisionHeaders(viaFast.headers)).toEqual(decisionHeaders(viaGeneral.headers));
        expect(normalised(viaFast.json)).toEqual(normalised(viaGeneral.json));
        if (relays === true) {
          expect(isRelayed(viaFast.json)).toBe(true);
          expect(isRelayed(viaGeneral.json)).toBe(false);
        }
        expect(await recordOf(fast, viaFast.headers.get('x-generation-id'))).toEqual(
          await recordOf(general, viaGeneral.headers.get('x-generation-id')),
        );
      }
      expect(upstreamRequests(fast)).toEqual(upstreamRequests(general));
    } finally {
      fast.mock.reset();
      general.mock.reset();
    }
  });
});

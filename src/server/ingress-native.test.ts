/**
 * The same-protocol path: a Messages call answered by an Anthropic upstream, or a Gemini call answered
 * by a Gemini upstream, goes out as the caller's own body with only the model replaced, so what the
 * canonical form cannot carry (thinking signatures, cache_control on system and tools, beta headers,
 * thought signatures) survives; across protocols the same body is converted and the losses are named.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, startGateway } from './test-support/gateway-fixture.js';
import { postJson, postSse } from './test-support/ingress-clients.js';

let gateway: GatewayFixture;

beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway.close();
});
afterEach(() => {
  gateway.mock.reset();
});

const signature = 'c2lnbmVkLXRoaW5raW5nLWJsb2Nr';

function agentTurn(model: string, stream: boolean) {
  return {
    model,
    max_tokens: 2048,
    stream,
    thinking: { type: 'enabled', budget_tokens: 1024 },
    system: [{ type: 'text', text: 'You are a coding agent.', cache_control: { type: 'ephemeral' } }],
    tools: [
      {
        name: 'Bash',
        description: 'Run a command',
        input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
        cache_control: { type: 'ephemeral' },
      },
    ],
    messages: [
      { role: 'user', content: 'List the files.' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'I should run ls.', signature },
          { type: 'tool_use', id: 'toolu_01', name: 'Bash', input: { command: 'ls' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: 'a.ts\nb.ts' }] },
    ],
  };
}

const headers = { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'interleaved-thinking-2025-05-14' };

describe('Anthropic Messages to an Anthropic upstream', () => {
  it('forwards the caller’s body unconverted, with only the model replaced', async () => {
    gateway.mock.script('beta', { answer: 'Two files.', reasoning: 'Counting.' });
    const body = agentTurn('lab/beta', false);
    const response = await postJson(gateway.url, '/v1/messages', body, headers);
    expect(response.status, response.text).toBe(200);
    const sent = gateway.mock.requests().at(-1);
    expect(sent?.protocol).toBe('anthropic');
    expect(sent?.body).toEqual({ ...body, model: 'beta', stream: false });
    expect(sent?.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
    expect(response.headers.get('x-pareto-warnings')).toBeNull();
    // The upstream's own answer comes back, thinking signature included, naming the router's model.
    expect(response.json.model).toBe('lab/beta');
    expect(response.json.content[0]).toMatchObject({ type: 'thinking', thinking: 'Counting.' });
    expect(response.json.content[0].signature).not.toBe('');
    expect(response.json.content[1]).toEqual({ type: 'text', text: 'Two files.' });
    expect(response.json.usage.cost).toBeGreaterThan(0);
  });

  it('relays the upstream stream, signature deltas included, and adds the cost at the end', async () => {
    gateway.mock.script('beta', { answer: 'Two files.', reasoning: 'Counting.' });
    const response = await postSse(gateway.url, '/v1/messages', agentTurn('lab/beta', true), headers);
    expect(response.status).toBe(200);
    const events = response.messages.map((message) => JSON.parse(message.data));
    expect(events[0]).toMatchObject({ type: 'message_start', message: { model: 'lab/beta' } });
    const signatureDelta = events.find((event) => event.delta?.type === 'signature_delta');
    expect(signatureDelta?.delta.signature).not.toBe('');
    const last = events.at(-1);
    expect(last.type).toBe('message_stop');
    const delta = events.find((event) => event.type === 'message_delta');
    expect(delta.usage.cost).toBeGreaterThan(0);
    expect(delta.delta.stop_reason).toBe('end_turn');
  });

  it('converts for an upstream of another protocol, and names what did not survive', async () => {
    gateway.mock.script('alpha', { answer: 'Two files.' });
    const response = await postJson(gateway.url, '/v1/messages', agentTurn('lab/alpha', false), headers);
    expect(response.status, response.text).toBe(200);
    const sent = gateway.mock.requests().at(-1);
    expect(sent?.protocol).toBe('openai');
    expect((sent?.body as any)?.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'toolu_01' });
    expect(response.headers.get('x-pareto-warnings')).toMatch(/signature/i);
    expect(response.json.content).toEqual([{ type: 'text', text: 'Two files.' }]);
  });

  it('fails over from a native attempt to a converted one before the first byte', async () => {
    const down = {
      faults: [
        { type: 'status', status: 529 },
        { type: 'status', status: 529 },
      ],
    } as const;
    // The plan tries alpha (converted), beta (native), gamma (converted) in price order.
    gateway.mock.script('alpha', { faults: [...down.faults] });
    gateway.mock.script('beta', { faults: [...down.faults] });
    gateway.mock.script('gamma', { answer: 'From gamma.' });
    const response = await postSse(gateway.url, '/v1/messages', agentTurn('pareto-code@0.9', true), headers);
    expect(response.status).toBe(200);
    // 529 (overloaded) moves on to the next model at once.
    expect(gateway.mock.requests().map((request) => request.protocol)).toEqual([
      'openai',
      'anthropic',
      'gemini',
    ]);
    const events = response.messages.map((message) => JSON.parse(message.data));
    // One clean stream from gamma: nothing of the native attempt reached the client.
    expect(events.filter((event) => event.type === 'message_start')).toEqual([
      expect.objectContaining({ message: expect.objectContaining({ model: 'lab/gamma' }) }),
    ]);
    const text = events
      .filter((event) => event.delta?.type === 'text_delta')
      .map((event) => event.delta.text)
      .join('');
    expect(text).toBe('From gamma.');
    expect(events.at(-1).type).toBe('message_stop');
  });
});

describe('Gemini to a Gemini upstream', () => {
  const geminiBody = {
    contents: [
      { role: 'user', parts: [{ text: 'List the files.' }] },
      {
        role: 'model',
        parts: [{ functionCall: { name: 'ls', args: { path: '.' } }, thoughtSignature: 'dGhvdWdodA==' }],
      },
      { role: 'user', parts: [{ functionResponse: { name: 'ls', response: { output: 'a.ts' } } }] },
    ],
    tools: [{ functionDeclarations: [{ name: 'ls', parametersJsonSchema: { type: 'object' } }] }],
    generationConfig: { thinkingConfig: { includeThoughts: true, thinkingBudget: 512 } },
  };

  it('forwards the caller’s body unconverted, thought signatures included', async () => {
    gateway.mock.script('gamma', { answer: 'One file.' });
    const response = await postJson(gateway.url, '/v1beta/models/lab/gamma:generateContent', geminiBody, {
      'x-goog-api-key': 'anything',
    });
    expect(response.status, response.text).toBe(200);
    const sent = gateway.mock.requests().at(-1);
    expect(sent?.protocol).toBe('gemini');
    expect(sent?.path).toContain('/models/gamma:generateContent');
    expect(sent?.body).toEqual(geminiBody);
    expect(response.json.modelVersion).toBe('lab/gamma');
    expect(response.json.candidates[0].content.parts.at(-1)).toEqual({ text: 'One file.' });
  });

  it('converts for an upstream of another protocol, and names what did not survive', async () => {
    gateway.mock.script('alpha', { answer: 'One file.' });
    const response = await postJson(gateway.url, '/v1beta/models/lab/alpha:generateContent', geminiBody);
    expect(response.status, response.text).toBe(200);
    expect(gateway.mock.requests().at(-1)?.protocol).toBe('openai');
    expect(response.headers.get('x-pareto-warnings')).toMatch(/signature/i);
  });
});

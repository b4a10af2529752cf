/**
 * The official `@anthropic-ai/sdk`, unchanged, against a small server made of this adapter alone: what the
 * SDK sends must parse, and what the adapter renders (message, stream, errors, token count) must pass the
 * SDK's own accumulation and error handling.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatResult, StreamEvent, Usage } from '../../core/chat-result.js';
import { RouterError, toRouterError } from '../../core/errors.js';
import type { IngressRequest, ResponseIdentity } from '../ingress-adapter.js';
import { messagesIngress } from './index.js';

const identity: ResponseIdentity = {
  id: 'gen-1733500000-a1b2c3d4e5f6a7b8c9d0',
  created: 1733500000,
  model: 'lab/alpha',
  provider: 'Lab',
};
const usage: Usage = {
  promptTokens: 900,
  completionTokens: 40,
  cachedTokens: 600,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
};
const result: ChatResult = {
  content: 'Running the tests.',
  reasoning: 'Tests first.',
  toolCalls: [
    { id: 'call_7', type: 'function', function: { name: 'Bash', arguments: '{"command":"npm test"}' } },
  ],
  finishReason: 'tool_calls',
  nativeFinishReason: 'tool_calls',
  usage,
};
const streamEvents: StreamEvent[] = [
  { type: 'reasoning-delta', text: 'Tests ' },
  { type: 'reasoning-delta', text: 'first.' },
  { type: 'text-delta', text: 'Running ' },
  { type: 'text-delta', text: 'the tests.' },
  { type: 'tool-call-delta', index: 0, id: 'call_7', name: 'Bash', argumentsDelta: '{"comm' },
  { type: 'tool-call-delta', index: 0, argumentsDelta: 'and":"npm test"}' },
  { type: 'finish', finishReason: 'tool_calls', nativeFinishReason: 'tool_calls' },
];

let server: Server;
let baseURL: string;
const seen: IngressRequest[] = [];
let failMidStream = false;
let sentVersion: string | string[] | undefined;

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  try {
    const countTokens = url.pathname.endsWith('/count_tokens');
    const parse = countTokens ? messagesIngress.parseTokenCount! : messagesIngress.parse;
    const parsed = parse(await readBody(request), { headers: request.headers, query: url.searchParams });
    seen.push(parsed);
    sentVersion = request.headers['anthropic-version'];
    if (countTokens) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(messagesIngress.renderTokenCount?.(1234));
      return;
    }
    if (parsed.body.stream !== true) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(messagesIngress.renderResult(identity, result, usage, 0.0009, undefined));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const writer = messagesIngress.createStreamWriter(identity);
    response.write(writer.open() + writer.keepAlive());
    for (const event of streamEvents) {
      if (failMidStream && event.type === 'tool-call-delta') {
        response.end(writer.fail(new RouterError('upstream_stream_cut', 'the upstream stream was cut')));
        return;
      }
      response.write(writer.event(event));
    }
    response.end(writer.finish(usage, 0.0009, 'tool_calls'));
  } catch (thrown) {
    const rendered = messagesIngress.renderError(toRouterError(thrown));
    response.writeHead(rendered.status, { 'content-type': 'application/json', ...rendered.headers });
    response.end(rendered.body);
  }
}

beforeAll(async () => {
  server = createServer((request, response) => void handle(request, response));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.close();
  await once(server, 'close');
});

const client = () => new Anthropic({ apiKey: 'sk-anything', baseURL, maxRetries: 0 });
const tools: Anthropic.Tool[] = [
  {
    name: 'Bash',
    description: 'Runs a command.',
    input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
  },
];
const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Run the tests.' }];

describe('@anthropic-ai/sdk against the adapter', () => {
  it('creates a message', async () => {
    const message = await client().messages.create({
      model: 'pareto-code',
      max_tokens: 1024,
      messages,
      tools,
    });
    expect(message.id).toBe('msg_gen-1733500000-a1b2c3d4e5f6a7b8c9d0');
    expect(message.model).toBe('lab/alpha');
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Tests first.', signature: '' },
      { type: 'text', text: 'Running the tests.' },
      { type: 'tool_use', id: 'call_7', name: 'Bash', input: { command: 'npm test' } },
    ]);
    expect(message.usage).toMatchObject({
      input_tokens: 300,
      output_tokens: 40,
      cache_read_input_tokens: 600,
      cache_creation_input_tokens: 0,
    });
    expect(sentVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(seen.at(-1)?.native?.headers['anthropic-version']).toBe(sentVersion);
  });

  it('streams a message the SDK accumulates into the same content', async () => {
    const stream = client().messages.stream({ model: 'pareto-code', max_tokens: 1024, messages, tools });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const message = await stream.finalMessage();
    expect(text).toBe('Running the tests.');
    expect(message.id).toBe('msg_gen-1733500000-a1b2c3d4e5f6a7b8c9d0');
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Tests first.', signature: '' },
      { type: 'text', text: 'Running the tests.' },
      { type: 'tool_use', id: 'call_7', name: 'Bash', input: { command: 'npm test' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({
      input_tokens: 300,
      output_tokens: 40,
      cache_read_input_tokens: 600,
      cache_creation_input_tokens: 0,
    });
  });

  it('surfaces a mid-stream failure as an APIError of the rendered type', async () => {
    failMidStream = true;
    try {
      const stream = client().messages.stream({ model: 'pareto-code', max_tokens: 1024, messages });
      const failure = await stream.finalMessage().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(Anthropic.APIError);
      expect((failure as InstanceType<typeof Anthropic.APIError>).error).toEqual({
        type: 'error',
        error: { type: 'api_error', message: 'the upstream stream was cut' },
      });
    } finally {
      failMidStream = false;
    }
  });

  it('gets a refusal as a BadRequestError with the field named', async () => {
    const failure = await client()
      .messages.create({ model: 'pareto-code', max_tokens: 0, messages })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(Anthropic.BadRequestError);
    expect((failure as InstanceType<typeof Anthropic.BadRequestError>).error).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: expected a positive integer, got 0' },
    });
  });

  it('counts tokens', async () => {
    const count = await client().messages.countTokens({ model: 'pareto-code', messages });
    expect(count.input_tokens).toBe(1234);
    expect(seen.at(-1)?.body.max_tokens).toBeUndefined();
  });
});

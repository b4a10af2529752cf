/**
 * The official `openai` client against the adapter behind a small in-process server: what the SDK sends is
 * parsed (and checked by the chat validator), and what the adapter renders must read back through the
 * SDK's own response and stream handling.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatResult, StreamEvent, Usage } from '../../core/chat-result.js';
import { isRouterError, RouterError } from '../../core/errors.js';
import { parseChatRequest } from '../../server/parse-chat-request.js';
import type { ResponseIdentity } from '../ingress-adapter.js';
import { responsesIngress } from './index.js';

interface Script {
  result?: ChatResult;
  events?: StreamEvent[];
  failWith?: RouterError;
}

const usage: Usage = {
  promptTokens: 40,
  completionTokens: 12,
  cachedTokens: 8,
  cacheWriteTokens: 0,
  reasoningTokens: 3,
};
const identity: ResponseIdentity = {
  id: 'gen-1754490540-Sdk00001',
  created: 1754490540,
  model: 'z-ai/glm-4.6',
  provider: 'Z.AI',
};

let server: Server;
let client: OpenAI;
let script: Script = {};
const received: Record<string, unknown>[] = [];

function answer(
  body: unknown,
  headers: Record<string, string | string[] | undefined>,
): { status: number; text: string; headers: Record<string, string> } {
  try {
    const parsed = responsesIngress.parse(body, { headers, query: new URLSearchParams() });
    received.push(parsed.body);
    const chat = parseChatRequest(parsed.body, headers);
    if (!chat.stream) {
      return {
        status: 200,
        text: responsesIngress.renderResult(identity, script.result as ChatResult, usage, 0.0001, undefined),
        headers: { 'content-type': 'application/json' },
      };
    }
    const writer = responsesIngress.createStreamWriter(identity);
    let text = writer.open() + writer.keepAlive();
    for (const event of script.events ?? []) text += writer.event(event);
    text +=
      script.failWith === undefined ? writer.finish(usage, 0.0001, 'stop') : writer.fail(script.failWith);
    return { status: 200, text, headers: { 'content-type': 'text/event-stream' } };
  } catch (error) {
    if (!isRouterError(error)) throw error;
    const rendered = responsesIngress.renderError(error);
    return {
      status: rendered.status,
      text: rendered.body,
      headers: { 'content-type': 'application/json', ...rendered.headers },
    };
  }
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = answer(JSON.parse(Buffer.concat(chunks).toString('utf8')), request.headers);
      response.writeHead(reply.status, reply.headers).end(reply.text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const tools: OpenAI.Responses.Tool[] = [
  {
    type: 'function',
    name: 'get_weather',
    description: 'Get current temperature for a given location.',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string' } },
      required: ['location'],
      additionalProperties: false,
    },
    strict: true,
  },
];

describe('the openai SDK through the Responses ingress', () => {
  it('reads a plain answer, with output_text and usage', async () => {
    script = {
      result: {
        content: 'Bonjour !',
        reasoning: 'French greeting.',
        toolCalls: [],
        finishReason: 'stop',
        nativeFinishReason: 'stop',
        usage,
      },
    };
    const response = await client.responses.create({
      model: 'openrouter/pareto-code',
      input: 'Say hello in French',
    });
    expect(response.output_text).toBe('Bonjour !');
    expect(response.id).toBe('resp_gen-1754490540-Sdk00001');
    expect(response.model).toBe('z-ai/glm-4.6');
    expect(response.usage?.input_tokens_details.cached_tokens).toBe(8);
    expect(response.usage?.output_tokens_details.reasoning_tokens).toBe(3);
  });

  it('completes a function-call round trip, sending the rendered output back as input', async () => {
    script = {
      result: {
        content: null,
        reasoning: null,
        toolCalls: [
          {
            id: 'call_w1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
          },
        ],
        finishReason: 'tool_calls',
        nativeFinishReason: 'tool_calls',
        usage,
      },
    };
    const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.responses.create({ model: 'pareto-code', input, tools });
    const call = first.output[0];
    expect(call).toMatchObject({
      type: 'function_call',
      call_id: 'call_w1',
      name: 'get_weather',
      arguments: '{"location":"Paris"}',
    });

    script = {
      result: {
        content: 'It is 14 °C.',
        reasoning: null,
        toolCalls: [],
        finishReason: 'stop',
        nativeFinishReason: 'stop',
        usage,
      },
    };
    const second = await client.responses.create({
      model: 'pareto-code',
      tools,
      input: [
        ...input,
        ...first.output,
        { type: 'function_call_output', call_id: 'call_w1', output: '{"celsius":14}' },
      ],
    });
    expect(second.output_text).toBe('It is 14 °C.');
    expect(received.at(-1)?.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_w1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_w1', content: '{"celsius":14}' },
    ]);
  });

  it('accumulates a streamed answer into the final response', async () => {
    script = {
      events: [
        { type: 'reasoning-delta', text: 'Check the tool.' },
        { type: 'text-delta', text: 'Looking ' },
        { type: 'text-delta', text: 'it up.' },
        {
          type: 'tool-call-delta',
          index: 0,
          id: 'call_s1',
          name: 'get_weather',
          argumentsDelta: '{"location":',
        },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '"Rome"}' },
      ],
    };
    const stream = client.responses.stream({ model: 'pareto-code', input: 'Weather in Rome?', tools });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(deltas).toEqual(['Looking ', 'it up.']);
    // The stream helper leaves output_text to the caller; the message content carries the text.
    expect(final.output[1]).toMatchObject({
      type: 'message',
      content: [{ type: 'output_text', text: 'Looking it up.' }],
    });
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call']);
    expect(final.output[2]).toMatchObject({
      call_id: 'call_s1',
      arguments: '{"location":"Rome"}',
      status: 'completed',
    });
    expect(final.usage?.total_tokens).toBe(52);
  });

  it('yields the error event and response.failed of a stream that failed midway', async () => {
    script = {
      events: [{ type: 'text-delta', text: 'Half' }],
      failWith: new RouterError('upstream_stream_cut', 'the upstream closed the stream mid-answer'),
    };
    const types: string[] = [];
    let failed: OpenAI.Responses.Response | undefined;
    for await (const event of await client.responses.create({
      model: 'pareto-code',
      input: 'Hi',
      stream: true,
    })) {
      types.push(event.type);
      if (event.type === 'response.failed') failed = event.response;
    }
    expect(types.slice(-2)).toEqual(['error', 'response.failed']);
    expect(failed?.error).toEqual({
      code: 'upstream_stream_cut',
      message: 'the upstream closed the stream mid-answer',
    });
  });

  it('raises the SDK error class of the status, with the router message and code', async () => {
    const attempt = client.responses.create({
      model: 'pareto-code',
      input: 'Hi',
      previous_response_id: 'resp_1',
    });
    await expect(attempt).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(attempt).rejects.toMatchObject({
      status: 400,
      code: 'invalid_request',
      type: 'invalid_request_error',
      message: expect.stringContaining('previous_response_id: the router does not store responses'),
    });
  });
});

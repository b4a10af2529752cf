/**
 * The official client against the adapter: @google/genai, pointed at an in-process server whose answers
 * the adapter renders, must send what the parser reads and read what the renderers write.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, type GenerateContentResponse, GoogleGenAI, Type } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Usage } from '../../core/chat-result.js';
import { RouterError } from '../../core/errors.js';
import type { ResponseIdentity } from '../ingress-adapter.js';
import { geminiIngress, parseGeminiPath, renderGeminiModelList } from './index.js';

interface Captured {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

type Handler = (captured: Captured, response: ServerResponse) => void;

const identity: ResponseIdentity = {
  id: 'gen-1764673620-Rk7mN2pQ9sTv4wXy',
  created: 1764673620,
  model: 'anthropic/claude-sonnet-4.5',
  provider: 'Anthropic',
};

const usage: Usage = {
  promptTokens: 420,
  completionTokens: 60,
  cachedTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 20,
};

let server: Server;
let baseUrl: string;
let handler: Handler = (_captured, response) => response.end();
const requests: Captured[] = [];

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const captured = {
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      body: text === '' ? undefined : JSON.parse(text),
    };
    requests.push(captured);
    handler(captured, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const client = () => new GoogleGenAI({ apiKey: 'router-key-123', httpOptions: { baseUrl } });

function sendSse(response: ServerResponse, text: string): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.end(text);
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body);
}

/** Parses what the SDK sent, as the server will: path, then body. */
/** The answer text of a response, read from its parts (the SDK's `text` getter logs when calls are present). */
function answerText(response: GenerateContentResponse): string {
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  return parts.map((part) => (part.thought === true ? '' : (part.text ?? ''))).join('');
}

function parseCaptured(captured: Captured) {
  const path = parseGeminiPath(captured.url);
  if (path === null) throw new Error(`unrouted path ${captured.url}`);
  const query = new URLSearchParams(captured.url.split('?')[1] ?? '');
  return {
    path,
    request: geminiIngress.parse(captured.body, {
      headers: captured.headers,
      query,
      pathModel: path.model,
      pathStream: path.method === 'streamGenerateContent',
    }),
  };
}

describe('@google/genai against the Gemini ingress', () => {
  it('streams: the SDK request parses, and the SDK reads thoughts, text, calls, usage and cost', async () => {
    handler = (_captured, response) => {
      const writer = geminiIngress.createStreamWriter(identity);
      sendSse(
        response,
        writer.open() +
          writer.keepAlive() +
          writer.event({ type: 'reasoning-delta', text: 'Off by one.' }) +
          writer.event({ type: 'text-delta', text: 'The loop ' }) +
          writer.event({ type: 'text-delta', text: 'starts at 1.' }) +
          writer.event({
            type: 'tool-call-delta',
            index: 0,
            id: 'toolu_1',
            name: 'replace',
            argumentsDelta: '{"file_path":"/src/cart.ts",',
          }) +
          writer.event({
            type: 'tool-call-delta',
            index: 0,
            argumentsDelta: '"old_string":"i = 1","new_string":"i = 0"}',
          }) +
          writer.event({ type: 'finish', finishReason: 'tool_calls', nativeFinishReason: 'tool_use' }) +
          writer.finish(usage, 0.0021, 'tool_calls'),
      );
    };
    const stream = await client().models.generateContentStream({
      model: 'openrouter/pareto-code@0.5:nitro',
      contents: [{ role: 'user', parts: [{ text: 'Fix the cart total.' }] }],
      config: {
        systemInstruction: 'You are a coding agent.',
        temperature: 0.2,
        maxOutputTokens: 4096,
        thinkingConfig: { includeThoughts: true, thinkingLevel: 'HIGH' as never },
        tools: [
          {
            functionDeclarations: [
              {
                name: 'replace',
                description: 'Replaces text in a file.',
                parametersJsonSchema: {
                  type: 'object',
                  properties: {
                    file_path: { type: 'string' },
                    old_string: { type: 'string' },
                    new_string: { type: 'string' },
                  },
                  required: ['file_path', 'old_string', 'new_string'],
                },
              },
              {
                name: 'glob',
                parameters: {
                  type: Type.OBJECT,
                  properties: { pattern: { type: Type.STRING } },
                  required: ['pattern'],
                },
              },
            ],
          },
        ],
      },
    });
    const chunks: GenerateContentResponse[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    const captured = requests.at(-1)!;
    expect(captured.method).toBe('POST');
    expect(captured.headers['x-goog-api-key']).toBe('router-key-123');
    const { path, request } = parseCaptured(captured);
    expect(path).toEqual({ model: 'openrouter/pareto-code@0.5:nitro', method: 'streamGenerateContent' });
    expect(request.body).toMatchObject({
      model: 'openrouter/pareto-code@0.5:nitro',
      stream: true,
      temperature: 0.2,
      max_tokens: 4096,
      reasoning: { effort: 'high' },
      messages: [
        { role: 'system', content: 'You are a coding agent.' },
        { role: 'user', content: 'Fix the cart total.' },
      ],
    });
    expect((request.body.tools as { function: unknown }[]).map((tool) => tool.function)).toEqual([
      {
        name: 'replace',
        description: 'Replaces text in a file.',
        parameters: {
          type: 'object',
          properties: {
            file_path: { type: 'string' },
            old_string: { type: 'string' },
            new_string: { type: 'string' },
          },
          required: ['file_path', 'old_string', 'new_string'],
        },
      },
      {
        name: 'glob',
        parameters: { type: 'object', properties: { pattern: { type: 'string' } }, required: ['pattern'] },
      },
    ]);
    expect(request.warnings).toEqual([]);

    // The call goes out whole with the closing chunk, once the finish shows it is complete.
    expect(chunks).toHaveLength(4);
    expect(chunks[0]?.candidates?.[0]?.content?.parts).toEqual([{ text: 'Off by one.', thought: true }]);
    expect(chunks.map(answerText).join('')).toBe('The loop starts at 1.');
    expect(chunks.flatMap((chunk) => chunk.functionCalls ?? [])).toEqual([
      {
        name: 'replace',
        args: { file_path: '/src/cart.ts', old_string: 'i = 1', new_string: 'i = 0' },
        id: 'toolu_1',
      },
    ]);
    const last = chunks.at(-1)!;
    expect(last.functionCalls).toHaveLength(1);
    expect(last.candidates?.[0]?.finishReason).toBe('STOP');
    expect(last.responseId).toBe('gen-1764673620-Rk7mN2pQ9sTv4wXy');
    expect(last.modelVersion).toBe('anthropic/claude-sonnet-4.5');
    expect(last.usageMetadata).toEqual({
      promptTokenCount: 420,
      candidatesTokenCount: 40,
      totalTokenCount: 480,
      thoughtsTokenCount: 20,
      cost: 0.0021,
    });
  });

  it('raises an in-stream failure as an ApiError after the chunks before it', async () => {
    handler = (_captured, response) => {
      const writer = geminiIngress.createStreamWriter(identity);
      sendSse(
        response,
        writer.event({ type: 'text-delta', text: 'Partial answer' }) +
          writer.fail(
            new RouterError('upstream_server_error', 'Anthropic upstream error 529: Overloaded', {
              status: 503,
            }),
          ),
      );
    };
    const stream = await client().models.generateContentStream({ model: 'pareto-code', contents: 'Hi' });
    const texts: string[] = [];
    let failure: unknown;
    try {
      for await (const chunk of stream) texts.push(chunk.text ?? '');
    } catch (error) {
      failure = error;
    }
    expect(texts).toEqual(['Partial answer']);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(503);
    expect((failure as ApiError).message).toContain('Anthropic upstream error 529: Overloaded');
  });

  it('generates: the SDK reads text, call ids, finish reason and cost', async () => {
    handler = (_captured, response) =>
      sendJson(
        response,
        200,
        geminiIngress.renderResult(
          identity,
          {
            content: 'Done.',
            reasoning: null,
            toolCalls: [
              {
                id: 'call_7',
                type: 'function',
                function: { name: 'glob', arguments: '{"pattern":"**/*.ts"}' },
              },
            ],
            finishReason: 'tool_calls',
            nativeFinishReason: 'tool_use',
            usage,
          },
          usage,
          0.0009,
          undefined,
        ),
      );
    const response = await client().models.generateContent({
      model: 'pareto-code',
      contents: 'List the files.',
    });
    expect(parseGeminiPath(requests.at(-1)!.url)).toEqual({
      model: 'pareto-code',
      method: 'generateContent',
    });
    expect(answerText(response)).toBe('Done.');
    expect(response.functionCalls).toEqual([{ name: 'glob', args: { pattern: '**/*.ts' }, id: 'call_7' }]);
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.usageMetadata?.totalTokenCount).toBe(480);
    expect((response.usageMetadata as { cost?: number }).cost).toBe(0.0009);
  });

  it('counts tokens', async () => {
    handler = (_captured, response) => sendJson(response, 200, geminiIngress.renderTokenCount!(57));
    const counted = await client().models.countTokens({
      model: 'pareto-code',
      contents: 'How long is this?',
    });
    const { path, request } = parseCaptured(requests.at(-1)!);
    expect(path.method).toBe('countTokens');
    expect(request.body.messages).toEqual([{ role: 'user', content: 'How long is this?' }]);
    expect(counted.totalTokens).toBe(57);
  });

  it('raises an error envelope as an ApiError with its status', async () => {
    handler = (_captured, response) => {
      const rendered = geminiIngress.renderError(
        new RouterError('budget_exceeded', 'the key has spent its budget of $5.00', {
          metadata: { key: 'team-a' },
        }),
      );
      sendJson(response, rendered.status, rendered.body, rendered.headers);
    };
    let failure: unknown;
    try {
      await client().models.generateContent({ model: 'pareto-code', contents: 'Hi' });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(402);
    expect(JSON.parse((failure as ApiError).message)).toEqual({
      error: {
        code: 402,
        message: 'the key has spent its budget of $5.00',
        status: 'RESOURCE_EXHAUSTED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'BUDGET_EXCEEDED',
            domain: 'pareto-router',
            metadata: { key: 'team-a' },
          },
        ],
      },
    });
  });

  it('lists models', async () => {
    handler = (_captured, response) =>
      sendJson(
        response,
        200,
        renderGeminiModelList([
          { id: 'pareto-code', displayName: 'Pareto Code', contextLength: 200_000, maxOutputTokens: 32_000 },
        ]),
      );
    const pager = await client().models.list();
    const models = [];
    for await (const model of pager) models.push(model);
    expect(requests.at(-1)!.url.split('?')[0]).toBe('/v1beta/models');
    expect(models).toEqual([
      // The SDK adds an empty tunedModelInfo of its own.
      expect.objectContaining({
        name: 'models/pareto-code',
        version: '001',
        displayName: 'Pareto Code',
        description: 'Pareto Code',
        inputTokenLimit: 200_000,
        outputTokenLimit: 32_000,
        supportedActions: ['generateContent', 'streamGenerateContent', 'countTokens'],
      }),
    ]);
  });
});

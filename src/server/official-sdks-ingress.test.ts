/**
 * The official SDKs of each wire protocol the router speaks (Anthropic Messages, OpenAI Responses,
 * Gemini, and OpenRouter's own), unchanged but for base URL, key and model, against a live router backed
 * by the fake upstream. Every case runs once per upstream protocol, so each ingress is met by an
 * OpenAI-compatible, an Anthropic and a Gemini upstream: the answer text, the concrete model and the
 * usage must come through exactly, and nothing may fail the SDK's own response handling.
 */
import Anthropic from '@anthropic-ai/sdk';
import {
  type Content,
  type FunctionDeclaration,
  type GenerateContentResponse,
  GoogleGenAI,
} from '@google/genai';
import { OpenRouter } from '@openrouter/sdk';
import { tool } from '@openrouter/sdk/lib/tool.js';
import type { OpenResponsesResult, StreamEvents } from '@openrouter/sdk/models';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type GatewayFixture, startGateway } from './test-support/gateway-fixture.js';

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

interface UpstreamCase {
  /** The concrete model the caller names, and the model every answer must report. */
  model: string;
  /** The model name the fake upstream is scripted under. */
  upstreamModel: string;
  protocol: string;
  /** Reasoning tokens the router can report: Anthropic gives no thinking count apart from output_tokens. */
  reasoningTokens: number;
}

const upstreams: UpstreamCase[] = [
  { model: 'lab/alpha', upstreamModel: 'alpha', protocol: 'OpenAI-compatible', reasoningTokens: 5 },
  { model: 'lab/beta', upstreamModel: 'beta', protocol: 'Anthropic', reasoningTokens: 0 },
  { model: 'lab/gamma', upstreamModel: 'gamma', protocol: 'Gemini', reasoningTokens: 5 },
];

const prompt = 'Write a function that reverses a string.';
const answer = 'export const reverse = (text: string) => [...text].reverse().join("");';
const toolAnswer = 'All 12 tests pass.';
const toolOutput = '12 passed, 0 failed';
const usage = { promptTokens: 42, completionTokens: 17, cachedTokens: 10, reasoningTokens: 5 };
const testsSchema = {
  type: 'object',
  properties: { path: { type: 'string' } },
  required: ['path'],
};
const toolArguments = { path: 'src' };
const reasoning = 'Spread the string so surrogate pairs stay whole.';

/** Scripts the model behind `upstream` to answer `text` (after `reasoningText`) with the shared usage. */
function scriptAnswer(upstream: UpstreamCase, text = answer, reasoningText?: string): void {
  gateway.mock.script(upstream.upstreamModel, {
    answer: text,
    usage,
    toolCall: false,
    ...(reasoningText === undefined ? {} : { reasoning: reasoningText }),
  });
}

/** Scripts the first turn of a tool round trip: a call of run_tests, and no text. */
function scriptToolCall(upstream: UpstreamCase): void {
  gateway.mock.script(upstream.upstreamModel, {
    usage,
    toolCall: { name: 'run_tests', arguments: toolArguments },
  });
}

/** The body the fake upstream last received, as text, to see what a follow-up turn carried. */
function lastUpstreamBody(upstream: UpstreamCase): string {
  const requests = gateway.mock.requests().filter((request) => request.model === upstream.upstreamModel);
  return JSON.stringify(requests.at(-1)?.body);
}

describe('@anthropic-ai/sdk', () => {
  const client = () => new Anthropic({ apiKey: 'sk-ant-anything', baseURL: gateway.url, maxRetries: 0 });
  const tools: Anthropic.Tool[] = [
    {
      name: 'run_tests',
      description: 'Runs the test suite under a path.',
      input_schema: { ...testsSchema, type: 'object' },
    },
  ];

  describe.each(upstreams)('$model ($protocol upstream)', (upstream) => {
    it('messages.create', async () => {
      scriptAnswer(upstream);
      const message = await client().messages.create({
        model: upstream.model,
        max_tokens: 1024,
        messages: [{ role: 'user', content: prompt }],
      });
      expect(message.model).toBe(upstream.model);
      expect(message.role).toBe('assistant');
      expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: answer })]);
      expect(message.stop_reason).toBe('end_turn');
      expect(message.usage).toMatchObject({
        input_tokens: usage.promptTokens - usage.cachedTokens,
        output_tokens: usage.completionTokens,
        cache_read_input_tokens: usage.cachedTokens,
        cache_creation_input_tokens: 0,
      });
    });

    it('messages.stream: text events and finalMessage usage', async () => {
      scriptAnswer(upstream);
      const stream = client().messages.stream({
        model: upstream.model,
        max_tokens: 1024,
        messages: [{ role: 'user', content: prompt }],
      });
      let text = '';
      stream.on('text', (delta) => {
        text += delta;
      });
      const message = await stream.finalMessage();
      expect(text).toBe(answer);
      expect(message.model).toBe(upstream.model);
      expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: answer })]);
      expect(message.stop_reason).toBe('end_turn');
      expect(message.usage).toMatchObject({
        input_tokens: usage.promptTokens - usage.cachedTokens,
        output_tokens: usage.completionTokens,
        cache_read_input_tokens: usage.cachedTokens,
      });
    });

    it('a tool_use round trip: tool_use, then tool_result, then text', async () => {
      scriptToolCall(upstream);
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Run the tests under src.' }];
      const first = await client().messages.create({
        model: upstream.model,
        max_tokens: 1024,
        tools,
        messages,
      });
      expect(first.model).toBe(upstream.model);
      expect(first.stop_reason).toBe('tool_use');
      const calls = first.content.filter((block) => block.type === 'tool_use');
      expect(calls).toEqual([
        expect.objectContaining({ type: 'tool_use', name: 'run_tests', input: toolArguments }),
      ]);
      const call = calls[0];
      if (call === undefined) throw new Error('expected a tool_use block');
      expect(call.id).toMatch(/\S/);

      scriptAnswer(upstream, toolAnswer);
      const second = await client().messages.create({
        model: upstream.model,
        max_tokens: 1024,
        tools,
        messages: [
          ...messages,
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: toolOutput }] },
        ],
      });
      expect(second.model).toBe(upstream.model);
      expect(second.stop_reason).toBe('end_turn');
      expect(second.content).toEqual([expect.objectContaining({ type: 'text', text: toolAnswer })]);
      expect(lastUpstreamBody(upstream)).toContain(toolOutput);
    });

    it('messages.countTokens answers the estimate and calls no upstream', async () => {
      const count = await client().messages.countTokens({
        model: upstream.model,
        system: 'You are a careful engineer.',
        messages: [{ role: 'user', content: prompt }],
      });
      // Four tokens a message plus a token per four characters: 2 * 4 + ceil((27 + 40) / 4).
      expect(count.input_tokens).toBe(25);
      expect(gateway.mock.attempts(upstream.upstreamModel)).toBe(0);
    });
  });

  it('routes a bar in the model name (pareto-code@0.9) to the high tier', async () => {
    scriptAnswer(upstreams[0]!);
    const message = await client().messages.create({
      model: 'pareto-code@0.9',
      max_tokens: 1024,
      messages: [{ role: 'user', content: prompt }],
    });
    expect(message.model).toBe('lab/alpha');
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: answer })]);
  });
});

describe('openai SDK, Responses API', () => {
  const client = () => new OpenAI({ apiKey: 'sk-anything', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  const tools: OpenAI.Responses.FunctionTool[] = [
    {
      type: 'function',
      name: 'run_tests',
      description: 'Runs the test suite under a path.',
      parameters: testsSchema,
      strict: false,
    },
  ];
  const expectedUsage = (upstream: UpstreamCase) => ({
    input_tokens: usage.promptTokens,
    input_tokens_details: expect.objectContaining({ cached_tokens: usage.cachedTokens }),
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: upstream.reasoningTokens },
    total_tokens: usage.promptTokens + usage.completionTokens,
  });

  describe.each(upstreams)('$model ($protocol upstream)', (upstream) => {
    it('responses.create', async () => {
      scriptAnswer(upstream);
      const response = await client().responses.create({ model: upstream.model, input: prompt });
      expect(response.model).toBe(upstream.model);
      expect(response.status).toBe('completed');
      expect(response.output_text).toBe(answer);
      expect(response.usage).toMatchObject(expectedUsage(upstream));
    });

    it('responses.create with stream: true, usage on response.completed', async () => {
      scriptAnswer(upstream, answer, reasoning);
      const stream = await client().responses.create({ model: upstream.model, input: prompt, stream: true });
      let text = '';
      const types: string[] = [];
      let completed: OpenAI.Responses.Response | undefined;
      for await (const event of stream) {
        types.push(event.type);
        if (event.type === 'response.output_text.delta') text += event.delta;
        if (event.type === 'response.completed') completed = event.response;
      }
      expect(types[0]).toBe('response.created');
      expect(types.at(-1)).toBe('response.completed');
      expect(text).toBe(answer);
      expect(completed?.model).toBe(upstream.model);
      expect(completed?.status).toBe('completed');
      expect(outputText(completed)).toBe(answer);
      expect(completed?.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
      expect(completed?.output[0]).toMatchObject({ summary: [{ type: 'summary_text', text: reasoning }] });
      expect(completed?.usage).toMatchObject(expectedUsage(upstream));
    });

    it('a function-call round trip: function_call, then function_call_output, then text', async () => {
      scriptToolCall(upstream);
      const input: OpenAI.Responses.ResponseInputItem[] = [
        { role: 'user', content: 'Run the tests under src.' },
      ];
      const first = await client().responses.create({ model: upstream.model, input, tools });
      expect(first.model).toBe(upstream.model);
      const calls = first.output.filter((item) => item.type === 'function_call');
      expect(calls).toHaveLength(1);
      const call = calls[0];
      if (call === undefined) throw new Error('expected a function_call item');
      expect(call.name).toBe('run_tests');
      expect(JSON.parse(call.arguments)).toEqual(toolArguments);
      expect(call.call_id).toMatch(/\S/);

      scriptAnswer(upstream, toolAnswer);
      const second = await client().responses.create({
        model: upstream.model,
        tools,
        input: [...input, call, { type: 'function_call_output', call_id: call.call_id, output: toolOutput }],
      });
      expect(second.model).toBe(upstream.model);
      expect(second.status).toBe('completed');
      expect(second.output_text).toBe(toolAnswer);
      expect(second.output.filter((item) => item.type === 'function_call')).toEqual([]);
      expect(lastUpstreamBody(upstream)).toContain(toolOutput);
    });
  });

  it('routes a bar in the model name (pareto-code@0.9) to the high tier', async () => {
    scriptAnswer(upstreams[0]!);
    const response = await client().responses.create({ model: 'pareto-code@0.9', input: prompt });
    expect(response.model).toBe('lab/alpha');
    expect(response.output_text).toBe(answer);
  });
});

describe('@google/genai', () => {
  const client = () => new GoogleGenAI({ apiKey: 'router-key', httpOptions: { baseUrl: gateway.url } });
  const runTests: FunctionDeclaration = {
    name: 'run_tests',
    description: 'Runs the test suite under a path.',
    parametersJsonSchema: testsSchema,
  };
  const expectedUsage = (upstream: UpstreamCase) => ({
    promptTokenCount: usage.promptTokens,
    candidatesTokenCount: usage.completionTokens - upstream.reasoningTokens,
    totalTokenCount: usage.promptTokens + usage.completionTokens,
    cachedContentTokenCount: usage.cachedTokens,
  });
  // Like Gemini, a zero thought count is left out.
  const expectedThoughts = (upstream: UpstreamCase) =>
    upstream.reasoningTokens === 0 ? undefined : upstream.reasoningTokens;

  describe.each(upstreams)('$model ($protocol upstream)', (upstream) => {
    it('models.generateContent', async () => {
      scriptAnswer(upstream);
      const response = await client().models.generateContent({ model: upstream.model, contents: prompt });
      expect(response.text).toBe(answer);
      expect(response.modelVersion).toBe(upstream.model);
      expect(response.candidates?.[0]?.finishReason).toBe('STOP');
      expect(response.usageMetadata).toMatchObject(expectedUsage(upstream));
      expect(response.usageMetadata?.thoughtsTokenCount).toBe(expectedThoughts(upstream));
    });

    it('models.generateContentStream', async () => {
      scriptAnswer(upstream);
      const stream = await client().models.generateContentStream({ model: upstream.model, contents: prompt });
      const chunks: GenerateContentResponse[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks.map((chunk) => chunk.text ?? '').join('')).toBe(answer);
      expect(new Set(chunks.map((chunk) => chunk.modelVersion))).toEqual(new Set([upstream.model]));
      const last = chunks.at(-1);
      expect(last?.candidates?.[0]?.finishReason).toBe('STOP');
      expect(last?.usageMetadata).toMatchObject(expectedUsage(upstream));
      expect(last?.usageMetadata?.thoughtsTokenCount).toBe(expectedThoughts(upstream));
    });

    it('a function call when tools are declared, then functionResponse, then text', async () => {
      scriptToolCall(upstream);
      const contents: Content[] = [{ role: 'user', parts: [{ text: 'Run the tests under src.' }] }];
      const config = { tools: [{ functionDeclarations: [runTests] }] };
      const first = await client().models.generateContent({ model: upstream.model, contents, config });
      expect(first.modelVersion).toBe(upstream.model);
      expect(first.functionCalls).toEqual([
        expect.objectContaining({ name: 'run_tests', args: toolArguments }),
      ]);
      const modelTurn = first.candidates?.[0]?.content;
      if (modelTurn === undefined) throw new Error('expected the model turn');

      scriptAnswer(upstream, toolAnswer);
      const call = first.functionCalls?.[0];
      const second = await client().models.generateContent({
        model: upstream.model,
        config,
        contents: [
          ...contents,
          modelTurn,
          {
            role: 'user',
            parts: [
              {
                functionResponse: {
                  name: 'run_tests',
                  response: { output: toolOutput },
                  ...(call?.id === undefined ? {} : { id: call.id }),
                },
              },
            ],
          },
        ],
      });
      expect(second.modelVersion).toBe(upstream.model);
      expect(second.text).toBe(toolAnswer);
      expect(second.functionCalls).toBeUndefined();
      expect(lastUpstreamBody(upstream)).toContain(toolOutput);
    });
  });

  it('routes a bar in the model name (pareto-code@0.9) to the high tier', async () => {
    scriptAnswer(upstreams[0]!);
    const response = await client().models.generateContent({ model: 'pareto-code@0.9', contents: prompt });
    expect(response.modelVersion).toBe('lab/alpha');
    expect(response.text).toBe(answer);
  });
});

describe('@openrouter/sdk (it has no Anthropic Messages call; its /messages call only creates presets)', () => {
  const client = () => new OpenRouter({ apiKey: 'sk-or-anything', serverURL: `${gateway.url}/api/v1` });
  type Plugins = { id: 'pareto-router'; minCodingScore: number }[];
  const expectedUsage = (upstream: UpstreamCase) => ({
    inputTokens: usage.promptTokens,
    inputTokensDetails: { cachedTokens: usage.cachedTokens },
    outputTokens: usage.completionTokens,
    outputTokensDetails: { reasoningTokens: upstream.reasoningTokens },
    totalTokens: usage.promptTokens + usage.completionTokens,
  });

  async function send(model: string, plugins?: Plugins): Promise<OpenResponsesResult> {
    const response = await client().responses.send({
      responsesRequest: { model, input: prompt, ...(plugins === undefined ? {} : { plugins }) },
    });
    if (!('model' in response)) throw new Error('expected a non-streamed result');
    return response;
  }

  async function sendStream(model: string, plugins?: Plugins) {
    const stream = await client().responses.send({
      responsesRequest: { model, input: prompt, stream: true, ...(plugins === undefined ? {} : { plugins }) },
    });
    if ('model' in stream) throw new Error('expected a stream');
    let text = '';
    let completed: OpenResponsesResult | undefined;
    for await (const event of stream as AsyncIterable<StreamEvents>) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    return { text, completed };
  }

  /** callModel with one tool the SDK runs itself; the calls it made are returned with the final text. */
  async function runToolLoop(model: string, plugins?: Plugins) {
    const calls: unknown[] = [];
    const runTestsTool = tool({
      name: 'run_tests',
      description: 'Runs the test suite under a path.',
      inputSchema: z.object({ path: z.string() }),
      execute: (input) => {
        calls.push(input);
        return { output: toolOutput };
      },
    });
    const result = client().callModel({
      model,
      input: 'Run the tests under src.',
      tools: [runTestsTool] as const,
      ...(plugins === undefined ? {} : { plugins }),
    });
    return { text: await result.getText(), calls };
  }

  describe.each(upstreams)('$model ($protocol upstream)', (upstream) => {
    it('responses.send', async () => {
      scriptAnswer(upstream);
      const response = await send(upstream.model);
      expect(response.model).toBe(upstream.model);
      expect(response.status).toBe('completed');
      expect(messageText(response)).toBe(answer);
      expect(response.usage).toMatchObject(expectedUsage(upstream));
    });

    it('responses.send with stream: true, usage on response.completed', async () => {
      scriptAnswer(upstream);
      const { text, completed } = await sendStream(upstream.model);
      expect(text).toBe(answer);
      expect(completed?.model).toBe(upstream.model);
      expect(completed?.usage).toMatchObject(expectedUsage(upstream));
    });

    it('callModel runs its tool loop: function_call, the SDK runs the tool, then text', async () => {
      // The fake upstream calls the first tool while the conversation ends with a user turn (with the
      // schema's sample arguments), and answers once it ends with the tool's output.
      gateway.mock.script(upstream.upstreamModel, { answer, usage });
      const { text, calls } = await runToolLoop(upstream.model);
      expect(text).toBe(answer);
      expect(calls).toEqual([{ path: 'example' }]);
      expect(gateway.mock.attempts(upstream.upstreamModel)).toBe(2);
      expect(lastUpstreamBody(upstream)).toContain(toolOutput);
    });
  });

  describe('the pareto-router plugin in the SDK’s own shape (camelCase minCodingScore)', () => {
    // minCodingScore 0.5 is the medium tier, whose cheapest model is lab/mid-a; without the plugin
    // openrouter/pareto-code means the high tier (lab/alpha).
    const plugins: Plugins = [{ id: 'pareto-router', minCodingScore: 0.5 }];
    const midA: UpstreamCase = {
      model: 'lab/mid-a',
      upstreamModel: 'mid-a',
      protocol: 'OpenAI-compatible',
      reasoningTokens: 5,
    };

    it('responses.send', async () => {
      scriptAnswer(midA);
      const response = await send('openrouter/pareto-code', plugins);
      expect(response.model).toBe('lab/mid-a');
      expect(messageText(response)).toBe(answer);
      expect(response.usage).toMatchObject(expectedUsage(midA));
      expect(gateway.mock.attempts('mid-a')).toBe(1);
    });

    it('responses.send with stream: true', async () => {
      scriptAnswer(midA);
      const { text, completed } = await sendStream('openrouter/pareto-code', plugins);
      expect(text).toBe(answer);
      expect(completed?.model).toBe('lab/mid-a');
      expect(completed?.usage).toMatchObject(expectedUsage(midA));
    });

    it('callModel carries it on every turn of the tool loop', async () => {
      gateway.mock.script('mid-a', { answer, usage });
      const { text, calls } = await runToolLoop('openrouter/pareto-code', plugins);
      expect(text).toBe(answer);
      expect(calls).toEqual([{ path: 'example' }]);
      expect(gateway.mock.attempts('mid-a')).toBe(2);
    });
  });
});

/** The text of the message items of an OpenRouter SDK response. */
function messageText(response: OpenResponsesResult): string {
  return response.output
    .flatMap((item) => (item.type === 'message' ? item.content : []))
    .map((part) => (part.type === 'output_text' ? part.text : ''))
    .join('');
}

/** The text of the message items of a streamed Response (the SDK adds `output_text` only to `create`). */
function outputText(response: OpenAI.Responses.Response | undefined): string | undefined {
  return response?.output
    .flatMap((item) => (item.type === 'message' ? item.content : []))
    .map((part) => (part.type === 'output_text' ? part.text : ''))
    .join('');
}

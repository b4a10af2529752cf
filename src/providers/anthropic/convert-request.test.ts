import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest } from '../../core/chat-request.js';
import { convertRequest } from './convert-request.js';

const hello: ChatMessage[] = [{ role: 'user', content: 'Hello' }];

function request(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'claude-sonnet-4-5', messages: hello, max_tokens: 1_000, ...overrides };
}

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('convertRequest: basic fields', () => {
  it('converts a minimal request', () => {
    expect(convertRequest(request())).toEqual({
      body: {
        model: 'claude-sonnet-4-5',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
        max_tokens: 1_000,
      },
      warnings: [],
    });
  });

  it('uses max_completion_tokens over max_tokens', () => {
    expect(convertRequest(request({ max_tokens: 100, max_completion_tokens: 200 })).body.max_tokens).toBe(
      200,
    );
  });

  it('sends a default max_tokens with a warning when the request sets none', () => {
    const { body, warnings } = convertRequest({ model: 'claude-haiku-4-5', messages: hello });
    expect(body.max_tokens).toBe(8_192);
    expect(warnings).toEqual(['max_tokens is required by Anthropic and was not set; sent 8192']);
  });

  it('passes sampling settings, stop sequences, stream and user', () => {
    const { body, warnings } = convertRequest(
      request({
        model: 'claude-3-7-sonnet-latest',
        temperature: 0.2,
        top_p: 0.9,
        top_k: 40,
        stop: ['END', '###'],
        stream: true,
        user: 'user-42',
      }),
    );
    expect(body).toMatchObject({
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END', '###'],
      stream: true,
      metadata: { user_id: 'user-42' },
    });
    expect(warnings).toEqual([]);
  });

  it('accepts a single stop string', () => {
    expect(convertRequest(request({ stop: 'END' })).body.stop_sequences).toEqual(['END']);
  });

  it.each([
    [{ seed: 7 }, 'seed is not supported by Anthropic; not sent'],
    [{ frequency_penalty: 0.5 }, 'frequency_penalty is not supported by Anthropic; not sent'],
    [{ presence_penalty: 0.5 }, 'presence_penalty is not supported by Anthropic; not sent'],
  ] as const)('warns about %o instead of dropping it silently', (setting, warning) => {
    const { body, warnings } = convertRequest(request(setting));
    expect(warnings).toEqual([warning]);
    expect(Object.keys(body)).not.toContain(Object.keys(setting)[0]);
  });

  it('does not change the input request', () => {
    const input = request({ tools: [weatherTool], reasoning: { effort: 'high' }, temperature: 0.5 });
    const copy = structuredClone(input);
    convertRequest(input);
    expect(input).toEqual(copy);
  });
});

describe('convertRequest: sampling per model', () => {
  it('leaves out temperature, top_p and top_k on Opus 4.7, which rejects them', () => {
    const { body, warnings } = convertRequest(
      request({ model: 'claude-opus-4-7', temperature: 0.3, top_p: 0.8, top_k: 5 }),
    );
    expect(body).not.toHaveProperty('temperature');
    expect(body).not.toHaveProperty('top_p');
    expect(body).not.toHaveProperty('top_k');
    expect(warnings).toEqual([
      'temperature is not supported by claude-opus-4-7; not sent',
      'top_p is not supported by claude-opus-4-7; not sent',
      'top_k is not supported by claude-opus-4-7; not sent',
    ]);
  });

  it('sends temperature without top_p to models that reject both together', () => {
    const { body, warnings } = convertRequest(
      request({ model: 'claude-haiku-4-5', temperature: 0.3, top_p: 0.8 }),
    );
    expect([body.temperature, body.top_p]).toEqual([0.3, undefined]);
    expect(warnings).toEqual([
      'claude-haiku-4-5 does not accept temperature and top_p together; top_p not sent',
    ]);
  });

  it('caps temperature at 1, Anthropic maximum, with a warning', () => {
    const { body, warnings } = convertRequest(request({ temperature: 1.6 }));
    expect(body.temperature).toBe(1);
    expect(warnings).toEqual(["temperature 1.6 is above Anthropic's maximum of 1; sent 1"]);
  });
});

describe('convertRequest: tools', () => {
  it('converts tools to name, description and input_schema', () => {
    const { body } = convertRequest(
      request({
        tools: [
          weatherTool,
          { type: 'function', function: { name: 'get_time' } },
          {
            type: 'function',
            function: {
              name: 'strict_tool',
              parameters: { type: 'object', properties: {}, additionalProperties: false },
              strict: true,
            },
          },
        ],
      }),
    );
    expect(body.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Current weather for a city.',
        input_schema: weatherTool.function.parameters,
      },
      { name: 'get_time', input_schema: { type: 'object', properties: {} } },
      {
        name: 'strict_tool',
        input_schema: { type: 'object', properties: {}, additionalProperties: false },
        strict: true,
      },
    ]);
    expect(body).not.toHaveProperty('tool_choice');
  });

  it.each([
    ['auto', { type: 'auto' }],
    ['required', { type: 'any' }],
    ['none', { type: 'none' }],
    [
      { type: 'function', function: { name: 'get_weather' } },
      { type: 'tool', name: 'get_weather' },
    ],
  ] as const)('maps tool_choice %o to %o', (choice, expected) => {
    expect(convertRequest(request({ tools: [weatherTool], tool_choice: choice })).body.tool_choice).toEqual(
      expected,
    );
  });

  it('maps parallel_tool_calls false to disable_parallel_tool_use', () => {
    expect(
      convertRequest(request({ tools: [weatherTool], parallel_tool_calls: false })).body.tool_choice,
    ).toEqual({
      type: 'auto',
      disable_parallel_tool_use: true,
    });
    expect(
      convertRequest(request({ tools: [weatherTool], tool_choice: 'required', parallel_tool_calls: false }))
        .body.tool_choice,
    ).toEqual({ type: 'any', disable_parallel_tool_use: true });
  });

  it('sends no tool_choice without tools, warning when it forced a tool', () => {
    const { body, warnings } = convertRequest(request({ tool_choice: 'required' }));
    expect(body).not.toHaveProperty('tool_choice');
    expect(warnings).toEqual(['tool_choice forces a tool but the request has no tools; not sent']);
    expect(convertRequest(request({ tool_choice: 'auto' })).warnings).toEqual([]);
  });
});

describe('convertRequest: response_format', () => {
  const schema = {
    type: 'object',
    properties: { answer: { type: 'string' } },
    required: ['answer'],
    additionalProperties: false,
  };

  it('sends a json_schema as output_config.format', () => {
    const { body, warnings } = convertRequest(
      request({
        response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } },
      }),
    );
    expect(body.output_config).toEqual({ format: { type: 'json_schema', schema } });
    expect(warnings).toEqual([]);
  });

  it('warns about json_object, which has no schema to send', () => {
    const { body, warnings } = convertRequest(request({ response_format: { type: 'json_object' } }));
    expect(body).not.toHaveProperty('output_config');
    expect(warnings).toEqual([
      'response_format json_object has no Anthropic equivalent without a schema; not sent',
    ]);
  });

  it('sends nothing for text', () => {
    const { body, warnings } = convertRequest(request({ response_format: { type: 'text' } }));
    expect(body).not.toHaveProperty('output_config');
    expect(warnings).toEqual([]);
  });

  it('combines the format with an effort', () => {
    const { body } = convertRequest(
      request({
        model: 'claude-opus-4-7',
        reasoning: { effort: 'low' },
        response_format: { type: 'json_schema', json_schema: { name: 'a', schema } },
      }),
    );
    expect(body.output_config).toEqual({ effort: 'low', format: { type: 'json_schema', schema } });
  });
});

describe('convertRequest: reasoning', () => {
  it.each([
    [
      'claude-sonnet-4-5',
      { effort: 'medium' },
      1_000,
      { type: 'enabled', budget_tokens: 16_384 },
      undefined,
      17_384,
    ],
    [
      'claude-sonnet-4-5',
      { max_tokens: 2_000 },
      10_000,
      { type: 'enabled', budget_tokens: 2_000 },
      undefined,
      10_000,
    ],
    [
      'claude-sonnet-4-6',
      { max_tokens: 2_000 },
      10_000,
      { type: 'enabled', budget_tokens: 2_000 },
      undefined,
      10_000,
    ],
    ['claude-sonnet-4-6', { effort: 'high' }, 10_000, { type: 'adaptive' }, 'high', 10_000],
    ['claude-opus-4-7', { effort: 'xhigh' }, 10_000, { type: 'adaptive' }, 'xhigh', 10_000],
    ['claude-opus-4-7', { max_tokens: 30_000 }, 64_000, { type: 'adaptive' }, 'high', 64_000],
    ['claude-opus-4-7', { enabled: true }, 10_000, { type: 'adaptive' }, 'medium', 10_000],
  ] as const)(
    'on %s, %o with max_tokens %i -> thinking %o, effort %s, max_tokens %i',
    (model, reasoning, maxTokens, thinking, effort, sentMax) => {
      const { body } = convertRequest(request({ model, reasoning, max_tokens: maxTokens }));
      expect(body.thinking).toEqual(thinking);
      expect(body.output_config?.effort).toBe(effort);
      expect(body.max_tokens).toBe(sentMax);
    },
  );

  it.each([{ effort: 'none' }, { enabled: false, effort: 'high' }, {}] as const)(
    'does not think for %o',
    (reasoning) => {
      const { body } = convertRequest(request({ model: 'claude-opus-4-7', reasoning }));
      expect(body).not.toHaveProperty('thinking');
      expect(body).not.toHaveProperty('output_config');
    },
  );

  it('leaves out temperature and top_k while thinking, and a top_p below 0.95', () => {
    const { body, warnings } = convertRequest(
      request({
        model: 'claude-3-7-sonnet-latest',
        reasoning: { effort: 'low' },
        max_tokens: 20_000,
        temperature: 0.2,
        top_k: 10,
        top_p: 0.5,
      }),
    );
    expect(body).not.toHaveProperty('temperature');
    expect(body).not.toHaveProperty('top_k');
    expect(body).not.toHaveProperty('top_p');
    expect(warnings).toEqual([
      'temperature cannot be set while thinking; not sent',
      'top_k cannot be set while thinking; not sent',
      'top_p 0.5 is below 0.95, the least allowed while thinking; not sent',
    ]);
    expect(
      convertRequest(
        request({
          model: 'claude-3-7-sonnet-latest',
          reasoning: { effort: 'low' },
          max_tokens: 20_000,
          top_p: 0.97,
        }),
      ).body.top_p,
    ).toBe(0.97);
  });

  it('does not think with a forced tool choice, which Anthropic rejects', () => {
    const { body, warnings } = convertRequest(
      request({
        model: 'claude-sonnet-4-5',
        tools: [weatherTool],
        tool_choice: 'required',
        reasoning: { effort: 'high' },
      }),
    );
    expect(body).not.toHaveProperty('thinking');
    expect(body.tool_choice).toEqual({ type: 'any' });
    expect(warnings).toEqual([
      'reasoning was not enabled: Anthropic does not allow thinking together with a forced tool choice',
    ]);
  });

  it('does not think when continuing a tool-use turn, but keeps the effort', () => {
    const { body, warnings } = convertRequest(
      request({
        model: 'claude-opus-4-7',
        tools: [weatherTool],
        reasoning: { effort: 'medium' },
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          {
            role: 'assistant',
            tool_calls: [
              {
                id: 'toolu_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_1', content: '18°C, cloudy' },
        ],
      }),
    );
    expect(body).not.toHaveProperty('thinking');
    expect(body.output_config).toEqual({ effort: 'medium' });
    expect(warnings).toEqual([
      'reasoning was not enabled: the conversation continues a tool-use turn whose thinking blocks (with their signatures) are not part of the request',
    ]);
  });

  it('thinks again once the user speaks after the tool results', () => {
    const { body } = convertRequest(
      request({
        model: 'claude-sonnet-4-5',
        max_tokens: 40_000,
        reasoning: { effort: 'low' },
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          {
            role: 'assistant',
            tool_calls: [
              { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
          { role: 'assistant', content: 'It is 18°C.' },
          { role: 'user', content: 'And tomorrow?' },
        ],
      }),
    );
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 4_096 });
  });
});

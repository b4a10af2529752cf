import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest } from '../../core/chat-request.js';
import { routerErrorOf } from '../../core/test-support/router-error-of.js';
import { convertRequest } from './convert-request.js';

function request(messages: ChatMessage[], extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'gemini-2.5-flash', messages, ...extra };
}

describe('convertRequest: messages', () => {
  it('puts system and developer messages into systemInstruction', () => {
    const { body, warnings } = convertRequest(
      request([
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }] },
        { role: 'user', content: 'Hi' },
      ]),
    );
    expect(body.systemInstruction).toEqual({
      parts: [{ text: 'You are terse.' }, { text: 'Answer in English.' }],
    });
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'Hi' }] }]);
    expect(warnings).toEqual([]);
  });

  it('warns when a system message comes after the conversation started', () => {
    const { body, warnings } = convertRequest(
      request([
        { role: 'user', content: 'Hi' },
        { role: 'system', content: 'Be brief.' },
      ]),
    );
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
    expect(warnings).toEqual([
      'messages[1]: system message after the conversation started moved into systemInstruction',
    ]);
  });

  it('maps assistant to model and merges consecutive turns of one role', () => {
    const { body } = convertRequest(
      request([
        { role: 'user', content: 'one' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'two' },
            { type: 'text', text: 'three' },
          ],
        },
        { role: 'assistant', content: 'four' },
        { role: 'assistant', content: 'five' },
        { role: 'user', content: 'six' },
      ]),
    );
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'one' }, { text: 'two' }, { text: 'three' }] },
      { role: 'model', parts: [{ text: 'four' }, { text: 'five' }] },
      { role: 'user', parts: [{ text: 'six' }] },
    ]);
  });

  it('skips empty messages and empty text parts', () => {
    const { body } = convertRequest(
      request([
        { role: 'user', content: 'q' },
        { role: 'assistant', content: '' },
        { role: 'assistant', content: null },
        {
          role: 'user',
          content: [
            { type: 'text', text: '' },
            { type: 'text', text: 'r' },
          ],
        },
      ]),
    );
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'q' }, { text: 'r' }] }]);
    expect(body.systemInstruction).toBeUndefined();
  });

  it('does not send back the reasoning of earlier turns', () => {
    const { body } = convertRequest(
      request([
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a', reasoning: 'thinking...' },
      ]),
    );
    expect(body.contents[1]).toEqual({ role: 'model', parts: [{ text: 'a' }] });
  });

  it('drops unsupported content parts with a warning', () => {
    const { body, warnings } = convertRequest(
      request([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'x' },
            { type: 'video_url', video_url: { url: 'v' } },
          ],
        },
      ]),
    );
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'x' }] }]);
    expect(warnings).toEqual([
      'messages[0].content[1]: content part type "video_url" is not supported by Gemini; dropped',
    ]);
  });

  it('drops images in system messages with a warning', () => {
    const { body, warnings } = convertRequest(
      request([
        {
          role: 'system',
          content: [
            { type: 'text', text: 'rules' },
            { type: 'image_url', image_url: { url: 'https://example.com/logo.png' } },
          ],
        },
        { role: 'user', content: 'q' },
      ]),
    );
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'rules' }] });
    expect(warnings).toEqual([
      'messages[0]: non-text content in a system message is not supported by Gemini; dropped',
    ]);
  });
});

describe('convertRequest: images and files', () => {
  it.each([
    [
      'a base64 data URL',
      'data:image/png;base64,iVBORw0KGgo=',
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
    ],
    [
      'a percent-encoded data URL',
      'data:image/svg+xml,%3Csvg%2F%3E',
      { inlineData: { mimeType: 'image/svg+xml', data: Buffer.from('<svg/>').toString('base64') } },
    ],
    [
      'a JPEG URL',
      'https://example.com/cat.JPG?size=large',
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.JPG?size=large' } },
    ],
    [
      'a PDF URL',
      'https://example.com/spec.pdf',
      { fileData: { mimeType: 'application/pdf', fileUri: 'https://example.com/spec.pdf' } },
    ],
    [
      'a Cloud Storage URI',
      'gs://bucket/diagram.webp',
      { fileData: { mimeType: 'image/webp', fileUri: 'gs://bucket/diagram.webp' } },
    ],
  ])('converts %s', (_label, url, expected) => {
    const { body, warnings } = convertRequest(
      request([{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }]),
    );
    expect(body.contents[0]?.parts).toEqual([expected]);
    expect(warnings).toEqual([]);
  });

  it('warns when the MIME type of a remote image cannot be guessed', () => {
    const { body, warnings } = convertRequest(
      request([
        {
          role: 'user',
          content: [{ type: 'image_url', image_url: { url: 'https://example.com/render?id=4' } }],
        },
      ]),
    );
    expect(body.contents[0]?.parts).toEqual([{ fileData: { fileUri: 'https://example.com/render?id=4' } }]);
    expect(warnings).toEqual([
      'messages[0].content[0]: cannot tell the MIME type of https://example.com/render?id=4 from its extension; sent without one',
    ]);
  });

  it('rejects a data URL without a MIME type', () => {
    const error = routerErrorOf(() =>
      convertRequest(
        request([
          { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:;base64,AAAA' } }] },
        ]),
      ),
    );
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain('messages[0].content[0]');
  });

  it('converts input_audio and file parts', () => {
    const { body } = convertRequest(
      request([
        {
          role: 'user',
          content: [
            { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
            { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
          ],
        },
      ]),
    );
    expect(body.contents[0]?.parts).toEqual([
      { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
    ]);
  });
});

describe('convertRequest: tool calls and results', () => {
  const conversation: ChatMessage[] = [
    { role: 'user', content: 'Weather in Paris and London?' },
    {
      role: 'assistant',
      content: 'Checking.',
      tool_calls: [
        { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_a', content: '{"temperature":21}' },
    { role: 'tool', tool_call_id: 'call_b', content: '12:00' },
    { role: 'user', content: 'Thanks' },
  ];

  it('converts tool calls to functionCall parts and tool messages to functionResponse parts in one user turn', () => {
    const { body } = convertRequest(request(conversation));
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and London?' }] },
      {
        role: 'model',
        parts: [
          { text: 'Checking.' },
          {
            functionCall: { name: 'get_weather', args: { city: 'Paris' } },
            thoughtSignature: 'skip_thought_signature_validator',
          },
          { functionCall: { name: 'get_time', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { temperature: 21 } } },
          { functionResponse: { name: 'get_time', response: { result: '12:00' } } },
          { text: 'Thanks' },
        ],
      },
    ]);
  });

  it.each([
    ['a JSON array', '[1,2]', { result: [1, 2] }],
    ['a JSON number', '42', { result: 42 }],
    ['JSON null', 'null', { result: null }],
    ['plain text', 'not json {', { result: 'not json {' }],
    ['a JSON object', '{"ok":true}', { ok: true }],
  ])('wraps a tool result that is %s', (_label, content, response) => {
    const { body } = convertRequest(
      request([
        {
          role: 'assistant',
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content },
      ]),
    );
    expect(body.contents[1]?.parts).toEqual([{ functionResponse: { name: 'f', response } }]);
  });

  it('finds the function name from the most recent call with that id', () => {
    const { body } = convertRequest(
      request([
        {
          role: 'assistant',
          tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'first', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'call_0', content: 'a' },
        {
          role: 'assistant',
          tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'second', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'call_0', content: 'b' },
      ]),
    );
    expect(body.contents[3]?.parts).toEqual([
      { functionResponse: { name: 'second', response: { result: 'b' } } },
    ]);
  });

  it('falls back to the name on the tool message', () => {
    const { body } = convertRequest(
      request([{ role: 'tool', tool_call_id: 'gone', name: 'lookup', content: 'x' }]),
    );
    expect(body.contents[0]?.parts).toEqual([
      { functionResponse: { name: 'lookup', response: { result: 'x' } } },
    ]);
  });

  it('rejects a tool message whose call id is unknown', () => {
    const error = routerErrorOf(() =>
      convertRequest(request([{ role: 'tool', tool_call_id: 'call_zz', content: 'x' }])),
    );
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain('"call_zz"');
  });

  it.each([
    ['invalid JSON', '{"city":', 'are not valid JSON'],
    ['a JSON array', '[1]', 'must be a JSON object'],
  ])('rejects tool-call arguments that are %s, naming the call id', (_label, argumentsText, reason) => {
    const error = routerErrorOf(() =>
      convertRequest(
        request([
          {
            role: 'assistant',
            tool_calls: [
              { id: 'call_bad', type: 'function', function: { name: 'f', arguments: argumentsText } },
            ],
          },
        ]),
      ),
    );
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain('"call_bad"');
    expect(error.message).toContain(reason);
  });
});

describe('convertRequest: tools and tool_choice', () => {
  const tools: ChatRequest['tools'] = [
    {
      type: 'function',
      function: {
        name: 'read_file',
        description: 'Read a file',
        parameters: {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          properties: { path: { type: 'string' } },
          required: ['path'],
          additionalProperties: false,
        },
      },
    },
    { type: 'function', function: { name: 'list_files', parameters: { type: 'object', properties: {} } } },
  ];

  it('converts function tools to one tool of function declarations, dropping rejected schema keys with a warning', () => {
    const { body, warnings } = convertRequest(request([{ role: 'user', content: 'q' }], { tools }));
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'read_file',
            description: 'Read a file',
            parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
          },
          { name: 'list_files' },
        ],
      },
    ]);
    expect(body.toolConfig).toBeUndefined();
    expect(warnings).toEqual([
      'tools[0] "read_file": schema keys Gemini does not accept were dropped: parameters.$schema, parameters.additionalProperties',
    ]);
  });

  it.each([
    ['auto', { functionCallingConfig: { mode: 'AUTO' } }],
    ['required', { functionCallingConfig: { mode: 'ANY' } }],
    ['none', { functionCallingConfig: { mode: 'NONE' } }],
    [
      { type: 'function', function: { name: 'list_files' } },
      { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['list_files'] } },
    ],
  ] as const)('maps tool_choice %j', (toolChoice, toolConfig) => {
    const { body } = convertRequest(
      request([{ role: 'user', content: 'q' }], { tools, tool_choice: toolChoice }),
    );
    expect(body.toolConfig).toEqual(toolConfig);
  });

  it('rejects a named tool_choice that is not among the tools', () => {
    const error = routerErrorOf(() =>
      convertRequest(
        request([{ role: 'user', content: 'q' }], {
          tools,
          tool_choice: { type: 'function', function: { name: 'nope' } },
        }),
      ),
    );
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain('"nope"');
  });

  it('ignores tool_choice auto without tools', () => {
    const { body } = convertRequest(request([{ role: 'user', content: 'q' }], { tool_choice: 'auto' }));
    expect(body.tools).toBeUndefined();
    expect(body.toolConfig).toBeUndefined();
  });

  it('warns about settings Gemini cannot express', () => {
    const { warnings } = convertRequest(
      request([{ role: 'user', content: 'q' }], {
        tools: [
          {
            type: 'function',
            function: {
              name: 'f',
              strict: true,
              parameters: { type: 'object', properties: { a: { type: 'string' } } },
            },
          },
        ],
        parallel_tool_calls: false,
      }),
    );
    expect(warnings).toEqual([
      'tools[0] "f": strict schema adherence is not supported by Gemini; ignored',
      'parallel_tool_calls: false is not supported by Gemini; the model may still call several tools',
    ]);
  });
});

describe('convertRequest: generation config', () => {
  it('maps sampling settings', () => {
    const { body, warnings } = convertRequest(
      request([{ role: 'user', content: 'q' }], {
        max_tokens: 512,
        temperature: 0.2,
        top_p: 0.9,
        top_k: 40,
        stop: ['END', 'STOP'],
        seed: 7,
        presence_penalty: 0.5,
        frequency_penalty: -0.5,
      }),
    );
    expect(body.generationConfig).toEqual({
      maxOutputTokens: 512,
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stopSequences: ['END', 'STOP'],
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
    });
    expect(warnings).toEqual([]);
  });

  it('prefers max_completion_tokens and accepts a single stop string', () => {
    const { body } = convertRequest(
      request([{ role: 'user', content: 'q' }], { max_tokens: 10, max_completion_tokens: 20, stop: '###' }),
    );
    expect(body.generationConfig).toEqual({ maxOutputTokens: 20, stopSequences: ['###'] });
  });

  it('sends no generationConfig when nothing is set', () => {
    expect(convertRequest(request([{ role: 'user', content: 'q' }])).body.generationConfig).toBeUndefined();
  });

  it.each([
    [{ type: 'text' }, undefined],
    [{ type: 'json_object' }, { responseMimeType: 'application/json' }],
    [
      {
        type: 'json_schema',
        json_schema: {
          name: 'answer',
          schema: { type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } },
        },
      },
      {
        responseMimeType: 'application/json',
        responseJsonSchema: {
          type: 'object',
          additionalProperties: false,
          properties: { a: { type: 'string' } },
        },
      },
    ],
  ] as const)('maps response_format %j', (responseFormat, generationConfig) => {
    const { body } = convertRequest(
      request([{ role: 'user', content: 'q' }], { response_format: responseFormat }),
    );
    expect(body.generationConfig).toEqual(generationConfig);
  });

  it('warns about OpenAI parameters Gemini has no equivalent for', () => {
    const { warnings } = convertRequest(
      request([{ role: 'user', content: 'q' }], { logit_bias: { '50256': -100 }, logprobs: true, n: 2 }),
    );
    expect(warnings).toEqual([
      'logit_bias is not supported by Gemini; ignored',
      'logprobs is not supported by Gemini; ignored',
      'n: 2 is not supported; Gemini returns one choice',
    ]);
  });
});

describe('convertRequest: reasoning', () => {
  it.each([
    [{ max_tokens: 2000 }, { thinkingBudget: 2000, includeThoughts: true }],
    [
      { max_tokens: 2000, effort: 'high' },
      { thinkingBudget: 2000, includeThoughts: true },
    ],
    [{ effort: 'minimal' }, { thinkingBudget: 1024, includeThoughts: true }],
    [{ effort: 'low' }, { thinkingBudget: 1024, includeThoughts: true }],
    [{ effort: 'medium' }, { thinkingBudget: 8192, includeThoughts: true }],
    [{ effort: 'high' }, { thinkingBudget: 24576, includeThoughts: true }],
    [{ effort: 'high', exclude: true }, { thinkingBudget: 24576 }],
    [{ enabled: true }, { thinkingBudget: 8192, includeThoughts: true }],
    [{ effort: 'none' }, { thinkingBudget: 0 }],
    [{ enabled: false, effort: 'high' }, { thinkingBudget: 0 }],
    [{ exclude: true }, undefined],
    [{}, undefined],
  ] as const)('maps reasoning %j', (reasoning, thinkingConfig) => {
    const { body, warnings } = convertRequest(request([{ role: 'user', content: 'q' }], { reasoning }));
    expect(body.generationConfig?.thinkingConfig).toEqual(thinkingConfig);
    expect(warnings).toEqual([]);
  });

  it('sends xhigh as the high budget with a warning', () => {
    const { body, warnings } = convertRequest(
      request([{ role: 'user', content: 'q' }], { reasoning: { effort: 'xhigh' } }),
    );
    expect(body.generationConfig?.thinkingConfig).toEqual({ thinkingBudget: 24576, includeThoughts: true });
    expect(warnings).toEqual([
      'reasoning.effort "xhigh" has no larger Gemini budget than "high"; sent as 24576 tokens',
    ]);
  });

  it('accepts the top-level reasoning_effort of OpenAI clients', () => {
    const { body } = convertRequest(request([{ role: 'user', content: 'q' }], { reasoning_effort: 'low' }));
    expect(body.generationConfig?.thinkingConfig).toEqual({ thinkingBudget: 1024, includeThoughts: true });
  });
});

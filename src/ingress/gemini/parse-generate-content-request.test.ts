import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RouterError } from '../../core/errors.js';
import { parseChatRequest } from '../../server/parse-chat-request.js';
import type { IngressContext } from '../ingress-adapter.js';
import { parseGenerateContentRequest } from './parse-generate-content-request.js';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));
}

function context(overrides: Partial<IngressContext> = {}): IngressContext {
  return { headers: {}, query: new URLSearchParams(), pathModel: 'openrouter/pareto-code', ...overrides };
}

const streamContext = () => context({ pathStream: true, query: new URLSearchParams('alt=sse') });

/** Parses a body holding the given contents (and other fields), non-streamed. */
function parse(body: Record<string, unknown>) {
  return parseGenerateContentRequest(body, context());
}

const hello = [{ role: 'user', parts: [{ text: 'hello' }] }];

/** The 400 message a body is refused with. */
function refusal(body: unknown, ctx: IngressContext = context()): string {
  try {
    parseGenerateContentRequest(body, ctx);
  } catch (error) {
    expect(error).toBeInstanceOf(RouterError);
    expect((error as RouterError).status).toBe(400);
    expect((error as RouterError).code).toBe('invalid_request');
    return (error as RouterError).message;
  }
  throw new Error('the body was accepted');
}

describe('parseGenerateContentRequest: a Gemini CLI turn', () => {
  const parsed = parseGenerateContentRequest(fixture('gemini-cli-request.json'), streamContext());

  it('converts the conversation, keeping the call ids deterministic and matching the CLI-made response id', () => {
    expect(parsed.body.messages).toEqual([
      {
        role: 'system',
        content:
          'You are an interactive CLI agent specializing in software engineering tasks. Your primary goal is to help users safely and efficiently, adhering strictly to the following instructions and utilizing your available tools.',
      },
      { role: 'user', content: expect.stringMatching(/^This is the Gemini CLI\. .*└───cart\.ts$/s) },
      { role: 'assistant', content: 'Got it. Thanks for the context!' },
      {
        role: 'user',
        content: 'The cart total is missing the first item. Find the bug in src/cart.ts and fix it.',
      },
      {
        role: 'assistant',
        content: "I'll read the file first.",
        tool_calls: [
          {
            id: 'call_3_0',
            type: 'function',
            function: { name: 'read_file', arguments: '{"absolute_path":"/home/dev/shop-api/src/cart.ts"}' },
          },
        ],
      },
      {
        role: 'tool',
        tool_call_id: 'call_3_0',
        content:
          'export function total(items: Item[]): number {\n  let sum = 0;\n  for (let i = 1; i < items.length; i++) sum += items[i].price;\n  return sum;\n}\n',
      },
    ]);
  });

  it('converts the generation settings and the parametersJsonSchema tools as they are', () => {
    expect(parsed.body).toMatchObject({
      model: 'openrouter/pareto-code',
      stream: true,
      temperature: 1,
      top_p: 0.95,
      top_k: 64,
      reasoning: { max_tokens: 8192 },
    });
    const tools = parsed.body.tools as { function: { name: string; parameters: unknown } }[];
    expect(tools.map((tool) => tool.function.name)).toEqual(['read_file', 'replace', 'run_shell_command']);
    const declarations = (
      fixture('gemini-cli-request.json').tools as { functionDeclarations: unknown[] }[]
    )[0]!.functionDeclarations as { parametersJsonSchema: unknown }[];
    expect(tools[1]!.function.parameters).toEqual(declarations[1]!.parametersJsonSchema);
    expect(parsed.body).not.toHaveProperty('tool_choice');
  });

  it('reports the thought signature it cannot carry, once', () => {
    expect(parsed.warnings).toEqual([
      'contents: 1 thoughtSignature value(s) dropped; they only carry over to a Gemini upstream',
    ]);
  });

  it('keeps the whole body, signature included, for a Gemini upstream', () => {
    expect(parsed.native).toEqual({
      protocol: 'gemini',
      body: fixture('gemini-cli-request.json'),
      headers: {},
    });
  });

  it('gives a body the chat-completions validator accepts', () => {
    const chat = parseChatRequest(parsed.body, {});
    expect(chat.stream).toBe(true);
    expect(chat.requestedModel).toBe('openrouter/pareto-code');
    expect(chat.routerModel).not.toBeNull();
    expect(chat.sessionKey).toMatch(/^hash:/);
  });
});

describe('parseGenerateContentRequest: function declarations in Gemini Schema', () => {
  const parsed = parse(fixture('function-declarations-request.json'));

  it('converts the schema to JSON Schema', () => {
    expect(parsed.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'book_table',
          description: 'Books a restaurant table.',
          parameters: {
            type: 'object',
            properties: {
              city: { type: 'string', description: 'City name.' },
              time: { type: ['string', 'null'], format: 'date-time' },
              guests: { type: 'integer', minimum: 1, maximum: 12 },
              seating: { type: 'string', enum: ['indoor', 'terrace'] },
              tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 5 },
              contact: {
                anyOf: [
                  { type: 'string', examples: ['+33 4 00 00 00 00'] },
                  { type: 'object', properties: { email: { type: 'string' } } },
                  { type: 'null' },
                ],
              },
            },
            required: ['city', 'guests'],
          },
        },
      },
    ]);
  });

  it('turns ANY with one allowed name into a named choice and converts generationConfig', () => {
    expect(parsed.body).toMatchObject({
      tool_choice: { type: 'function', function: { name: 'book_table' } },
      max_tokens: 1024,
      stop: ['\n\n###'],
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      stream: false,
    });
    expect(parsed.body.messages).toEqual([
      { role: 'user', content: 'Book a table for two at 19:30 in Lyon.' },
    ]);
  });

  it('drops the built-in tool with a warning and accepts safetySettings and labels silently', () => {
    expect(parsed.warnings).toEqual([
      "tools[1].googleSearch: Gemini's built-in tools run only on Gemini; dropped",
    ]);
    expect(parsed.native?.body.safetySettings).toEqual([
      { category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_ONLY_HIGH' },
    ]);
    expect(parsed.body).not.toHaveProperty('safetySettings');
    expect(parsed.body).not.toHaveProperty('labels');
  });
});

describe('parseGenerateContentRequest: contents', () => {
  it('takes a missing role as user and joins several text parts as parts', () => {
    const parsed = parse({ contents: [{ parts: [{ text: 'a' }, { text: 'b' }] }] });
    expect(parsed.body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
    ]);
  });

  it("takes an early client's function turn as a user turn", () => {
    const parsed = parse({
      contents: [
        ...hello,
        { role: 'model', parts: [{ functionCall: { name: 'now' } }] },
        { role: 'function', parts: [{ functionResponse: { name: 'now', response: { result: '12:00' } } }] },
      ],
    });
    expect((parsed.body.messages as unknown[])[2]).toEqual({
      role: 'tool',
      tool_call_id: 'call_1_0',
      content: '12:00',
    });
  });

  it('turns thought parts of a model turn into reasoning', () => {
    const parsed = parse({
      contents: [
        ...hello,
        { role: 'model', parts: [{ text: 'Weighing it.', thought: true }, { text: 'Hi.' }] },
        { role: 'user', parts: [{ text: 'again' }] },
      ],
    });
    expect((parsed.body.messages as unknown[])[1]).toEqual({
      role: 'assistant',
      content: 'Hi.',
      reasoning: 'Weighing it.',
    });
  });

  it('converts inline images, PDFs and audio, and file references', () => {
    const parsed = parse({
      contents: [
        {
          role: 'user',
          parts: [
            { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
            { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=', displayName: 'spec.pdf' } },
            { inlineData: { mimeType: 'audio/mpeg', data: 'SUQz' } },
            { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.jpg' } },
            {
              fileData: {
                mimeType: 'video/mp4',
                fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc123',
              },
            },
          ],
        },
      ],
    });
    expect(parsed.body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'spec.pdf' } },
          { type: 'input_audio', input_audio: { data: 'SUQz', format: 'mp3' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          {
            type: 'file',
            file: { file_data: 'https://generativelanguage.googleapis.com/v1beta/files/abc123' },
          },
        ],
      },
    ]);
    expect(parsed.warnings).toEqual([
      'contents[0].parts[4].fileData: https://generativelanguage.googleapis.com/v1beta/files/abc123 can be read only by a Gemini upstream',
    ]);
  });

  it('synthesizes call ids per turn and position, and matches id-less responses by name in order', () => {
    const parsed = parse({
      contents: [
        ...hello,
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'read_file', args: { path: 'a.ts' } } },
            { functionCall: { name: 'read_file', args: { path: 'b.ts' } } },
            { functionCall: { name: 'glob', args: {} } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'glob', response: { output: ['a.ts', 'b.ts'] } } },
            { functionResponse: { name: 'read_file', response: { output: 'A' } } },
            { functionResponse: { name: 'read_file', response: { error: 'ENOENT' } } },
            { text: 'Summarize.' },
          ],
        },
      ],
    });
    const messages = parsed.body.messages as Record<string, unknown>[];
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_1_0', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.ts"}' } },
        { id: 'call_1_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"b.ts"}' } },
        { id: 'call_1_2', type: 'function', function: { name: 'glob', arguments: '{}' } },
      ],
    });
    expect(messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'call_1_2', content: '{"output":["a.ts","b.ts"]}' },
      { role: 'tool', tool_call_id: 'call_1_0', content: 'A' },
      { role: 'tool', tool_call_id: 'call_1_1', content: '{"error":"ENOENT"}' },
      { role: 'user', content: 'Summarize.' },
    ]);
  });

  it('keeps caller ids and matches responses by id first', () => {
    const parsed = parse({
      contents: [
        ...hello,
        {
          role: 'model',
          parts: [
            { functionCall: { id: 'fc-1', name: 'search', args: { q: 'x' } } },
            { functionCall: { id: 'fc-2', name: 'search', args: { q: 'y' } } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { id: 'fc-2', name: 'search', response: { result: 'Y' } } },
            { functionResponse: { id: 'fc-1', name: 'search', response: { result: 'X' } } },
          ],
        },
      ],
    });
    expect((parsed.body.messages as unknown[]).slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'fc-2', content: 'Y' },
      { role: 'tool', tool_call_id: 'fc-1', content: 'X' },
    ]);
  });

  it('puts the media of a multimodal function response beside its text', () => {
    const parsed = parse({
      contents: [
        ...hello,
        { role: 'model', parts: [{ functionCall: { name: 'screenshot' } }] },
        {
          role: 'user',
          parts: [
            {
              functionResponse: {
                name: 'screenshot',
                response: { output: 'captured' },
                parts: [{ inlineData: { mimeType: 'image/webp', data: 'UklGRg==' } }],
              },
            },
          ],
        },
      ],
    });
    expect((parsed.body.messages as unknown[])[2]).toEqual({
      role: 'tool',
      tool_call_id: 'call_1_0',
      content: [
        { type: 'text', text: 'captured' },
        { type: 'image_url', image_url: { url: 'data:image/webp;base64,UklGRg==' } },
      ],
    });
  });

  it('sends code execution parts as text with a warning, and drops server-side tool parts', () => {
    const parsed = parse({
      contents: [
        ...hello,
        {
          role: 'model',
          parts: [
            { executableCode: { language: 'PYTHON', code: 'print(1 + 1)' } },
            { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '2\n' } },
            { toolCall: { toolType: 'GOOGLE_SEARCH_WEB', args: { q: 'x' } } },
            { text: 'It prints 2.' },
          ],
        },
        { role: 'user', parts: [{ text: 'ok' }] },
      ],
    });
    expect((parsed.body.messages as unknown[])[1]).toEqual({
      role: 'assistant',
      content: '```python\nprint(1 + 1)\n```\nCode execution result (OUTCOME_OK):\n2\n\nIt prints 2.',
    });
    expect(parsed.warnings).toEqual([
      'contents[1].parts[0].executableCode: Gemini code execution has no canonical form; sent as text',
      'contents[1].parts[1].codeExecutionResult: Gemini code execution has no canonical form; sent as text',
      'contents[1].parts[2]: toolCall in a model turn cannot be carried to the model; dropped',
    ]);
  });

  it('drops the placeholder signature silently and skips parts holding only a signature', () => {
    const parsed = parse({
      contents: [
        ...hello,
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'ls', args: {} }, thoughtSignature: 'skip_thought_signature_validator' },
            { thoughtSignature: 'CiQBVKhc7xN0' },
          ],
        },
        { role: 'user', parts: [{ functionResponse: { name: 'ls', response: { output: '' } } }] },
      ],
    });
    expect(parsed.warnings).toEqual([
      'contents: 1 thoughtSignature value(s) dropped; they only carry over to a Gemini upstream',
    ]);
    expect((parsed.body.messages as unknown[]).length).toBe(3);
  });

  it('takes systemInstruction as a string, a part list or a Content', () => {
    expect(parse({ systemInstruction: 'Be brief.', contents: hello }).body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hello' },
    ]);
    expect(
      (
        parse({ systemInstruction: [{ text: 'One.' }, { text: 'Two.' }], contents: hello }).body
          .messages as unknown[]
      )[0],
    ).toEqual({
      role: 'system',
      content: [
        { type: 'text', text: 'One.' },
        { type: 'text', text: 'Two.' },
      ],
    });
    const withImage = parse({
      systemInstruction: {
        parts: [{ text: 'Rules.' }, { inlineData: { mimeType: 'image/png', data: 'AA==' } }],
      },
      contents: hello,
    });
    expect((withImage.body.messages as unknown[])[0]).toEqual({ role: 'system', content: 'Rules.' });
    expect(withImage.warnings).toEqual([
      'systemInstruction.parts[1]: only text can be a system instruction; inlineData dropped',
    ]);
  });
});

describe('parseGenerateContentRequest: tools and toolConfig', () => {
  const tool = (name: string) => ({ name, parametersJsonSchema: { type: 'object', properties: {} } });
  const withConfig = (functionCallingConfig: unknown) =>
    parse({
      contents: hello,
      tools: [{ functionDeclarations: [tool('a'), tool('b')] }],
      toolConfig: { functionCallingConfig },
    });

  it('maps AUTO, NONE, ANY and VALIDATED', () => {
    expect(withConfig({ mode: 'AUTO' }).body.tool_choice).toBe('auto');
    expect(withConfig({ mode: 'NONE' }).body.tool_choice).toBe('none');
    expect(withConfig({ mode: 'ANY' }).body.tool_choice).toBe('required');
    const validated = withConfig({ mode: 'VALIDATED' });
    expect(validated.body.tool_choice).toBe('auto');
    expect(validated.warnings).toEqual([
      'toolConfig.functionCallingConfig.mode: VALIDATED has no canonical form; sent as auto',
    ]);
  });

  it('sends ANY with several allowed names as required, with a warning', () => {
    const parsed = withConfig({ mode: 'ANY', allowedFunctionNames: ['a', 'b'] });
    expect(parsed.body.tool_choice).toBe('required');
    expect(parsed.warnings).toEqual([
      'toolConfig.functionCallingConfig.allowedFunctionNames: the canonical form forces one function or any; sent as any of all 2',
    ]);
  });

  it('refuses an allowed name that is not declared, a mode it does not know, and duplicate names', () => {
    expect(
      refusal({
        contents: hello,
        tools: [{ functionDeclarations: [tool('a')] }],
        toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['zap'] } },
      }),
    ).toBe(
      'toolConfig.functionCallingConfig.allowedFunctionNames[0]: "zap" is not among the declared functions',
    );
    expect(refusal({ contents: hello, toolConfig: { functionCallingConfig: { mode: 'SOMETIMES' } } })).toBe(
      'toolConfig.functionCallingConfig.mode: expected AUTO, ANY, NONE or VALIDATED, got "SOMETIMES"',
    );
    expect(
      refusal({
        contents: hello,
        tools: [{ functionDeclarations: [tool('a')] }, { functionDeclarations: [tool('a')] }],
      }),
    ).toBe('tools: function "a" is declared more than once');
  });

  it('refuses parameters and parametersJsonSchema together, and an unknown schema type', () => {
    expect(
      refusal({
        contents: hello,
        tools: [
          { functionDeclarations: [{ name: 'a', parameters: { type: 'OBJECT' }, parametersJsonSchema: {} }] },
        ],
      }),
    ).toBe(
      'tools[0].functionDeclarations[0]: parameters and parametersJsonSchema are mutually exclusive; send one',
    );
    expect(
      refusal({
        contents: hello,
        tools: [
          {
            functionDeclarations: [
              { name: 'a', parameters: { type: 'OBJECT', properties: { n: { type: 'DECIMAL' } } } },
            ],
          },
        ],
      }),
    ).toBe(
      'tools[0].functionDeclarations[0].parameters.properties.n.type: unknown type "DECIMAL"; expected one of STRING, NUMBER, INTEGER, BOOLEAN, ARRAY, OBJECT, NULL',
    );
  });
});

describe('parseGenerateContentRequest: generationConfig', () => {
  const withConfig = (generationConfig: unknown) => parse({ contents: hello, generationConfig });

  it('maps thinking budgets and levels to reasoning', () => {
    expect(withConfig({ thinkingConfig: { thinkingBudget: 0 } }).body.reasoning).toEqual({ enabled: false });
    expect(
      withConfig({ thinkingConfig: { thinkingBudget: -1, includeThoughts: true } }).body.reasoning,
    ).toEqual({ enabled: true });
    expect(withConfig({ thinkingConfig: { thinkingBudget: 2048 } }).body.reasoning).toEqual({
      max_tokens: 2048,
      exclude: true,
    });
    expect(
      withConfig({ thinkingConfig: { thinkingLevel: 'LOW', includeThoughts: true } }).body.reasoning,
    ).toEqual({ effort: 'low' });
    expect(withConfig({ thinkingConfig: { thinkingLevel: 'HIGH' } }).body.reasoning).toEqual({
      effort: 'high',
      exclude: true,
    });
    expect(withConfig({ thinkingConfig: { includeThoughts: true } }).body).not.toHaveProperty('reasoning');
  });

  it('maps JSON output with and without a schema', () => {
    expect(withConfig({ responseMimeType: 'application/json' }).body.response_format).toEqual({
      type: 'json_object',
    });
    expect(
      withConfig({
        responseMimeType: 'application/json',
        responseJsonSchema: { type: 'object', additionalProperties: false },
      }).body.response_format,
    ).toEqual({
      type: 'json_schema',
      json_schema: { name: 'response', schema: { type: 'object', additionalProperties: false } },
    });
    expect(
      withConfig({
        responseMimeType: 'application/json',
        responseSchema: { type: 'ARRAY', items: { type: 'STRING' } },
      }).body.response_format,
    ).toEqual({
      type: 'json_schema',
      json_schema: { name: 'response', schema: { type: 'array', items: { type: 'string' } } },
    });
    const enumOutput = withConfig({
      responseMimeType: 'text/x.enum',
      responseSchema: { type: 'STRING', enum: ['a'] },
    });
    expect(enumOutput.body).not.toHaveProperty('response_format');
    expect(enumOutput.warnings).toEqual([
      'generationConfig.responseMimeType: "text/x.enum" is not supported; ignored',
    ]);
  });

  it('warns about settings it cannot carry', () => {
    const parsed = withConfig({
      responseLogprobs: true,
      responseModalities: ['TEXT', 'IMAGE'],
      mediaResolution: 'MEDIA_RESOLUTION_LOW',
    });
    expect(parsed.warnings).toEqual([
      'generationConfig.responseModalities: only TEXT answers are supported; IMAGE ignored',
      'generationConfig.responseLogprobs: has no canonical form; ignored',
      'generationConfig.mediaResolution: has no canonical form; ignored',
    ]);
  });

  it('refuses several candidates, both thinking controls, and values of the wrong type', () => {
    expect(refusal({ contents: hello, generationConfig: { candidateCount: 2 } })).toBe(
      'generationConfig.candidateCount: only 1 candidate is supported, got 2',
    );
    expect(
      refusal({
        contents: hello,
        generationConfig: { thinkingConfig: { thinkingBudget: 100, thinkingLevel: 'LOW' } },
      }),
    ).toBe(
      'generationConfig.thinkingConfig: thinkingBudget and thinkingLevel cannot be used together; send one',
    );
    expect(refusal({ contents: hello, generationConfig: { temperature: 'warm' } })).toBe(
      'generationConfig.temperature: expected a number, got "warm"',
    );
    expect(refusal({ contents: hello, generationConfig: { maxOutputTokens: 0 } })).toBe(
      'generationConfig.maxOutputTokens: must be at least 1, got 0',
    );
    expect(
      refusal({ contents: hello, generationConfig: { thinkingConfig: { thinkingLevel: 'ULTRA' } } }),
    ).toBe(
      'generationConfig.thinkingConfig.thinkingLevel: expected one of MINIMAL, LOW, MEDIUM, HIGH, got "ULTRA"',
    );
  });
});

describe('parseGenerateContentRequest: router fields, caches and countTokens', () => {
  it('copies plugins, provider and session_id, and keeps them out of the native body', () => {
    const plugins = [{ id: 'pareto-router', min_coding_score: 0.8 }];
    const parsed = parse({ contents: hello, plugins, provider: { only: ['google'] }, session_id: 's-1' });
    expect(parsed.body).toMatchObject({ plugins, provider: { only: ['google'] }, session_id: 's-1' });
    expect(parsed.native?.body).toEqual({ contents: hello });
  });

  it('drops cachedContent with a warning and reports unknown fields', () => {
    const parsed = parse({ contents: hello, cachedContent: 'cachedContents/abc', sessionTag: 'x' });
    expect(parsed.warnings).toEqual([
      'cachedContent: a Gemini context cache is readable only by Gemini; dropped',
      'sessionTag: unknown field; ignored',
    ]);
  });

  it('unwraps a countTokens generateContentRequest', () => {
    const parsed = parse({
      generateContentRequest: {
        model: 'models/x',
        contents: hello,
        systemInstruction: { parts: [{ text: 'S' }] },
      },
    });
    expect(parsed.body.messages).toEqual([
      { role: 'system', content: 'S' },
      { role: 'user', content: 'hello' },
    ]);
    expect(parsed.warnings).toEqual([]);
  });

  it('streams only with alt=sse', () => {
    expect(refusal({ contents: hello }, context({ pathStream: true }))).toBe(
      'streamGenerateContent is served as Server-Sent Events only: add ?alt=sse',
    );
    expect(parseGenerateContentRequest({ contents: hello }, streamContext()).body.stream).toBe(true);
  });
});

describe('parseGenerateContentRequest: refusals', () => {
  it('names the field and the value', () => {
    expect(refusal([])).toBe('the request body must be a JSON object');
    expect(refusal({ contents: hello }, context({ pathModel: '' }))).toBe(
      'the model must be named in the path: /v1beta/models/{model}:{method}',
    );
    expect(refusal({})).toBe('contents: expected an array, got nothing');
    expect(refusal({ contents: [] })).toBe('contents: must not be empty');
    expect(refusal({ contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] })).toBe(
      'contents[0].role: expected "user" or "model", got "assistant"',
    );
    expect(refusal({ contents: [{ role: 'user', parts: [] }] })).toBe('contents[0].parts: must not be empty');
    expect(refusal({ contents: [{ parts: [{ text: 42 }] }] })).toBe(
      'contents[0].parts[0].text: expected a string, got 42',
    );
    expect(refusal({ contents: [{ parts: [{ image: 'x' }] }] })).toBe(
      'contents[0].parts[0]: unknown part kind "image"; expected one of text, inlineData, fileData, functionCall, functionResponse, executableCode, codeExecutionResult, toolCall, toolResponse',
    );
    expect(refusal({ contents: [{ parts: [{ text: 'a', functionCall: { name: 'f' } }] }] })).toBe(
      'contents[0].parts[0]: a part holds exactly one of text, inlineData, fileData, functionCall, functionResponse, executableCode, codeExecutionResult, toolCall, toolResponse; got text and functionCall',
    );
    expect(refusal({ contents: [{ parts: [{ inlineData: { mimeType: 'image/png' } }] }] })).toBe(
      'contents[0].parts[0].inlineData.data: expected a string, got nothing',
    );
    expect(refusal({ contents: [{ parts: [{ text: '' }] }] })).toBe(
      'contents: every part is empty; there is nothing to send',
    );
  });

  it('refuses a function response that answers no call', () => {
    expect(
      refusal({
        contents: [{ role: 'user', parts: [{ functionResponse: { name: 'read_file', response: {} } }] }],
      }),
    ).toBe(
      'contents[0].parts[0].functionResponse: answers no earlier functionCall: no call of "read_file" is waiting for a response',
    );
    expect(
      refusal({
        contents: [
          ...hello,
          { role: 'model', parts: [{ functionCall: { name: 'ls' } }] },
          {
            role: 'user',
            parts: [
              { functionResponse: { name: 'ls', response: {} } },
              { functionResponse: { id: 'x-1', name: 'ls', response: {} } },
            ],
          },
        ],
      }),
    ).toBe(
      'contents[2].parts[1].functionResponse: answers no earlier functionCall: no call of "ls" (id "x-1") is waiting for a response',
    );
  });

  it('refuses calls and responses in the wrong turn', () => {
    expect(refusal({ contents: [{ role: 'user', parts: [{ functionCall: { name: 'f' } }] }] })).toBe(
      'contents[0].parts[0]: a functionCall belongs in a model turn, not a user turn',
    );
    expect(
      refusal({ contents: [...hello, { role: 'model', parts: [{ functionResponse: { name: 'f' } }] }] }),
    ).toBe('contents[1].parts[0]: a functionResponse belongs in a user turn, not a model turn');
    expect(
      refusal({
        contents: [...hello, { role: 'model', parts: [{ functionCall: { name: 'f', args: [1] } }] }],
      }),
    ).toBe('contents[1].parts[0].functionCall.args: expected an object, got an array of 1');
  });

  it('refuses a body nested beyond the bound without overflowing the stack', () => {
    let deep: unknown = 'leaf';
    for (let level = 0; level < 200_000; level += 1) deep = [deep];
    expect(refusal({ contents: [{ parts: [{ functionCall: { name: 'f', args: { deep } } }] }] })).toBe(
      'the request body nests deeper than 128 levels',
    );
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RouterError } from '../../core/errors.js';
import { parseChatRequest } from '../../server/parse-chat-request.js';
import type { IngressContext } from '../ingress-adapter.js';
import { parseMessagesRequest } from './parse-messages-request.js';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));
}

function contextWith(headers: IngressContext['headers'] = {}): IngressContext {
  return { headers, query: new URLSearchParams() };
}

const claudeCodeHeaders = {
  'anthropic-version': '2023-06-01',
  'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27',
  'x-claude-code-session-id': '54c1eb09-bc4c-4d2f-98eb-6d2ab2d5e2fe',
  'x-app': 'cli',
  'user-agent': 'claude-cli/2.1.90 (external, cli)',
};

function minimal(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'pareto-code',
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'hi' }],
    ...overrides,
  };
}

function refusal(body: unknown): string {
  try {
    parseMessagesRequest(body, contextWith());
  } catch (error) {
    expect(error).toBeInstanceOf(RouterError);
    expect((error as RouterError).code).toBe('invalid_request');
    expect((error as RouterError).status).toBe(400);
    return (error as RouterError).message;
  }
  throw new Error('the body was accepted');
}

describe('parseMessagesRequest on a Claude Code request', () => {
  const parsed = parseMessagesRequest(fixture('claude-code-request.json'), contextWith(claudeCodeHeaders));

  it('converts the whole body to the chat form, in order', () => {
    expect(parsed.body).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 32000,
      stream: true,
      user: '{"device_id":"4f1c2e9b7a","account_uuid":"","session_id":"54c1eb09-bc4c-4d2f-98eb-6d2ab2d5e2fe"}',
      session_id: '54c1eb09-bc4c-4d2f-98eb-6d2ab2d5e2fe',
      reasoning: { enabled: true, effort: 'medium' },
      messages: [
        {
          role: 'system',
          content: [
            { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.90.a1b; cc_entrypoint=cli;' },
            {
              type: 'text',
              text: "You are Claude Code, Anthropic's official CLI for Claude.",
              cache_control: { type: 'ephemeral' },
            },
            {
              type: 'text',
              text: 'You are an interactive CLI tool that helps users with software engineering tasks.',
              cache_control: { type: 'ephemeral', ttl: '1h' },
            },
          ],
        },
        {
          role: 'user',
          content: [
            {
              type: 'text',
              text: "<system-reminder>\nAs you answer the user's questions, you can use the following context:\n# claudeMd\nRun tests with `npx vitest run`.\n</system-reminder>\n",
            },
            { type: 'text', text: 'The add test fails, fix it' },
          ],
        },
        {
          role: 'assistant',
          content: "I'll read the test first.",
          reasoning: 'I should read the test file before changing anything.',
          tool_calls: [
            {
              id: 'toolu_01A09q90qw90lq917835lq9',
              type: 'function',
              function: { name: 'Read', arguments: '{"file_path":"/repo/src/math.test.ts"}' },
            },
          ],
        },
        {
          role: 'tool',
          tool_call_id: 'toolu_01A09q90qw90lq917835lq9',
          content:
            "     1\timport { expect, it } from 'vitest';\n     2\timport { add } from './math.js';\n     3\tit('adds', () => expect(add(2, 2)).toBe(4));\n",
        },
        {
          role: 'user',
          content: [
            {
              type: 'text',
              text: "<system-reminder>\nThe TodoWrite tool hasn't been used recently.\n</system-reminder>",
            },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'toolu_01B7xkQ2Ltq3Q3m6V3Yk9fAa',
              type: 'function',
              function: {
                name: 'Bash',
                arguments:
                  '{"command":"npx vitest run src/math.test.ts","description":"Run the failing test"}',
              },
            },
          ],
        },
        {
          role: 'tool',
          tool_call_id: 'toolu_01B7xkQ2Ltq3Q3m6V3Yk9fAa',
          content: [
            {
              type: 'text',
              text: 'Error: FAIL src/math.test.ts > adds\nAssertionError: expected 5 to be 4',
              cache_control: { type: 'ephemeral' },
            },
          ],
        },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'Bash',
            description: 'Executes a given bash command in a persistent shell session.',
            parameters: {
              type: 'object',
              properties: {
                command: { type: 'string', description: 'The command to execute' },
                description: {
                  type: 'string',
                  description: 'Clear, concise description of what this command does',
                },
              },
              required: ['command'],
              additionalProperties: false,
              $schema: 'http://json-schema.org/draft-07/schema#',
            },
          },
        },
        {
          type: 'function',
          function: {
            name: 'Read',
            description: 'Reads a file from the local filesystem.',
            parameters: {
              type: 'object',
              properties: {
                file_path: { type: 'string', description: 'The absolute path to the file to read' },
              },
              required: ['file_path'],
              additionalProperties: false,
              $schema: 'http://json-schema.org/draft-07/schema#',
            },
          },
        },
      ],
    });
  });

  it('warns of the thinking signature and the Anthropic-only field, once each', () => {
    expect(parsed.warnings).toEqual([
      'messages[1].content[0]: a thinking signature cannot be carried to other providers; the thinking text is sent as reasoning',
      'context_management: no equivalent on other providers; dropped unless the call goes to an Anthropic upstream',
    ]);
  });

  it('keeps the body and the version headers for an Anthropic upstream', () => {
    expect(parsed.native).toEqual({
      protocol: 'anthropic',
      body: fixture('claude-code-request.json'),
      headers: {
        'anthropic-version': '2023-06-01',
        'anthropic-beta':
          'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27',
      },
    });
  });

  it('gives a body the chat validator accepts, with the session from the header', () => {
    const chat = parseChatRequest(parsed.body, claudeCodeHeaders);
    expect(chat.stream).toBe(true);
    expect(chat.requestedModel).toBe('claude-sonnet-4-5-20250929');
    expect(chat.sessionKey).toBe('id:54c1eb09-bc4c-4d2f-98eb-6d2ab2d5e2fe');
  });
});

describe('parseMessagesRequest on an SDK request with media, sampling and router fields', () => {
  const parsed = parseMessagesRequest(
    fixture('sdk-request-media.json'),
    contextWith({ 'x-claude-code-session-id': 'not-this-one' }),
  );

  it('converts images, documents and the system string', () => {
    const messages = parsed.body.messages as unknown[];
    expect(messages[0]).toEqual({ role: 'system', content: 'You review pull requests.' });
    expect(messages[1]).toEqual({
      role: 'user',
      content: [
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==' } },
        { type: 'image_url', image_url: { url: 'https://example.com/diagram.png' } },
        {
          type: 'file',
          file: { filename: 'spec.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQK' },
        },
        { type: 'file', file: { filename: 'document.pdf', file_data: 'https://example.com/rfc.pdf' } },
        { type: 'text', text: 'CHANGELOG\n\n1.2.0: faster routing' },
        { type: 'text', text: 'Section one' },
        { type: 'text', text: 'Section two' },
        { type: 'text', text: 'Does the diagram match the spec?', cache_control: { type: 'ephemeral' } },
      ],
    });
    expect(messages.slice(2)).toEqual([
      { role: 'assistant', content: 'Mostly.' },
      { role: 'user', content: 'Say what differs.' },
    ]);
  });

  it('converts sampling, stop sequences, user, tools, tool choice and the thinking budget', () => {
    const { messages: _messages, ...rest } = parsed.body;
    expect(rest).toEqual({
      model: 'pareto-code@balanced',
      max_tokens: 4096,
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop: ['</review>'],
      user: 'reviewer-7',
      tools: [
        {
          type: 'function',
          function: {
            name: 'post_comment',
            description: 'Posts a review comment.',
            parameters: { type: 'object', properties: { body: { type: 'string' } }, required: ['body'] },
            strict: true,
          },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'post_comment' } },
      parallel_tool_calls: false,
      reasoning: { max_tokens: 2048 },
      plugins: [{ id: 'pareto-router', min_coding_score: 0.8 }],
      provider: { only: ['anthropic'] },
      session_id: 'review-42',
    });
  });

  it('warns of the server tool and the service tier', () => {
    expect(parsed.warnings).toEqual([
      'tools[1]: the Anthropic-defined tool web_search_20250305 (web_search) cannot run on other providers; dropped on the converted path',
      'service_tier: no equivalent on other providers; dropped unless the call goes to an Anthropic upstream',
    ]);
  });

  it('leaves the router fields out of the native body', () => {
    const native = parsed.native?.body ?? {};
    expect(Object.keys(native)).not.toContain('plugins');
    expect(Object.keys(native)).not.toContain('provider');
    expect(Object.keys(native)).not.toContain('session_id');
    expect(native.tools).toEqual(fixture('sdk-request-media.json').tools);
    expect(parsed.native?.headers).toEqual({});
  });

  it('passes the chat validator, which reads the router fields', () => {
    const chat = parseChatRequest(parsed.body, {});
    expect(chat.settings.minCodingScore).toBe(0.8);
    expect(chat.provider.only).toEqual(['anthropic']);
    expect(chat.sessionKey).toBe('id:review-42');
  });
});

describe('parseMessagesRequest field by field', () => {
  it('maps each tool_choice', () => {
    const tools = [{ name: 'f', input_schema: { type: 'object' } }];
    const choice = (tool_choice: unknown) =>
      parseMessagesRequest(minimal({ tools, tool_choice }), contextWith()).body;
    expect(choice({ type: 'auto' }).tool_choice).toBe('auto');
    expect(choice({ type: 'any' }).tool_choice).toBe('required');
    expect(choice({ type: 'none' }).tool_choice).toBe('none');
    expect(choice({ type: 'auto', disable_parallel_tool_use: true }).parallel_tool_calls).toBe(false);
    expect(choice({ type: 'auto', disable_parallel_tool_use: false }).parallel_tool_calls).toBeUndefined();
  });

  it('drops a forcing tool_choice when no tool is left, with a warning', () => {
    const parsed = parseMessagesRequest(
      minimal({ tools: [{ type: 'bash_20250124', name: 'bash' }], tool_choice: { type: 'any' } }),
      contextWith(),
    );
    expect(parsed.body.tools).toBeUndefined();
    expect(parsed.body.tool_choice).toBeUndefined();
    expect(parsed.warnings).toEqual([
      'tools[0]: the Anthropic-defined tool bash_20250124 (bash) cannot run on other providers; dropped on the converted path',
      'tool_choice: forces a tool but no tool can be sent on the converted path; dropped',
    ]);
  });

  it('maps each thinking setting and effort', () => {
    const reasoning = (fields: Record<string, unknown>) =>
      parseMessagesRequest(minimal(fields), contextWith()).body.reasoning;
    expect(reasoning({ thinking: { type: 'enabled', budget_tokens: 1024 } })).toEqual({ max_tokens: 1024 });
    expect(reasoning({ thinking: { type: 'adaptive', display: 'omitted' } })).toEqual({
      enabled: true,
      exclude: true,
    });
    expect(reasoning({ thinking: { type: 'disabled' } })).toEqual({ enabled: false });
    expect(reasoning({ output_config: { effort: 'high' } })).toEqual({ effort: 'high' });
    expect(reasoning({ output_config: { effort: 'max' } })).toEqual({ effort: 'xhigh' });
    expect(reasoning({})).toBeUndefined();
  });

  it('maps a structured output format to a strict json_schema response format', () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } } };
    const parsed = parseMessagesRequest(
      minimal({ output_config: { format: { type: 'json_schema', schema } } }),
      contextWith(),
    );
    expect(parsed.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'response', schema, strict: true },
    });
  });

  it('keeps system messages placed inside the conversation', () => {
    const parsed = parseMessagesRequest(
      minimal({
        messages: [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'ok' },
          { role: 'system', content: [{ type: 'text', text: 'Plan mode is on.' }] },
          { role: 'user', content: 'second' },
        ],
      }),
      contextWith(),
    );
    expect((parsed.body.messages as unknown[])[2]).toEqual({
      role: 'system',
      content: [{ type: 'text', text: 'Plan mode is on.' }],
    });
  });

  it('puts the text of a turn with tool results after the tool messages, each result in order', () => {
    const parsed = parseMessagesRequest(
      minimal({
        messages: [
          { role: 'user', content: 'go' },
          {
            role: 'assistant',
            content: [
              { type: 'tool_use', id: 'a', name: 'f', input: {} },
              { type: 'tool_use', id: 'b', name: 'f', input: {} },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'both done' },
              { type: 'tool_result', tool_use_id: 'b', content: 'B' },
              { type: 'tool_result', tool_use_id: 'a', is_error: true },
            ],
          },
        ],
      }),
      contextWith(),
    );
    expect((parsed.body.messages as unknown[]).slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'b', content: 'B' },
      { role: 'tool', tool_call_id: 'a', content: 'Error' },
      { role: 'user', content: [{ type: 'text', text: 'both done' }] },
    ]);
  });

  it('folds repeated warnings and drops server-only blocks', () => {
    const parsed = parseMessagesRequest(
      minimal({
        messages: [
          { role: 'user', content: 'search' },
          {
            role: 'assistant',
            content: [
              { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
              { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
              { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' },
              { type: 'thinking', thinking: 'a', signature: 's1' },
              { type: 'thinking', thinking: 'b', signature: 's2' },
              { type: 'text', text: 'found' },
            ],
          },
          { role: 'user', content: 'thanks' },
        ],
      }),
      contextWith(),
    );
    expect((parsed.body.messages as unknown[])[1]).toEqual({
      role: 'assistant',
      content: 'found',
      reasoning: 'a\n\nb',
    });
    expect(parsed.warnings).toEqual([
      'messages[1].content[0]: a server_tool_use block runs only on Anthropic servers and cannot be sent to other providers; dropped',
      'messages[1].content[1]: a web_search_tool_result block runs only on Anthropic servers and cannot be sent to other providers; dropped',
      'messages[1].content[2]: redacted thinking is encrypted for Anthropic only; dropped',
      'messages[1].content[3]: a thinking signature cannot be carried to other providers; the thinking text is sent as reasoning (and 1 more like it)',
    ]);
  });

  it('strips unsigned thinking blocks from the native body only', () => {
    const messages = [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'converted', signature: '' }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'no signature' },
          { type: 'thinking', thinking: 'signed', signature: 'sig' },
          { type: 'text', text: 'answer' },
        ],
      },
      { role: 'user', content: 'next' },
    ];
    const parsed = parseMessagesRequest(minimal({ messages }), contextWith());
    expect(parsed.native?.body.messages).toEqual([
      { role: 'user', content: 'q' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'signed', signature: 'sig' },
          { type: 'text', text: 'answer' },
        ],
      },
      { role: 'user', content: 'next' },
    ]);
    expect((parsed.body.messages as unknown[])[1]).toEqual({
      role: 'assistant',
      content: null,
      reasoning: 'converted',
    });
  });

  it('keeps separate assistant text blocks as separate paragraphs', () => {
    const parsed = parseMessagesRequest(
      minimal({
        messages: [
          { role: 'user', content: 'q' },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Reading it.' },
              { type: 'tool_use', id: 't', name: 'Read', input: { file_path: 'a' } },
              { type: 'text', text: 'Then testing.' },
            ],
          },
        ],
      }),
      contextWith(),
    );
    expect((parsed.body.messages as { content?: unknown }[])[1]?.content).toBe(
      'Reading it.\n\nThen testing.',
    );
  });

  it('keeps a cache breakpoint on assistant text as parts', () => {
    const parsed = parseMessagesRequest(
      minimal({
        messages: [
          { role: 'user', content: 'q' },
          {
            role: 'assistant',
            content: [{ type: 'text', text: 'a', cache_control: { type: 'ephemeral' } }],
          },
          { role: 'user', content: 'q2' },
        ],
      }),
      contextWith(),
    );
    expect((parsed.body.messages as unknown[])[1]).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'a', cache_control: { type: 'ephemeral' } }],
    });
  });

  it('accepts a count_tokens body without max_tokens', () => {
    const { max_tokens: _maxTokens, ...countBody } = minimal();
    const parsed = parseMessagesRequest(countBody, contextWith(), { countTokens: true });
    expect(parsed.body).toEqual({ model: 'pareto-code', messages: [{ role: 'user', content: 'hi' }] });
  });

  it('warns of each Anthropic-only field and of blocks it cannot carry', () => {
    const parsed = parseMessagesRequest(
      minimal({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'file', file_id: 'file_011' } },
              {
                type: 'image',
                source: { type: 'url', url: 'https://example.com/a.png' },
                cache_control: { type: 'ephemeral' },
              },
            ],
          },
        ],
        container: 'container_01',
        mcp_servers: [{ type: 'url', url: 'https://mcp.example.com', name: 'docs' }],
      }),
      contextWith(),
    );
    expect(parsed.warnings).toEqual([
      'messages[0].content[0]: files uploaded to Anthropic (file_id) cannot be sent to other providers; dropped',
      'messages[0].content[1]: cache_control on the image block cannot be carried to other providers; dropped',
      'container, mcp_servers: no equivalent on other providers; dropped unless the call goes to an Anthropic upstream',
    ]);
    expect(parsed.native?.body.container).toBe('container_01');
  });

  it('joins a repeated anthropic-beta header and leaves the session alone without the header', () => {
    const parsed = parseMessagesRequest(minimal(), contextWith({ 'anthropic-beta': ['a-1', 'b-2'] }));
    expect(parsed.native?.headers).toEqual({ 'anthropic-beta': 'a-1,b-2' });
    expect(parsed.body.session_id).toBeUndefined();
  });
});

describe('parseMessagesRequest refusals', () => {
  const toolTurn = {
    role: 'assistant',
    content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }],
  };

  it.each([
    ['a non-object body', [], 'body: the request body must be a JSON object'],
    ['a missing model', { max_tokens: 5, messages: [] }, 'model: expected a string, got nothing'],
    ['a missing max_tokens', { model: 'm', messages: [] }, 'max_tokens: is required (a positive integer)'],
    ['a zero max_tokens', minimal({ max_tokens: 0 }), 'max_tokens: expected a positive integer, got 0'],
    [
      'a fractional max_tokens',
      minimal({ max_tokens: 1.5 }),
      'max_tokens: expected a positive integer, got 1.5',
    ],
    ['empty messages', minimal({ messages: [] }), 'messages: must contain at least one message'],
    [
      'an unknown role',
      minimal({ messages: [{ role: 'tool', content: 'x' }] }),
      'messages[0].role: expected "user", "assistant" or "system", got "tool"',
    ],
    [
      'content of the wrong type',
      minimal({ messages: [{ role: 'user', content: 7 }] }),
      'messages[0].content: expected a string or an array, got 7',
    ],
    [
      'an unknown block type',
      minimal({ messages: [{ role: 'user', content: [{ type: 'video', url: 'x' }] }] }),
      'messages[0].content[0].type: unknown content block type "video"',
    ],
    [
      'text that is not a string',
      minimal({ messages: [{ role: 'user', content: [{ type: 'text', text: 5 }] }] }),
      'messages[0].content[0].text: expected a string, got 5',
    ],
    [
      'a tool_result with no earlier tool_use',
      minimal({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9' }] }] }),
      'messages[0].content[0].tool_use_id: no earlier tool_use block has the id "toolu_9"',
    ],
    [
      'a tool_use in a user message',
      minimal({ messages: [{ role: 'user', content: toolTurn.content }] }),
      'messages[0].content[0].type: a tool_use block is not allowed in a user message',
    ],
    [
      'a tool_use input that is not an object',
      minimal({
        messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: 'x' }] }],
      }),
      'messages[0].content[0].input: expected an object, got "x"',
    ],
    [
      'an image source of an unknown type',
      minimal({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'ftp' } }] }] }),
      'messages[0].content[0].source.type: expected "base64", "url" or "file", got "ftp"',
    ],
    [
      'a cache_control of an unknown type',
      minimal({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'forever' } }] },
        ],
      }),
      'messages[0].content[0].cache_control.type: expected "ephemeral", got "forever"',
    ],
    [
      'a system block that is not text',
      minimal({ system: [{ type: 'image', source: {} }] }),
      'system[0].type: expected "text", got "image"',
    ],
    [
      'a tool without input_schema',
      minimal({ tools: [{ name: 'f' }] }),
      'tools[0].input_schema: expected an object, got nothing',
    ],
    [
      'an unknown tool_choice',
      minimal({ tool_choice: { type: 'sometimes' } }),
      'tool_choice.type: expected "auto", "any", "tool" or "none", got "sometimes"',
    ],
    [
      'a thinking budget that is not an integer',
      minimal({ thinking: { type: 'enabled', budget_tokens: '2k' } }),
      'thinking.budget_tokens: expected a positive integer, got "2k"',
    ],
    [
      'an unknown effort',
      minimal({ output_config: { effort: 'extreme' } }),
      'output_config.effort: expected "low", "medium", "high", "xhigh" or "max", got "extreme"',
    ],
    [
      'stop sequences that are not strings',
      minimal({ stop_sequences: ['a', 1] }),
      'stop_sequences[1]: expected a string, got 1',
    ],
    [
      'a temperature that is not a number',
      minimal({ temperature: 'hot' }),
      'temperature: expected a number, got "hot"',
    ],
    [
      'a stream flag that is not a boolean',
      minimal({ stream: 'yes' }),
      'stream: expected a boolean, got "yes"',
    ],
  ])('refuses %s', (_name, body, message) => {
    expect(refusal(body)).toBe(message);
  });

  it('shortens long values in messages', () => {
    const message = refusal(
      minimal({ model: 'm', stop_sequences: ['x'.repeat(500), 2], max_tokens: 'x'.repeat(500) }),
    );
    expect(message).toBe(`max_tokens: expected a positive integer, got "${'x'.repeat(60)}..."`);
  });

  it('survives deeply nested tool input without overflowing the stack', () => {
    let input: Record<string, unknown> = {};
    for (let depth = 0; depth < 100_000; depth += 1) input = { a: input };
    const body = minimal({
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input }] },
      ],
    });
    expect(refusal(body)).toBe('messages[1].content[0].input: is nested too deeply to convert');
  });
});

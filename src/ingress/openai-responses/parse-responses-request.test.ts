import { describe, expect, it } from 'vitest';
import { RouterError } from '../../core/errors.js';
import { parseChatRequest } from '../../server/parse-chat-request.js';
import type { IngressContext } from '../ingress-adapter.js';
import { parseResponsesRequest } from './parse-responses-request.js';
import { fixtureJson } from './test-support/read-fixture.js';

const codexSession = '0199a2f4-5c1e-7d20-9b3a-2f6c0e8d4a11';

function context(headers: IngressContext['headers'] = {}): IngressContext {
  return { headers, query: new URLSearchParams() };
}

function parse(body: Record<string, unknown>, headers: IngressContext['headers'] = {}) {
  return parseResponsesRequest({ model: 'pareto-code', ...body }, context(headers));
}

function messagesOf(body: Record<string, unknown>) {
  return parse(body).body.messages as any[];
}

/** The 400 message a body is refused with. */
function refusal(body: unknown): string {
  try {
    parseResponsesRequest(body, context());
  } catch (error) {
    expect(error).toBeInstanceOf(RouterError);
    expect((error as RouterError).status).toBe(400);
    expect((error as RouterError).code).toBe('invalid_request');
    return (error as RouterError).message;
  }
  throw new Error('the body was accepted');
}

describe('parseResponsesRequest: recorded client requests', () => {
  it.each(['codex-first-turn', 'codex-tool-turn', 'codex-local-shell', 'sdk-function-round-trip'])(
    'converts %s to the recorded chat body, which the chat validator accepts',
    (name) => {
      const headers = { 'session-id': codexSession };
      const parsed = parseResponsesRequest(fixtureJson(`request-${name}.json`), context(headers));
      expect(parsed.body).toEqual(fixtureJson(`chat-${name}.json`));
      expect(parsed.native).toBeUndefined();
      const chat = parseChatRequest(parsed.body, headers);
      expect(chat.sessionKey).toBe(`id:${codexSession}`);
    },
  );

  it('reports what a Codex first turn cannot carry', () => {
    const parsed = parseResponsesRequest(fixtureJson('request-codex-first-turn.json'), context());
    expect(parsed.warnings).toEqual([
      'tools[2] (apply_patch): the lark grammar is given to the model as text, not enforced',
      'tools[3]: the hosted tool "web_search" cannot run through the router; dropped',
      'include (reasoning.encrypted_content): not supported; reasoning comes back as summary text only',
    ]);
  });

  it('reports encrypted reasoning and hosted tool items once each in a Codex tool turn', () => {
    const parsed = parseResponsesRequest(fixtureJson('request-codex-tool-turn.json'), context());
    expect(parsed.warnings).toEqual([
      'input: encrypted reasoning can only be read by OpenAI; only its summary text is carried',
      'input: web_search_call items come from hosted tools the router cannot replay; dropped',
      'include (reasoning.encrypted_content): not supported; reasoning comes back as summary text only',
    ]);
  });

  it('keeps the router settings of an SDK request for the pipeline', () => {
    const parsed = parseResponsesRequest(fixtureJson('request-sdk-function-round-trip.json'), context());
    const chat = parseChatRequest(parsed.body, {});
    expect(chat.settings.minCodingScore).toBe(0.8);
    expect(chat.routerModel).not.toBeNull();
    expect(chat.stream).toBe(false);
    expect(parsed.warnings).toEqual([]);
  });
});

describe('parseResponsesRequest: fields', () => {
  it('turns a string input into one user message after the instructions', () => {
    expect(messagesOf({ instructions: 'Be brief.', input: 'Hi' })).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ]);
  });

  it('skips empty instructions', () => {
    expect(messagesOf({ instructions: '', input: 'Hi' })).toEqual([{ role: 'user', content: 'Hi' }]);
  });

  it('copies stream, sampling, output cap, cache key and user', () => {
    const { body } = parse({
      input: 'Hi',
      stream: true,
      temperature: 0.2,
      top_p: 0.9,
      max_output_tokens: 2048,
      prompt_cache_key: 'thread-7',
      user: 'user-42',
    });
    expect(body).toMatchObject({
      stream: true,
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 2048,
      prompt_cache_key: 'thread-7',
      user: 'user-42',
    });
  });

  it('treats null settings as absent', () => {
    const { body } = parse({
      input: 'Hi',
      stream: null,
      temperature: null,
      max_output_tokens: null,
      instructions: null,
    });
    expect(body).toEqual({ model: 'pareto-code', messages: [{ role: 'user', content: 'Hi' }] });
  });

  it('maps reasoning effort and drops the summary setting', () => {
    for (const effort of ['none', 'minimal', 'low', 'medium', 'high', 'xhigh']) {
      expect(parse({ input: 'Hi', reasoning: { effort, summary: 'detailed' } }).body.reasoning).toEqual({
        effort,
      });
    }
    expect(parse({ input: 'Hi', reasoning: { summary: 'auto' } }).body.reasoning).toBeUndefined();
  });

  it('maps text.format to response_format and passes verbosity', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    expect(
      parse({
        input: 'Hi',
        text: {
          format: { type: 'json_schema', name: 'place', schema, strict: true, description: 'A place' },
        },
      }).body.response_format,
    ).toEqual({
      type: 'json_schema',
      json_schema: { name: 'place', schema, strict: true, description: 'A place' },
    });
    expect(parse({ input: 'Hi', text: { format: { type: 'json_object' } } }).body.response_format).toEqual({
      type: 'json_object',
    });
    const plain = parse({ input: 'Hi', text: { format: { type: 'text' }, verbosity: 'low' } }).body;
    expect(plain.response_format).toBeUndefined();
    expect(plain.verbosity).toBe('low');
  });

  it('takes the session id from the body, then session-id, then session_id', () => {
    expect(parse({ input: 'Hi', session_id: 'own' }, { 'session-id': 'header' }).body.session_id).toBe('own');
    expect(parse({ input: 'Hi' }, { 'session-id': 'dash' }).body.session_id).toBe('dash');
    expect(parse({ input: 'Hi' }, { session_id: ['underscore', 'second'] }).body.session_id).toBe(
      'underscore',
    );
    expect(parse({ input: 'Hi' }, { 'session-id': 'x'.repeat(300) }).body.session_id).toHaveLength(256);
    expect(parse({ input: 'Hi' }).body.session_id).toBeUndefined();
  });

  it('accepts the settings a stateless router has nothing to do for, without warnings', () => {
    const parsed = parse({
      input: 'Hi',
      store: true,
      metadata: { ticket: 'SHOP-1' },
      service_tier: 'auto',
      truncation: 'disabled',
      safety_identifier: 'hash',
      client_metadata: { a: 'b' },
      stream_options: { include_obfuscation: false },
    });
    expect(parsed.warnings).toEqual([]);
    expect(Object.keys(parsed.body).sort()).toEqual(['messages', 'model']);
  });

  it('warns about settings it cannot honour and fields it does not know', () => {
    const parsed = parse({ input: 'Hi', truncation: 'auto', top_logprobs: 3, frequency_penalty: 1 });
    expect(parsed.warnings).toEqual([
      'truncation: "auto" is not supported; an input over the context window fails instead',
      'top_logprobs: not supported; ignored',
      'frequency_penalty: not a Responses API field; ignored',
    ]);
    expect(parsed.body.frequency_penalty).toBeUndefined();
  });

  it('keeps warnings short enough for a header, however many fields or tools cause them', () => {
    const fields = Object.fromEntries(Array.from({ length: 8 }, (_, index) => [`extra_${index}`, 1]));
    expect(parse({ input: 'Hi', ...fields }).warnings).toEqual([
      'extra_0, extra_1, extra_2, extra_3, extra_4 and 3 more: not Responses API fields; ignored',
    ]);
    const hosted = Array.from({ length: 500 }, () => ({ type: 'web_search' }));
    expect(parse({ input: 'Hi', tools: hosted }).warnings).toEqual([
      'tools[0]: the hosted tool "web_search" cannot run through the router; dropped',
    ]);
    const grammars = Array.from({ length: 30 }, (_, index) => ({
      type: 'custom',
      name: `tool_${index}`,
      format: { type: 'grammar', syntax: 'regex', definition: '.*' },
    }));
    const warnings = parse({ input: 'Hi', tools: grammars }).warnings;
    expect(warnings).toHaveLength(21);
    expect(warnings.at(-1)).toBe('and 10 more warnings');
  });

  it('copies models, plugins and provider as sent', () => {
    const plugins = [{ id: 'pareto-router', tier: 'balanced' }, { id: 'web' }];
    const { body } = parse({ input: 'Hi', models: ['a/b', 'c/d'], plugins, provider: { only: ['groq'] } });
    expect(body.models).toEqual(['a/b', 'c/d']);
    expect(body.plugins).toBe(plugins);
    expect(body.provider).toEqual({ only: ['groq'] });
  });
});

describe('parseResponsesRequest: input items', () => {
  it('reads messages with and without a type, for every role', () => {
    expect(
      messagesOf({
        input: [
          { role: 'system', content: 'S' },
          { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'D' }] },
          { role: 'user', content: 'U' },
          { role: 'assistant', content: 'A' },
        ],
      }),
    ).toEqual([
      { role: 'system', content: 'S' },
      { role: 'developer', content: [{ type: 'text', text: 'D' }] },
      { role: 'user', content: 'U' },
      { role: 'assistant', content: 'A' },
    ]);
  });

  it('converts images, files and audio in user messages', () => {
    const [message] = messagesOf({
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'high' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' },
            { type: 'input_file', filename: 'spec.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
            { type: 'input_file', file_url: 'https://example.com/spec.pdf' },
            { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
          ],
        },
      ],
    });
    expect(message).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'high' } },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'spec.pdf' } },
        { type: 'file', file: { file_data: 'https://example.com/spec.pdf' } },
        { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
      ],
    });
  });

  it('drops the "original" image detail with a warning', () => {
    const parsed = parse({
      input: [
        {
          role: 'user',
          content: [{ type: 'input_image', image_url: 'https://e.x/a.png', detail: 'original' }],
        },
      ],
    });
    expect(parsed.body.messages).toEqual([
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://e.x/a.png' } }] },
    ]);
    expect(parsed.warnings).toEqual([
      'input[0].content[0].detail: "original" has no chat equivalent; the upstream\'s default is used',
    ]);
  });

  it('reads refusals and output text of earlier assistant turns as text', () => {
    expect(
      messagesOf({
        input: [
          {
            type: 'message',
            role: 'assistant',
            id: 'msg_1',
            status: 'completed',
            content: [
              { type: 'output_text', text: 'I can help with that, ', annotations: [] },
              { type: 'refusal', refusal: 'but not with this.' },
            ],
          },
        ],
      }),
    ).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'I can help with that, ' },
          { type: 'text', text: 'but not with this.' },
        ],
      },
    ]);
  });

  it('gathers consecutive function calls into one assistant message, outputs into tool messages', () => {
    const messages = messagesOf({
      input: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        { type: 'function_call', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call', call_id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'call_a', output: '14' },
        { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_text', text: '19' }] },
      ],
    });
    expect(messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_a',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
          { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: '14' },
      { role: 'tool', tool_call_id: 'call_b', content: [{ type: 'text', text: '19' }] },
    ]);
  });

  it('puts reasoning, text and calls of one turn in one message and starts a new one after them', () => {
    const messages = messagesOf({
      input: [
        {
          type: 'reasoning',
          summary: [
            { type: 'summary_text', text: 'First' },
            { type: 'summary_text', text: 'Then' },
          ],
        },
        { role: 'assistant', content: 'Checking.' },
        { type: 'function_call', call_id: 'c1', name: 'ls', arguments: '{}' },
        { role: 'assistant', content: 'Text after a call opens a new turn.' },
        { type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'Full thought' }] },
        { role: 'assistant', content: 'Done.' },
      ],
    });
    expect(messages).toEqual([
      {
        role: 'assistant',
        content: 'Checking.',
        reasoning: 'First\n\nThen',
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'ls', arguments: '{}' } }],
      },
      { role: 'assistant', content: 'Text after a call opens a new turn.' },
      { role: 'assistant', content: 'Done.', reasoning: 'Full thought' },
    ]);
  });

  it('drops a turn that is only reasoning, with a warning', () => {
    const parsed = parse({
      input: [
        { role: 'user', content: 'Hi' },
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Hmm' }], encrypted_content: null },
      ],
    });
    expect(parsed.body.messages).toEqual([{ role: 'user', content: 'Hi' }]);
    expect(parsed.warnings).toEqual([
      'input: a reasoning item with no message or tool call after it was dropped',
    ]);
  });

  it('carries custom and local shell calls as function calls with their call ids', () => {
    const messages = messagesOf({
      input: [
        { type: 'custom_tool_call', call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch' },
        { type: 'custom_tool_call_output', call_id: 'c1', output: 'Done' },
        {
          type: 'local_shell_call',
          id: 'lsh_1',
          call_id: 'c2',
          status: 'completed',
          action: { type: 'exec', command: ['ls'], env: {} },
        },
        { type: 'local_shell_call_output', id: 'c2', output: '{"output":"a.txt"}' },
      ],
    });
    expect(messages).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'c1',
            type: 'function',
            function: { name: 'apply_patch--custom', arguments: '{"input":"*** Begin Patch"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'Done' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'c2',
            type: 'function',
            function: { name: 'shell--local_shell', arguments: '{"command":["ls"]}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'c2', content: '{"output":"a.txt"}' },
    ]);
  });

  it('drops compaction and hosted tool items with one warning per type', () => {
    const parsed = parse({
      input: [
        { type: 'compaction', encrypted_content: 'gAAA' },
        { type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'a' } },
        { type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'b' } },
        { type: 'mcp_list_tools', server_label: 'x', tools: [] },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(parsed.body.messages).toEqual([{ role: 'user', content: 'Hi' }]);
    expect(parsed.warnings).toEqual([
      'input: compaction items hold context encrypted for OpenAI; dropped',
      'input: web_search_call items come from hosted tools the router cannot replay; dropped',
      'input: mcp_list_tools items come from hosted tools the router cannot replay; dropped',
    ]);
  });

  it('converts long inputs and deeply nested schemas without recursion', () => {
    const input = Array.from({ length: 50_000 }, (_, index) => ({ role: 'user', content: `m${index}` }));
    expect(messagesOf({ input })).toHaveLength(50_000);
    let schema: Record<string, unknown> = { type: 'string' };
    for (let depth = 0; depth < 100_000; depth += 1) schema = { type: 'object', properties: { a: schema } };
    const { body } = parse({ input: 'Hi', tools: [{ type: 'function', name: 'deep', parameters: schema }] });
    expect((body.tools as any[])[0].function.parameters).toBe(schema);
  });
});

describe('parseResponsesRequest: tools', () => {
  const fn = (name: string) => ({ type: 'function', name, parameters: { type: 'object', properties: {} } });

  it('maps tool_choice modes and named choices', () => {
    const tools = [fn('read'), { type: 'custom', name: 'apply_patch' }];
    expect(parse({ input: 'Hi', tools, tool_choice: 'required' }).body.tool_choice).toBe('required');
    expect(
      parse({ input: 'Hi', tools, tool_choice: { type: 'function', name: 'read' } }).body.tool_choice,
    ).toEqual({
      type: 'function',
      function: { name: 'read' },
    });
    expect(
      parse({ input: 'Hi', tools, tool_choice: { type: 'custom', name: 'apply_patch' } }).body.tool_choice,
    ).toEqual({ type: 'function', function: { name: 'apply_patch--custom' } });
  });

  it('keeps only the allowed tools for allowed_tools', () => {
    const parsed = parse({
      input: 'Hi',
      tools: [fn('read'), fn('write'), fn('delete')],
      tool_choice: {
        type: 'allowed_tools',
        mode: 'required',
        tools: [
          { type: 'function', name: 'read' },
          { type: 'function', name: 'delete' },
          { type: 'image_generation' },
        ],
      },
    });
    expect((parsed.body.tools as any[]).map((tool) => tool.function.name)).toEqual(['read', 'delete']);
    expect(parsed.body.tool_choice).toBe('required');
    expect(parsed.warnings).toEqual([
      'tool_choice.tools[2]: the hosted tool "image_generation" cannot run through the router; ignored',
    ]);
  });

  it('turns a hosted tool choice into auto with a warning', () => {
    const parsed = parse({ input: 'Hi', tools: [fn('read')], tool_choice: { type: 'file_search' } });
    expect(parsed.body.tool_choice).toBe('auto');
    expect(parsed.warnings).toEqual([
      'tool_choice: the hosted tool "file_search" cannot run through the router; using "auto"',
    ]);
  });

  it('sends no tools, tool choice or parallel setting when only hosted tools were given', () => {
    const parsed = parse({
      input: 'Hi',
      tools: [{ type: 'web_search_preview' }, { type: 'code_interpreter', container: { type: 'auto' } }],
      tool_choice: 'required',
      parallel_tool_calls: true,
    });
    expect(parsed.body.tools).toBeUndefined();
    expect(parsed.body.tool_choice).toBeUndefined();
    expect(parsed.body.parallel_tool_calls).toBeUndefined();
    expect(parsed.warnings).toEqual([
      'tools[0]: the hosted tool "web_search_preview" cannot run through the router; dropped',
      'tools[1]: the hosted tool "code_interpreter" cannot run through the router; dropped',
      'tool_choice: no tool is left to call (hosted tools are dropped); ignored',
    ]);
  });

  it('flattens namespaces with custom tools inside', () => {
    const { body } = parse({
      input: 'Hi',
      tools: [
        {
          type: 'namespace',
          name: 'crm',
          description: 'Customer records.',
          tools: [
            {
              type: 'function',
              name: 'find',
              description: 'Finds a customer.',
              parameters: null,
              strict: null,
            },
            { type: 'custom', name: 'note' },
          ],
        },
      ],
    });
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: { name: 'crm--find', description: 'Customer records.\n\nFinds a customer.' },
      },
      {
        type: 'function',
        function: {
          name: 'crm--note--custom',
          description: 'Customer records.',
          parameters: {
            type: 'object',
            properties: {
              input: { type: 'string', description: 'The input, as free-form text (not JSON).' },
            },
            required: ['input'],
            additionalProperties: false,
          },
        },
      },
    ]);
  });
});

describe('parseResponsesRequest: refusals', () => {
  const base = { model: 'pareto-code' };

  it('refuses stored state with the way out', () => {
    expect(refusal({ ...base, input: 'Hi', previous_response_id: 'resp_1' })).toBe(
      'previous_response_id: the router does not store responses; send the whole conversation in input instead (store: false)',
    );
    expect(refusal({ ...base, input: 'Hi', conversation: 'conv_1' })).toMatch(
      /^conversation: the router does not store/,
    );
    expect(refusal({ ...base, input: 'Hi', prompt: { id: 'pmpt_1' } })).toMatch(
      /^prompt: stored prompt templates/,
    );
    expect(refusal({ ...base, input: 'Hi', background: true })).toMatch(/^background: /);
    expect(refusal({ ...base, input: [{ type: 'item_reference', id: 'msg_1' }] })).toBe(
      'input[0]: item_reference points to an item stored by OpenAI; the router stores nothing, so send the item itself',
    );
  });

  it('refuses a tool output that answers no earlier call', () => {
    expect(
      refusal({ ...base, input: [{ type: 'function_call_output', call_id: 'call_x', output: 'ok' }] }),
    ).toBe('input[0].call_id: "call_x" answers no tool call earlier in the input');
    const late = [
      { type: 'function_call_output', call_id: 'c1', output: 'ok' },
      { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
    ];
    expect(refusal({ ...base, input: late })).toBe(
      'input[0].call_id: "c1" answers no tool call earlier in the input',
    );
  });

  it('refuses unknown item and part types, naming them', () => {
    expect(refusal({ ...base, input: [{ type: 'telepathy' }] })).toBe(
      'input[0].type: unknown input item type "telepathy"',
    );
    expect(
      refusal({ ...base, input: [{ role: 'user', content: [{ type: 'input_video', url: 'x' }] }] }),
    ).toBe('input[0].content[0].type: unknown content part type "input_video"');
  });

  it('refuses files stored at OpenAI', () => {
    expect(
      refusal({
        ...base,
        input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-abc', detail: 'auto' }] }],
      }),
    ).toBe(
      'input[0].content[0].file_id: "file-abc" names a file stored at OpenAI, which the router cannot read; send the content itself (a URL or a base64 data URL)',
    );
    expect(
      refusal({ ...base, input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-1' }] }] }),
    ).toMatch(/^input\[0\]\.content\[0\]\.file_id: "file-1" names a file stored at OpenAI/);
  });

  it('refuses wrong types with the path and the value', () => {
    expect(refusal([])).toBe('the request body must be a JSON object');
    expect(refusal({ model: 7, input: 'Hi' })).toBe('model: must be a string, got 7');
    expect(refusal({ ...base, input: 12 })).toBe('input: must be a string or an array of items, got 12');
    expect(refusal({ ...base, input: [{ role: 'user', content: 5 }] })).toBe(
      'input[0].content: must be a string or an array of content parts, got 5',
    );
    expect(refusal({ ...base, input: [{ role: 'tool', content: 'x' }] })).toBe(
      'input[0].role: must be "user", "assistant", "system" or "developer", got "tool"',
    );
    expect(
      refusal({ ...base, input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: { a: 1 } }] }),
    ).toBe('input[0].arguments: must be a string, got an object');
    expect(refusal({ ...base, input: 'Hi', stream: 'yes' })).toBe('stream: must be a boolean, got "yes"');
    expect(refusal({ ...base, input: 'Hi', max_output_tokens: 0 })).toBe(
      'max_output_tokens: must be a positive integer, got 0',
    );
    expect(refusal({ ...base, input: 'Hi', reasoning: { effort: 'max' } })).toBe(
      'reasoning.effort: must be one of none, minimal, low, medium, high, xhigh, got "max"',
    );
    expect(refusal({ ...base, input: 'Hi', text: { format: { type: 'xml' } } })).toBe(
      'text.format.type: must be "text", "json_object" or "json_schema", got "xml"',
    );
    expect(
      refusal({
        ...base,
        input: [{ role: 'assistant', content: [{ type: 'input_image', image_url: 'x' }] }],
      }),
    ).toBe('input[0].content[0].type: input_image is not accepted here, only text');
  });

  it('refuses malformed tools and tool choices', () => {
    expect(refusal({ ...base, input: 'Hi', tools: [{ type: 'function' }] })).toBe(
      'tools[0].name: must be a string, got undefined',
    );
    expect(refusal({ ...base, input: 'Hi', tools: [{ type: 'function', name: 'a--b' }] })).toBe(
      'tools[0].name: "a--b" reads back as another kind of tool once flattened for the upstream (the router reserves "--" in tool names); rename the tool',
    );
    expect(
      refusal({
        ...base,
        input: 'Hi',
        tools: [
          { type: 'function', name: 'f' },
          { type: 'function', name: 'f' },
        ],
      }),
    ).toBe('tools[1].name: a second tool named "f"');
    expect(
      refusal({
        ...base,
        input: 'Hi',
        tools: [{ type: 'namespace', name: 'n', tools: [{ type: 'web_search' }] }],
      }),
    ).toBe('tools[0].tools[0].type: must be "function" or "custom", got "web_search"');
    expect(
      refusal({ ...base, input: 'Hi', tools: [{ type: 'function', name: 'f' }], tool_choice: 'any' }),
    ).toBe('tool_choice: must be "none", "auto", "required" or an object, got "any"');
    expect(
      refusal({
        ...base,
        input: 'Hi',
        tools: [{ type: 'function', name: 'f' }],
        tool_choice: { type: 'function', name: 'g' },
      }),
    ).toBe('tool_choice.name: no function tool named "g"');
  });
});

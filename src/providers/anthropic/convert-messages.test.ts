import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../core/chat-request.js';
import { routerErrorOf } from '../../core/test-support/router-error-of.js';
import { convertMessages, sanitizeToolCallId } from './convert-messages.js';

function convert(messages: ChatMessage[]) {
  const warnings: string[] = [];
  const converted = convertMessages(messages, warnings);
  return { ...converted, warnings };
}

const pngBase64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('convertMessages: system prompt', () => {
  it('sends one string system message as a string', () => {
    const result = convert([
      { role: 'system', content: 'You review TypeScript.' },
      { role: 'user', content: 'Hi' },
    ]);
    expect(result.system).toBe('You review TypeScript.');
    expect(result.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
    expect(result.warnings).toEqual([]);
  });

  it('joins system and developer messages as text blocks, keeping cache_control', () => {
    const result = convert([
      { role: 'system', content: 'Rules.' },
      {
        role: 'developer',
        content: [
          {
            type: 'text',
            text: 'A long reference document.',
            cache_control: { type: 'ephemeral', ttl: '1h' },
          },
        ],
      },
      { role: 'user', content: 'Hi' },
    ]);
    expect(result.system).toEqual([
      { type: 'text', text: 'Rules.' },
      { type: 'text', text: 'A long reference document.', cache_control: { type: 'ephemeral', ttl: '1h' } },
    ]);
  });

  it('moves a late system message to the system prompt with a warning', () => {
    const result = convert([
      { role: 'user', content: 'Hi' },
      { role: 'system', content: 'Answer in French.' },
    ]);
    expect(result.system).toBe('Answer in French.');
    expect(result.warnings).toEqual([
      'messages[1]: a system message after the conversation start was moved to the system prompt',
    ]);
  });

  it('has no system prompt when there is no system message', () => {
    expect(convert([{ role: 'user', content: 'Hi' }]).system).toBeUndefined();
  });
});

describe('convertMessages: turns', () => {
  it('merges consecutive turns of one role, since Anthropic requires alternation', () => {
    const result = convert([
      { role: 'user', content: 'First.' },
      { role: 'user', content: 'Second.' },
      { role: 'assistant', content: 'One.' },
      { role: 'assistant', content: 'Two.' },
      { role: 'user', content: 'Third.' },
    ]);
    expect(result.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'First.' },
          { type: 'text', text: 'Second.' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'One.' },
          { type: 'text', text: 'Two.' },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'Third.' }] },
    ]);
  });

  it('keeps cache_control on user text parts', () => {
    const result = convert([
      { role: 'user', content: [{ type: 'text', text: 'Big file', cache_control: { type: 'ephemeral' } }] },
    ]);
    expect(result.messages[0]?.content).toEqual([
      { type: 'text', text: 'Big file', cache_control: { type: 'ephemeral' } },
    ]);
  });

  it('converts data: and https image URLs', () => {
    const result = convert([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What differs?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${pngBase64}` } },
          { type: 'image_url', image_url: { url: 'https://example.com/screenshot.jpg', detail: 'high' } },
          { type: 'image_url', image_url: { url: `data:image/jpg;base64,${pngBase64}` } },
        ],
      },
    ]);
    expect(result.messages[0]?.content).toEqual([
      { type: 'text', text: 'What differs?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: pngBase64 } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/screenshot.jpg' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: pngBase64 } },
    ]);
  });

  it.each([
    [
      'an unsupported image type',
      'data:image/tiff;base64,AAAA',
      'image type image/tiff is not supported (use JPEG, PNG, GIF or WebP)',
    ],
    ['a data URL that is not base64', 'data:image/png,rawbytes', 'an image data URL must be base64-encoded'],
    ['another URL scheme', 'file:///etc/passwd', 'an image URL must be https, http or a data URL'],
  ])('rejects %s as invalid_request', (_name, url, message) => {
    const error = routerErrorOf(() =>
      convert([{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }]),
    );
    expect(error.code).toBe('invalid_request');
    expect(error.message).toBe(`messages[0].content[0]: ${message}`);
  });

  it('leaves out unsupported parts with a warning', () => {
    const result = convert([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Listen.' },
          { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
        ],
      },
    ]);
    expect(result.messages[0]?.content).toEqual([{ type: 'text', text: 'Listen.' }]);
    expect(result.warnings).toEqual([
      'messages[0].content[1]: content part type input_audio is not supported; left out',
    ]);
  });

  it('drops blank text, which Anthropic rejects, and the turns left empty', () => {
    const result = convert([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: '  ' },
      { role: 'user', content: 'Still there?' },
    ]);
    expect(result.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Hi' },
          { type: 'text', text: 'Still there?' },
        ],
      },
    ]);
  });

  it('trims trailing whitespace off a final assistant prefill', () => {
    const result = convert([
      { role: 'user', content: 'Write JSON.' },
      { role: 'assistant', content: '{\n  ' },
    ]);
    expect(result.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: '{' }] });
  });

  it('rejects a conversation with nothing to send', () => {
    expect(routerErrorOf(() => convert([{ role: 'system', content: 'Only rules.' }])).code).toBe(
      'invalid_request',
    );
  });
});

describe('convertMessages: tool calls and results', () => {
  const toolConversation: ChatMessage[] = [
    { role: 'user', content: 'Read both files.' },
    {
      role: 'assistant',
      content: 'Reading.',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.ts"}' } },
        {
          id: 'functions.read_file:1',
          type: 'function',
          function: { name: 'read_file', arguments: '{"path":"b.ts"}' },
        },
        { id: 'call_3', type: 'function', function: { name: 'list_directory', arguments: '' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: 'export const a = 1;' },
    {
      role: 'tool',
      tool_call_id: 'functions.read_file:1',
      content: [{ type: 'text', text: 'export const b = 2;' }],
    },
    { role: 'tool', tool_call_id: 'call_3', content: '' },
    { role: 'user', content: 'Now compare them.' },
  ];

  it('converts tool calls to tool_use blocks and merges tool results into one user turn, results first', () => {
    const result = convert(toolConversation);
    expect(result.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Read both files.' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Reading.' },
          { type: 'tool_use', id: 'call_1', name: 'read_file', input: { path: 'a.ts' } },
          { type: 'tool_use', id: 'functions_read_file_1', name: 'read_file', input: { path: 'b.ts' } },
          { type: 'tool_use', id: 'call_3', name: 'list_directory', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: 'export const a = 1;' },
          {
            type: 'tool_result',
            tool_use_id: 'functions_read_file_1',
            content: [{ type: 'text', text: 'export const b = 2;' }],
          },
          { type: 'tool_result', tool_use_id: 'call_3' },
          { type: 'text', text: 'Now compare them.' },
        ],
      },
    ]);
  });

  it('puts tool results before text even when the text came first', () => {
    const result = convert([
      { role: 'user', content: 'Go.' },
      {
        role: 'assistant',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      { role: 'user', content: 'Also note this.' },
      { role: 'tool', tool_call_id: 'call_1', content: 'done' },
    ]);
    expect(result.messages[2]?.content.map((block) => block.type)).toEqual(['tool_result', 'text']);
  });

  it.each([
    ['{"path": "a.ts"', 'are not valid JSON'],
    ['[1, 2]', 'must be a JSON object'],
    ['"text"', 'must be a JSON object'],
  ])('rejects tool call arguments %s, naming the call id', (argumentsText, problem) => {
    const error = routerErrorOf(() =>
      convert([
        { role: 'user', content: 'Go.' },
        {
          role: 'assistant',
          tool_calls: [
            { id: 'call_bad', type: 'function', function: { name: 'f', arguments: argumentsText } },
          ],
        },
      ]),
    );
    expect(error.code).toBe('invalid_request');
    expect(error.message).toBe(`messages[1].tool_calls[0]: the arguments of tool call call_bad ${problem}`);
  });

  it('sanitizes tool call ids into the characters Anthropic accepts', () => {
    expect(sanitizeToolCallId('toolu_01A09q90qw90lq917835lq9')).toBe('toolu_01A09q90qw90lq917835lq9');
    expect(sanitizeToolCallId('functions.read_file:0')).toBe('functions_read_file_0');
    expect(sanitizeToolCallId('')).toBe('tool_call');
  });

  it('leaves earlier reasoning out of assistant turns, since it carries no signature', () => {
    const result = convert([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello.', reasoning: 'The user greets me.' },
      { role: 'user', content: 'Bye' },
    ]);
    expect(JSON.stringify(result.messages)).not.toContain('greets');
  });
});

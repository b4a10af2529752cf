import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidChatBody, isValidRouterPlugin } from './chat-body-validator.js';
import { bodySchema, pluginFieldNames, pluginSchema } from './parse-chat-request.js';

const base = {
  model: 'pareto-code',
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: [{ type: 'text', text: 'hi' }] },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
    },
    { role: 'tool', tool_call_id: 'c1', content: 'ok' },
  ],
};

const variants: [string, unknown][] = [
  ['the base body', base],
  ['no messages', { model: 'm' }],
  ['empty messages', { ...base, messages: [] }],
  ['an unknown role', { ...base, messages: [{ role: 'robot', content: 'x' }] }],
  ['a user turn without content', { ...base, messages: [{ role: 'user' }] }],
  ['an assistant turn without content', { ...base, messages: [{ role: 'assistant' }] }],
  ['a tool turn without its id', { ...base, messages: [{ role: 'tool', content: 'x' }] }],
  ['a content part without type', { ...base, messages: [{ role: 'user', content: [{ text: 'x' }] }] }],
  ['an empty model', { ...base, model: '' }],
  ['models empty', { ...base, models: [] }],
  ['max_tokens 0', { ...base, max_tokens: 0 }],
  ['max_tokens 1.5', { ...base, max_tokens: 1.5 }],
  ['max_tokens past safe integers', { ...base, max_tokens: 2 ** 60 }],
  ['max_completion_tokens 10', { ...base, max_completion_tokens: 10 }],
  ['seed negative', { ...base, seed: -3 }],
  ['stream as a string', { ...base, stream: 'yes' }],
  ['stop as a list', { ...base, stop: ['a', 'b'] }],
  ['stop as a number', { ...base, stop: 1 }],
  ['a tool without a name', { ...base, tools: [{ type: 'function', function: {} }] }],
  ['a tool of another type', { ...base, tools: [{ type: 'web', function: { name: 'x' } }] }],
  ['tool_choice auto', { ...base, tool_choice: 'auto' }],
  ['tool_choice any', { ...base, tool_choice: 'any' }],
  ['tool_choice a function', { ...base, tool_choice: { type: 'function', function: { name: 'f' } } }],
  ['response_format xml', { ...base, response_format: { type: 'xml' } }],
  ['a plugin without id', { ...base, plugins: [{ min_coding_score: 1 }] }],
  ['provider as a list', { ...base, provider: [] }],
  ['session_id of 256 units', { ...base, session_id: 'a'.repeat(256) }],
  ['session_id of 129 astral characters', { ...base, session_id: '\u{1F600}'.repeat(129) }],
  ['prompt_cache_key of 257 units', { ...base, prompt_cache_key: 'a'.repeat(257) }],
  ['unknown fields', { ...base, logit_bias: { 1: 2 }, reasoning: { effort: 'high' } }],
];

describe('isValidChatBody', () => {
  it.each(variants)('agrees with the zod schema on %s', (_name, body) => {
    expect(isValidChatBody(body)).toBe(bodySchema.safeParse(body).success);
  });

  it('rejects what zod rejects and accepts what it accepts, over random field values', () => {
    const fields = [
      'model',
      'models',
      'messages',
      'stream',
      'max_tokens',
      'seed',
      'stop',
      'tools',
      'tool_choice',
      'plugins',
      'provider',
      'session_id',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 3 }), (field, value) => {
        const body = { ...base, [field]: value };
        expect(isValidChatBody(body)).toBe(bodySchema.safeParse(body).success);
      }),
      { numRuns: 500 },
    );
  });
});

describe('isValidRouterPlugin', () => {
  const plugin = { id: 'pareto-router', min_coding_score: 0.8 };
  const pluginVariants: [string, unknown][] = [
    ['the usual plugin', plugin],
    ['another id', { ...plugin, id: 'web' }],
    ['no id', { min_coding_score: 0.5 }],
    ['a score above 1', { ...plugin, min_coding_score: 1.2 }],
    ['a score as a string', { ...plugin, min_coding_score: '0.5' }],
    ['a negative max_price', { ...plugin, max_price: -1 }],
    ['max_price as an object', { ...plugin, max_price: { prompt: 1 } }],
    ['an unknown price_source', { ...plugin, price_source: 'cheapest' }],
    ['an empty model name', { ...plugin, allowed_models: ['openai/gpt-5.4', ''] }],
    [
      'every field',
      {
        id: 'pareto-router',
        enabled: true,
        min_coding_score: 0,
        max_price: 0,
        price_source: 'weighted_avg',
        tier: 'low',
        max_blended_price: 1,
        max_prompt_price: 2,
        max_completion_price: 3,
        allowed_models: ['a/b'],
        excluded_models: ['c/*'],
      },
    ],
    ['unknown fields', { ...plugin, minCodingScore: 0.2 }],
    ['a list', []],
    ['null', null],
  ];

  it.each(pluginVariants)('agrees with the zod schema on %s', (_name, value) => {
    expect(isValidRouterPlugin(value)).toBe(pluginSchema.safeParse(value).success);
  });

  it('rejects what zod rejects and accepts what it accepts, over random field values', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...pluginFieldNames, 'other'),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.double(), fc.array(fc.string({ maxLength: 2 }))),
        (field, value) => {
          const candidate = { ...plugin, [field]: value };
          expect(isValidRouterPlugin(candidate)).toBe(pluginSchema.safeParse(candidate).success);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

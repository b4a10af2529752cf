/**
 * The chat-completions body check as a compiled validator: the same rules as the zod `bodySchema` in
 * parse-chat-request.ts (only the fields the router reads), written as JSON Schema and compiled once by
 * ajv into a plain function. Measured on this machine it accepts a typical body several times faster
 * than zod's `safeParse` (figures in bench/README.md, "Same-protocol fast path"). Only acceptance is
 * decided here: a body it rejects goes through zod, whose first issue words the 400.
 */
import { Ajv } from 'ajv';

const nonEmptyString = { type: 'string', minLength: 1 } as const;
// zod's `int()` accepts safe integers only.
const positiveInteger = { type: 'integer', exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const safeInteger = {
  type: 'integer',
  minimum: Number.MIN_SAFE_INTEGER,
  maximum: Number.MAX_SAFE_INTEGER,
} as const;
const content = {
  anyOf: [
    { type: 'string' },
    {
      type: 'array',
      items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } },
    },
  ],
} as const;

const toolCall = {
  type: 'object',
  required: ['id', 'function'],
  properties: {
    id: { type: 'string' },
    type: { const: 'function' },
    function: {
      type: 'object',
      required: ['name', 'arguments'],
      properties: { name: { type: 'string' }, arguments: { type: 'string' } },
    },
  },
} as const;

// `discriminator` sends each message straight to its role's branch, as zod's discriminated union does.
const message = {
  type: 'object',
  required: ['role'],
  discriminator: { propertyName: 'role' },
  oneOf: [
    {
      required: ['content'],
      properties: { role: { enum: ['system', 'developer', 'user'] }, content },
    },
    {
      properties: {
        role: { const: 'assistant' },
        content: { anyOf: [{ type: 'null' }, content] },
        tool_calls: { type: 'array', items: toolCall },
      },
    },
    {
      required: ['content', 'tool_call_id'],
      properties: { role: { const: 'tool' }, content, tool_call_id: { type: 'string' } },
    },
  ],
} as const;

/** The body schema: JSON Schema's twin of the zod `bodySchema`. */
export const chatBodyJsonSchema = {
  type: 'object',
  required: ['messages'],
  properties: {
    model: nonEmptyString,
    models: { type: 'array', minItems: 1, items: nonEmptyString },
    messages: { type: 'array', minItems: 1, items: message },
    stream: { type: 'boolean' },
    max_tokens: positiveInteger,
    max_completion_tokens: positiveInteger,
    temperature: { type: 'number' },
    top_p: { type: 'number' },
    seed: safeInteger,
    stop: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    tools: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'function'],
        properties: {
          type: { const: 'function' },
          function: { type: 'object', required: ['name'], properties: { name: nonEmptyString } },
        },
      },
    },
    tool_choice: {
      anyOf: [
        { enum: ['none', 'auto', 'required'] },
        {
          type: 'object',
          required: ['type', 'function'],
          properties: {
            type: { const: 'function' },
            function: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
          },
        },
      ],
    },
    response_format: {
      type: 'object',
      required: ['type'],
      properties: { type: { enum: ['text', 'json_object', 'json_schema'] } },
    },
    plugins: {
      type: 'array',
      items: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
    },
    provider: { type: 'object' },
    session_id: { type: 'string', maxLength: 256 },
    prompt_cache_key: { type: 'string', maxLength: 256 },
  },
} as const;

// `allErrors` stays off so the validator stops at the first failure (zod words the error).
const ajv = new Ajv({ allErrors: false, discriminator: true, strict: true, strictRequired: false });
const validate: (body: unknown) => boolean = ajv.compile(chatBodyJsonSchema);

/** True when `body` passes the chat-completions body check (the same answer as the zod schema). */
export const isValidChatBody: (body: unknown) => boolean = validate;

const nonNegativeNumber = { type: 'number', minimum: 0 } as const;
const modelList = { type: 'array', items: nonEmptyString } as const;

/**
 * The `pareto-router` plugin's check, the compiled twin of `pluginSchema` in parse-chat-request.ts: most
 * routed calls carry the plugin, and zod's parse of it cost more than the compiled check of the whole
 * body in a profile of stream starts. Unknown fields pass (they draw a warning there).
 */
export const routerPluginJsonSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { const: 'pareto-router' },
    enabled: { type: 'boolean' },
    min_coding_score: { type: 'number', minimum: 0, maximum: 1 },
    max_price: nonNegativeNumber,
    price_source: { enum: ['prompt', 'weighted_avg'] },
    tier: { type: 'string' },
    max_blended_price: nonNegativeNumber,
    max_prompt_price: nonNegativeNumber,
    max_completion_price: nonNegativeNumber,
    allowed_models: modelList,
    excluded_models: modelList,
  },
} as const;

/** True when `plugin` passes the plugin check (the same answer as the zod schema). */
export const isValidRouterPlugin: (plugin: unknown) => boolean = ajv.compile(routerPluginJsonSchema);

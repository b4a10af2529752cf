/**
 * Tolerant schemas of what the Anthropic Messages API sends back: the `message` body, the named stream
 * events and the error envelope. They name only the fields the adapter reads; anything else passes by.
 */
import { z } from 'zod';

const tokenCount = z.number().int().nonnegative().nullish();

/** Anthropic's usage object; `input_tokens` excludes cache reads and cache writes. */
export const anthropicUsageSchema = z.object({
  input_tokens: tokenCount,
  output_tokens: tokenCount,
  cache_read_input_tokens: tokenCount,
  cache_creation_input_tokens: tokenCount,
});

export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

/**
 * Every content block carries a `type`; the other fields depend on it and are checked per type, so this
 * schema keeps them (a plain object schema would strip them).
 */
export const contentBlockTypeSchema = z.looseObject({ type: z.string() });

export const textBlockSchema = z.object({ text: z.string() });
export const thinkingBlockSchema = z.object({ thinking: z.string() });
export const toolUseBlockSchema = z.object({
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});

/** The fields of a `message` body the adapter reads. */
export const messageBodySchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  content: z.array(z.unknown()),
  stop_reason: z.string().nullish(),
  usage: anthropicUsageSchema.nullish(),
});

export const errorObjectSchema = z.object({
  type: z.string().nullish(),
  message: z.string().nullish(),
});

/** `{"type": "error", "error": {"type", "message"}, "request_id"?}` */
export const errorEnvelopeSchema = z.object({
  error: errorObjectSchema,
  request_id: z.string().nullish(),
});

export const messageStartEventSchema = z.object({
  message: z.object({
    id: z.string().nullish(),
    model: z.string().nullish(),
    usage: anthropicUsageSchema.nullish(),
  }),
});

export const contentBlockStartEventSchema = z.object({
  index: z.number().int().nonnegative(),
  content_block: contentBlockTypeSchema,
});

export const contentBlockDeltaEventSchema = z.object({
  index: z.number().int().nonnegative(),
  delta: z.looseObject({ type: z.string() }),
});

export const contentBlockStopEventSchema = z.object({
  index: z.number().int().nonnegative(),
});

export const messageDeltaEventSchema = z.object({
  delta: z.object({ stop_reason: z.string().nullish() }),
  usage: anthropicUsageSchema.nullish(),
});

export const textDeltaSchema = z.object({ text: z.string() });
export const thinkingDeltaSchema = z.object({ thinking: z.string() });
export const inputJsonDeltaSchema = z.object({ partial_json: z.string() });

/** A short description of why a value failed a schema (first issue only), for error messages. */
export function describeSchemaIssue(error: z.ZodError, root: string): string {
  const issue = error.issues[0];
  if (issue === undefined) return `${root}: unexpected shape`;
  let path = root;
  for (const key of issue.path) {
    path += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  }
  return `${path}: ${issue.message}`;
}

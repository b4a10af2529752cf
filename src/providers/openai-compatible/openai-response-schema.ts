/**
 * Tolerant schemas of what OpenAI-compatible upstreams answer: the `chat.completion` body, each
 * `chat.completion.chunk` of a stream, and the error envelopes. They name only the fields the adapter reads;
 * everything else passes through unread, because every vendor adds fields of its own. Fields whose odd
 * values would not change the answer (token counts, error details) fall back to null instead of failing.
 */
import { z } from 'zod';

/** A token count; a vendor sending a string or a negative number loses the figure, not the answer. */
const tokenCount = z.number().nullish().catch(null);

const usageSchema = z.object({
  prompt_tokens: tokenCount,
  completion_tokens: tokenCount,
  prompt_tokens_details: z
    .object({ cached_tokens: tokenCount, cache_write_tokens: tokenCount })
    .nullish()
    .catch(null),
  completion_tokens_details: z.object({ reasoning_tokens: tokenCount }).nullish().catch(null),
  /** DeepSeek's name for cache reads. */
  prompt_cache_hit_tokens: tokenCount,
  /** Moonshot reports cache reads at the top of `usage`. */
  cached_tokens: tokenCount,
});

/** Function arguments: a JSON string in the OpenAI format, an object from a few local servers. */
const functionArgumentsSchema = z.union([z.string(), z.record(z.string(), z.unknown())]).nullish();

const toolCallSchema = z.object({
  id: z.string().nullish(),
  function: z.object({ name: z.string(), arguments: functionArgumentsSchema }),
});

/** A string in the OpenAI format; a list of typed parts from a few vendors. */
const contentSchema = z.union([z.string(), z.array(z.unknown())]).nullish();

const messageSchema = z.object({
  content: contentSchema,
  /** OpenRouter's (and newer vLLM's) reasoning text. */
  reasoning: z.string().nullish().catch(null),
  /** DeepSeek's, Moonshot's and vLLM's reasoning text. */
  reasoning_content: z.string().nullish().catch(null),
  tool_calls: z.array(toolCallSchema).nullish(),
  /** The deprecated single function call. */
  function_call: z.object({ name: z.string(), arguments: functionArgumentsSchema }).nullish(),
});

const errorObjectSchema = z.object({
  message: z.string().nullish().catch(null),
  type: z.string().nullish().catch(null),
  code: z.union([z.string(), z.number()]).nullish().catch(null),
  param: z.string().nullish().catch(null),
  metadata: z.record(z.string(), z.unknown()).nullish().catch(null),
});

/** The `error` member of a body or chunk: an object in the OpenAI format, a bare string from some servers. */
export const upstreamErrorSchema = z.union([errorObjectSchema, z.string()]);

export type UpstreamErrorObject = z.infer<typeof errorObjectSchema>;

/** The fields of a `chat.completion` body the adapter reads. */
export const chatCompletionSchema = z.object({
  id: z.string().nullish().catch(null),
  model: z.string().nullish().catch(null),
  choices: z.array(
    z.object({
      message: messageSchema,
      finish_reason: z.string().nullish(),
      /** OpenRouter's raw finish reason from the model's provider. */
      native_finish_reason: z.string().nullish().catch(null),
    }),
  ),
  usage: usageSchema.nullish().catch(null),
});

const toolCallDeltaSchema = z.object({
  index: z.number().int().nonnegative().nullish(),
  id: z.string().nullish(),
  function: z.object({ name: z.string().nullish(), arguments: functionArgumentsSchema }).nullish(),
});

/** The fields of a `chat.completion.chunk` the adapter reads. */
export const chatCompletionChunkSchema = z.object({
  id: z.string().nullish().catch(null),
  model: z.string().nullish().catch(null),
  choices: z
    .array(
      z.object({
        index: z.number().nullish().catch(null),
        delta: z
          .object({
            content: contentSchema,
            reasoning: z.string().nullish().catch(null),
            reasoning_content: z.string().nullish().catch(null),
            tool_calls: z.array(toolCallDeltaSchema).nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
        native_finish_reason: z.string().nullish().catch(null),
      }),
    )
    .nullish(),
  usage: usageSchema.nullish().catch(null),
});

export type OpenaiUsage = z.infer<typeof usageSchema>;
export type ChatCompletion = z.infer<typeof chatCompletionSchema>;
export type ChatCompletionChunk = z.infer<typeof chatCompletionChunkSchema>;

/** Function arguments as the JSON string the OpenAI format uses, whichever form the upstream sent. */
export function serializeArguments(value: z.infer<typeof functionArgumentsSchema>): string {
  if (value == null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The text of a content value: the string itself, or its text parts joined; null when there is none. */
export function readContentText(content: z.infer<typeof contentSchema>): string | null {
  if (content == null) return null;
  if (typeof content === 'string') return content === '' ? null : content;
  let text = '';
  for (const part of content) {
    if (typeof part !== 'object' || part === null) continue;
    const { type, text: partText } = part as { type?: unknown; text?: unknown };
    if (type === 'text' && typeof partText === 'string') text += partText;
  }
  return text === '' ? null : text;
}

/** A short description of why a value failed a schema, for error messages (first issue only). */
export function describeSchemaIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'unexpected shape';
  const path = issue.path.length === 0 ? 'body' : issue.path.join('.');
  return `${path}: ${issue.message}`;
}

/**
 * A compiled check (ajv) for the common case of a streamed chunk: every field the stream converter reads
 * present with the exact type the zod chunk schema expects, so zod's parse would return it unchanged
 * (none of its fallbacks would apply). Such a chunk is read as it is; any other goes through zod. At
 * agent scale (thousands of streams, tens of chunks a second each) this is most of the converter's work.
 */
import { compileChunkCheck, nullableString } from '../compile-chunk-check.js';
import type { ChatCompletionChunk } from './openai-response-schema.js';

const nullableCount = { type: ['number', 'null'] } as const;

const usage = {
  type: ['object', 'null'],
  properties: {
    prompt_tokens: nullableCount,
    completion_tokens: nullableCount,
    prompt_tokens_details: {
      type: ['object', 'null'],
      properties: { cached_tokens: nullableCount, cache_write_tokens: nullableCount },
    },
    completion_tokens_details: { type: ['object', 'null'], properties: { reasoning_tokens: nullableCount } },
    prompt_cache_hit_tokens: nullableCount,
    cached_tokens: nullableCount,
  },
} as const;

const chunkSchema = {
  type: 'object',
  properties: {
    id: nullableString,
    model: nullableString,
    choices: {
      type: ['array', 'null'],
      items: {
        type: 'object',
        properties: {
          index: nullableCount,
          delta: {
            type: ['object', 'null'],
            properties: {
              // Content as a list of parts is left to zod.
              content: nullableString,
              reasoning: nullableString,
              reasoning_content: nullableString,
              tool_calls: {
                type: ['array', 'null'],
                items: {
                  type: 'object',
                  properties: {
                    index: { type: ['integer', 'null'], minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
                    id: nullableString,
                    function: {
                      type: ['object', 'null'],
                      properties: { name: nullableString, arguments: nullableString },
                    },
                  },
                },
              },
            },
          },
          finish_reason: nullableString,
          native_finish_reason: nullableString,
        },
      },
    },
    usage,
  },
} as const;

const validate = compileChunkCheck(chunkSchema);

/** True when `value` is a chunk zod's schema would return unchanged: it can be read as it is. */
export function isPlainChunk(value: unknown): value is ChatCompletionChunk {
  return validate(value);
}

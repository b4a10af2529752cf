/**
 * A compiled check (ajv) for the common case of a streamed Gemini chunk: every field the stream converter
 * reads present with the exact type `generateContentResponseSchema` expects, so zod's parse would return
 * the same members (it only drops the ones the converter never reads). Such a chunk is read as it is; any
 * other goes through zod, which words the error. The OpenAI-compatible converter does the same
 * (`isPlainChunk`). Every chunk of every stream from a Gemini upstream is checked here, so the check must
 * stay cheap: about 35 ns for a text chunk, against about 300 for zod's parse (bench/README.md, "Where a
 * call's CPU goes, end to end").
 */
import { compileChunkCheck, nullableString } from '../compile-chunk-check.js';
import type { GenerateContentResponse } from './gemini-response-schema.js';

const nullableBoolean = { type: ['boolean', 'null'] } as const;
/** zod's `z.number().int().nonnegative()`: an integer from 0 to the largest safe one. */
const tokenCount = { type: ['integer', 'null'], minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

const functionCall = {
  type: ['object', 'null'],
  required: ['name'],
  properties: {
    name: { type: 'string' },
    // zod's `z.record(z.string(), z.unknown())`: an object (never an array), any members.
    args: { type: ['object', 'null'] },
    id: nullableString,
  },
} as const;

const chunkSchema = {
  type: 'object',
  properties: {
    candidates: {
      type: ['array', 'null'],
      items: {
        type: 'object',
        properties: {
          content: {
            type: ['object', 'null'],
            properties: {
              parts: {
                type: ['array', 'null'],
                items: {
                  type: 'object',
                  properties: { text: nullableString, thought: nullableBoolean, functionCall },
                },
              },
            },
          },
          finishReason: nullableString,
        },
      },
    },
    promptFeedback: { type: ['object', 'null'], properties: { blockReason: nullableString } },
    usageMetadata: {
      type: ['object', 'null'],
      properties: {
        promptTokenCount: tokenCount,
        cachedContentTokenCount: tokenCount,
        candidatesTokenCount: tokenCount,
        thoughtsTokenCount: tokenCount,
      },
    },
    responseId: nullableString,
    modelVersion: nullableString,
  },
} as const;

const validate = compileChunkCheck(chunkSchema);

/** True when `value` is a chunk whose read members zod's schema would return unchanged. */
export function isPlainGeminiChunk(value: unknown): value is GenerateContentResponse {
  return validate(value);
}

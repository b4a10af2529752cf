import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asJson, field } from '../test-support/chunk-arbitraries.js';
import { isPlainChunk } from './is-plain-chunk.js';
import { chatCompletionChunkSchema } from './openai-response-schema.js';

const toolCall = fc.record(
  {
    index: field(fc.integer({ min: -1, max: 3 })),
    id: field(fc.string()),
    function: field(
      fc.record({ name: field(fc.string()), arguments: field(fc.string()) }, { requiredKeys: [] }),
    ),
  },
  { requiredKeys: [] },
);

const chunk = fc.record(
  {
    id: field(fc.string()),
    model: field(fc.string()),
    choices: field(
      fc.array(
        fc.record(
          {
            index: field(fc.nat(2)),
            delta: field(
              fc.record(
                {
                  content: field(fc.string()),
                  reasoning: field(fc.string()),
                  reasoning_content: field(fc.string()),
                  tool_calls: field(fc.array(toolCall, { maxLength: 2 })),
                },
                { requiredKeys: [] },
              ),
            ),
            finish_reason: field(fc.constantFrom('stop', 'length', 'tool_calls')),
            native_finish_reason: field(fc.string()),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 2 },
      ),
    ),
    usage: field(
      fc.record(
        {
          prompt_tokens: field(fc.nat()),
          completion_tokens: field(fc.nat()),
          prompt_tokens_details: field(fc.record({ cached_tokens: field(fc.nat()) }, { requiredKeys: [] })),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

describe('isPlainChunk', () => {
  it('passes only chunks whose read members zod would return unchanged', () => {
    let plain = 0;
    fc.assert(
      fc.property(chunk, (generated) => {
        const value = asJson(generated);
        if (!isPlainChunk(value)) return;
        plain += 1;
        const parsed = chatCompletionChunkSchema.safeParse(value);
        expect(parsed.success).toBe(true);
        // zod drops members it does not read; every member it does read is the same as sent.
        expect(value).toMatchObject(parsed.data as object);
      }),
      { numRuns: 2000 },
    );
    // The property is not vacuous: many generated chunks are plain.
    expect(plain).toBeGreaterThan(100);
  });

  it('leaves content parts, object arguments and odd token counts to zod', () => {
    expect(isPlainChunk({ choices: [{ delta: { content: 'a' } }] })).toBe(true);
    expect(isPlainChunk({ choices: [{ delta: { content: [{ type: 'text', text: 'a' }] } }] })).toBe(false);
    expect(
      isPlainChunk({ choices: [{ delta: { tool_calls: [{ function: { arguments: { a: 1 } } }] } }] }),
    ).toBe(false);
    expect(isPlainChunk({ usage: { prompt_tokens: '12' } })).toBe(false);
  });
});

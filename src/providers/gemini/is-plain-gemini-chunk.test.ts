import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asJson, field } from '../test-support/chunk-arbitraries.js';
import { generateContentResponseSchema } from './gemini-response-schema.js';
import { isPlainGeminiChunk } from './is-plain-gemini-chunk.js';

/** Token counts around the edges zod checks: negative, fractional, past the safe integers. */
const count = fc.oneof(
  fc.nat(),
  fc.integer({ min: -3, max: -1 }),
  fc.constantFrom(0.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2),
);

const part = fc.record(
  {
    text: field(fc.string()),
    thought: field(fc.boolean()),
    functionCall: field(
      fc.record(
        {
          name: field(fc.string()),
          args: field(
            fc.oneof(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 })), fc.array(fc.nat())),
          ),
          id: field(fc.string()),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

const chunk = fc.record(
  {
    candidates: field(
      fc.array(
        fc.record(
          {
            content: field(
              fc.record({ parts: field(fc.array(part, { maxLength: 2 })) }, { requiredKeys: [] }),
            ),
            finishReason: field(fc.constantFrom('STOP', 'MAX_TOKENS', 'SAFETY')),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 2 },
      ),
    ),
    promptFeedback: field(fc.record({ blockReason: field(fc.string()) }, { requiredKeys: [] })),
    usageMetadata: field(
      fc.record(
        {
          promptTokenCount: field(count),
          cachedContentTokenCount: field(count),
          candidatesTokenCount: field(count),
          thoughtsTokenCount: field(count),
        },
        { requiredKeys: [] },
      ),
    ),
    responseId: field(fc.string()),
    modelVersion: field(fc.string()),
  },
  { requiredKeys: [] },
);

describe('isPlainGeminiChunk', () => {
  it('passes exactly the chunks zod accepts, and their read members are the ones zod returns', () => {
    let plain = 0;
    fc.assert(
      fc.property(chunk, (generated) => {
        const value = asJson(generated);
        const parsed = generateContentResponseSchema.safeParse(value);
        // The schema has no fallbacks, so the check and zod must agree on every value, both ways.
        expect(isPlainGeminiChunk(value)).toBe(parsed.success);
        if (!parsed.success) return;
        plain += 1;
        // zod drops members it does not read; every member it does read is the same as sent.
        expect(value).toMatchObject(parsed.data as object);
      }),
      { numRuns: 3000 },
    );
    // The property is not vacuous: many generated chunks pass.
    expect(plain).toBeGreaterThan(100);
  });

  it('reads the chunks Gemini streams as they are, and refuses what zod refuses', () => {
    const textChunk = {
      candidates: [{ content: { parts: [{ text: 'Hel' }], role: 'model' }, index: 0 }],
      usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 1, totalTokenCount: 10 },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'abc',
    };
    expect(isPlainGeminiChunk(textChunk)).toBe(true);
    expect(
      isPlainGeminiChunk({ candidates: [{ content: { parts: [{ functionCall: { args: {} } }] } }] }),
    ).toBe(false);
    expect(
      isPlainGeminiChunk({
        candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: [] } }] } }],
      }),
    ).toBe(false);
    expect(isPlainGeminiChunk({ usageMetadata: { promptTokenCount: -1 } })).toBe(false);
    expect(isPlainGeminiChunk([])).toBe(false);
  });
});

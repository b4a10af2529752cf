import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createModelMatcher } from './model-pattern.js';

/** One pattern on its own, the plain way: a list matches when any of its patterns does. */
function matchesOne(pattern: string, modelId: string): boolean {
  const lower = pattern.toLowerCase();
  const id = modelId.toLowerCase();
  if (!lower.includes('*')) return lower === id;
  const source = lower
    .split('*')
    .map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(id);
}

describe('createModelMatcher', () => {
  it('matches exact ids and wildcards, ignoring case', () => {
    const matches = createModelMatcher(['anthropic/*', '*flash*', 'OpenAI/GPT-5']);
    expect(matches('anthropic/claude-opus-4.7')).toBe(true);
    expect(matches('google/gemini-2.5-flash-lite')).toBe(true);
    expect(matches('openai/gpt-5')).toBe(true);
    expect(matches('openai/gpt-5-mini')).toBe(false);
    expect(matches('x-anthropic/claude')).toBe(false);
  });

  it('treats the characters of a regular expression literally', () => {
    const matches = createModelMatcher(['a.b|c*', '(x)+*']);
    expect(matches('a.b|c-1')).toBe(true);
    expect(matches('axb|c')).toBe(false);
    expect(matches('a')).toBe(false);
    expect(matches('(x)+y')).toBe(true);
    expect(matches('xx')).toBe(false);
  });

  it('matches no model with an empty list', () => {
    expect(createModelMatcher([])('any/model')).toBe(false);
  });

  it('a list matches exactly when one of its patterns does (property)', () => {
    const piece = fc.constantFrom('a', 'b', '/', '.', '|', '(', '-', 'A', '');
    const text = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));
    const pattern = fc
      .array(fc.oneof(piece, fc.constant('*')), { maxLength: 6 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.array(pattern, { maxLength: 4 }),
        fc.array(text, { minLength: 1, maxLength: 5 }),
        (patterns, modelIds) => {
          const matches = createModelMatcher(patterns);
          for (const modelId of modelIds) {
            expect(matches(modelId)).toBe(patterns.some((p) => matchesOne(p, modelId)));
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

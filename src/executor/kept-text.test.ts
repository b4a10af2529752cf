import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeptText } from './kept-text.js';

/** What `text += piece` with the same limit keeps: the reference the class must match. */
function concatenated(pieces: readonly string[], limit: number): { text: string; overflow: boolean } {
  let text = '';
  for (const piece of pieces) {
    if (text.length + piece.length > limit) return { text, overflow: true };
    text += piece;
  }
  return { text, overflow: false };
}

describe('KeptText', () => {
  it('keeps what concatenation keeps, for any pieces and limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 12 }), { maxLength: 700, size: 'max' }),
        fc.integer({ min: 0, max: 5_000 }),
        (pieces, limit) => {
          const kept = new KeptText(limit);
          for (const piece of pieces) kept.add(piece);
          const expected = concatenated(pieces, limit);
          expect(kept.toString()).toBe(expected.text);
          expect(kept.overflow).toBe(expected.overflow);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps a long stream of pieces in order, across many joined blocks', () => {
    const kept = new KeptText(1_000_000);
    const pieces = Array.from({ length: 10_000 }, (_, index) => `${index},`);
    for (const piece of pieces) kept.add(piece);
    expect(kept.toString()).toBe(pieces.join(''));
    expect(kept.overflow).toBe(false);
  });

  it('drops the piece that would pass the limit and everything after it', () => {
    const kept = new KeptText(5);
    for (const piece of ['ab', 'cd', 'ef', 'g']) kept.add(piece);
    expect(kept.toString()).toBe('abcd');
    expect(kept.overflow).toBe(true);
  });
});

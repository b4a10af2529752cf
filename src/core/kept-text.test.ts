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

/** Holds KeptText to concatenation for pieces drawn from `piece`, limits up to `maxLimit`. */
function assertKeepsWhatConcatenationKeeps(
  piece: fc.Arbitrary<string>,
  maxPieces: number,
  maxLimit: number,
  numRuns: number,
): void {
  fc.assert(
    fc.property(
      fc.array(piece, { maxLength: maxPieces, size: 'max' }),
      fc.integer({ min: 0, max: maxLimit }),
      (pieces, limit) => {
        const kept = new KeptText(limit);
        for (const one of pieces) kept.add(one);
        const expected = concatenated(pieces, limit);
        expect(kept.toString()).toBe(expected.text);
        expect(kept.overflow).toBe(expected.overflow);
      },
    ),
    { numRuns },
  );
}

describe('KeptText', () => {
  it('keeps what concatenation keeps, for any pieces and limit', () => {
    assertKeepsWhatConcatenationKeeps(fc.string({ maxLength: 12 }), 700, 5_000, 300);
  });

  it('keeps any UTF-16 text exactly: other scripts, pairs split across pieces, lone surrogates', () => {
    // Units chosen to hit every path: one-byte, two- and three-byte UTF-8, a pair whole and in halves.
    const unit = fc.constantFrom('a', 'é', '中', '😀', '\ud83d', '\ude00');
    assertKeepsWhatConcatenationKeeps(fc.string({ unit, maxLength: 6 }), 200, 1_500, 500);
  });

  it('joins a surrogate pair split across two pieces, and keeps a lone one after well-formed text', () => {
    const split = new KeptText(100);
    for (const piece of ['ok ', '\ud83d', '\ude00', ' done']) split.add(piece);
    expect(split.toString()).toBe('ok 😀 done');
    // Still UTF-8: the pair was held back and written whole (3 + 4 + 5 bytes), not as UTF-16.
    expect(split.bytesUsed).toBe(12);

    const lone = new KeptText(100);
    for (const piece of ['héllo ', '\ud83d', 'x', '\ude00', ' 中']) lone.add(piece);
    expect(lone.toString()).toBe('héllo \ud83dx\ude00 中');

    const trailing = new KeptText(100);
    for (const piece of ['end', '\ud83d']) trailing.add(piece);
    expect(trailing.toString()).toBe('end\ud83d');
  });

  it('keeps a long stream of pieces in order, across many buffer growths', () => {
    const kept = new KeptText(1_000_000);
    const pieces = Array.from({ length: 10_000 }, (_, index) => `${index},`);
    for (const piece of pieces) kept.add(piece);
    expect(kept.toString()).toBe(pieces.join(''));
    expect(kept.overflow).toBe(false);
  });

  it('reads what was added since the last read, and has no limit when given none', () => {
    const kept = new KeptText();
    kept.add('fn main() {');
    expect(kept.toString()).toBe('fn main() {');
    expect(kept.toString()).toBe('fn main() {');
    kept.add(' println!("中"); }');
    expect(kept.toString()).toBe('fn main() { println!("中"); }');
    const long = 'x'.repeat(2_000_000);
    kept.add(long);
    expect(kept.overflow).toBe(false);
    expect(kept.toString()).toBe(`fn main() { println!("中"); }${long}`);
  });

  it('drops the piece that would pass the limit and everything after it', () => {
    const kept = new KeptText(5);
    for (const piece of ['ab', 'cd', 'ef', 'g']) kept.add(piece);
    expect(kept.toString()).toBe('abcd');
    expect(kept.overflow).toBe(true);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePerTokenPrice, shiftDecimal, shiftDecimalNumber } from './parse-price.js';

describe('parsePerTokenPrice', () => {
  it('converts per-token strings to exactly the per-million literal', () => {
    expect(parsePerTokenPrice('0.00000015')).toBe(0.15);
    expect(parsePerTokenPrice('0.0000001875')).toBe(0.1875);
    expect(parsePerTokenPrice('0.000000003625')).toBe(0.003625);
    expect(parsePerTokenPrice('0.00000104')).toBe(1.04);
    expect(parsePerTokenPrice('0.00003')).toBe(30);
    expect(parsePerTokenPrice('0.00000008333333333333334')).toBe(0.08333333333333334);
    expect(parsePerTokenPrice('0')).toBe(0);
    expect(parsePerTokenPrice('1e-7')).toBe(0.1);
    expect(parsePerTokenPrice(0.0000025)).toBe(2.5);
  });

  it('is exact where float multiplication is not', () => {
    // Qwen3.6 27B's output price in the 2026-07 catalog.
    expect(Number('0.0000032') * 1e6).toBe(3.1999999999999997);
    expect(parsePerTokenPrice('0.0000032')).toBe(3.2);
  });

  it('treats router pseudo-prices, missing and malformed prices as unknown', () => {
    expect(parsePerTokenPrice('-1')).toBeUndefined();
    expect(parsePerTokenPrice(undefined)).toBeUndefined();
    expect(parsePerTokenPrice(null)).toBeUndefined();
    expect(parsePerTokenPrice('')).toBeUndefined();
    expect(parsePerTokenPrice('abc')).toBeUndefined();
    expect(parsePerTokenPrice('1.2.3')).toBeUndefined();
  });

  it('matches the decimal literal for any price with up to 12 decimals (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 9 }),
        fc.integer({ min: 6, max: 12 }),
        (units, decimals) => {
          const perToken = (units / 10 ** decimals).toFixed(decimals);
          const expectedLiteral = (units / 10 ** (decimals - 6)).toFixed(decimals - 6);
          expect(parsePerTokenPrice(perToken)).toBe(Number(expectedLiteral));
        },
      ),
    );
  });
});

describe('shiftDecimal', () => {
  it('moves the point both ways and trims zeros', () => {
    expect(shiftDecimal('0.807', 2)).toBe('80.7');
    expect(shiftDecimal('1.5', 3)).toBe('1500');
    expect(shiftDecimal('150', -6)).toBe('0.00015');
    expect(shiftDecimal('-0.5', 1)).toBe('-5');
    expect(shiftDecimal('2.50e1', 0)).toBe('25');
  });

  it('shifts numbers through their shortest decimal form', () => {
    expect(shiftDecimalNumber(0.807, 2)).toBe(80.7);
    expect(shiftDecimalNumber(14.939, 3)).toBe(14939);
    expect(shiftDecimalNumber(Number.NaN, 2)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { paretoFrontier } from './pareto-frontier.js';

describe('paretoFrontier', () => {
  it('keeps exactly the non-dominated points of a known set', () => {
    const frontier = paretoFrontier([
      { id: 'cheap-weak', price: 0.1, quality: 0.1 },
      { id: 'cheap-better', price: 0.2, quality: 0.5 },
      { id: 'dominated', price: 0.3, quality: 0.4 },
      { id: 'mid', price: 1, quality: 0.8 },
      { id: 'same-price-worse', price: 1, quality: 0.7 },
      { id: 'expensive-top', price: 10, quality: 1 },
      { id: 'expensive-worse', price: 12, quality: 1 },
    ]);
    expect([...frontier].sort()).toEqual(['cheap-better', 'cheap-weak', 'expensive-top', 'mid']);
  });

  it('keeps identical points together', () => {
    expect(
      paretoFrontier([
        { id: 'a', price: 1, quality: 1 },
        { id: 'b', price: 1, quality: 1 },
      ]).size,
    ).toBe(2);
  });
});

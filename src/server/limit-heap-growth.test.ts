import { describe, expect, it } from 'vitest';
import { limitHeapGrowth } from './limit-heap-growth.js';

describe('limitHeapGrowth', () => {
  it('sets the growth factor (and says so) when node was started without one', () => {
    expect(limitHeapGrowth(50, ['--enable-source-maps'])).toBe(true);
  });

  it('leaves a growth factor given on the command line alone, in either spelling', () => {
    expect(limitHeapGrowth(50, ['--heap-growing-percent=20'])).toBe(false);
    expect(limitHeapGrowth(50, ['--heap_growing_percent', '20'])).toBe(false);
  });
});

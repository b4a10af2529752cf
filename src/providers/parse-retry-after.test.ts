import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './parse-retry-after.js';

const now = Date.UTC(2025, 9, 21, 7, 28, 0);

describe('parseRetryAfter', () => {
  it('reads delay-seconds, rounding fractions up', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 30 ', now)).toBe(30);
    expect(parseRetryAfter('2.1', now)).toBe(3);
  });

  it('reads an HTTP date as the seconds left until it', () => {
    expect(parseRetryAfter('Tue, 21 Oct 2025 07:28:45 GMT', now)).toBe(45);
    expect(parseRetryAfter('Tue, 21 Oct 2025 07:27:00 GMT', now)).toBe(0);
  });

  it('gives undefined for absent or unreadable values', () => {
    for (const value of [
      undefined,
      '',
      'soon',
      '-5',
      '1e3',
      '2025-10-21T07:30:00Z',
      'Tue, 99 Oct 2025 07:28:45 GMT',
    ]) {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    }
  });
});

import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseIsoInstant, parseSince, resolveSince } from './parse-since.js';
import { UsageError } from './usage-error.js';

const now = Date.UTC(2026, 10, 20, 12, 0, 0);

describe('parseSince', () => {
  it.each([
    ['90s', now - 90_000],
    ['30m', now - 30 * 60_000],
    ['1h', now - 3_600_000],
    ['2d', now - 2 * 86_400_000],
    ['1w', now - 7 * 86_400_000],
    ['2026-11-15', Date.UTC(2026, 10, 15)],
    ['2026-11-15T08:30', Date.UTC(2026, 10, 15, 8, 30)],
    ['2026-11-15 08:30:15Z', Date.UTC(2026, 10, 15, 8, 30, 15)],
    ['2026-11-15T08:30:15.250Z', Date.UTC(2026, 10, 15, 8, 30, 15, 250)],
    ['2026-11-15T10:30+02:00', Date.UTC(2026, 10, 15, 8, 30)],
    ['2026-11-15T03:00-0530', Date.UTC(2026, 10, 15, 8, 30)],
  ])('%s starts the window at the right instant', (raw, expected) => {
    expect(resolveSince(parseSince(raw), now)).toBe(expected);
  });

  it.each([
    '',
    'yesterday',
    '1.5h',
    '-1d',
    '1 h',
    '1y',
    '0m',
    '2026-02-30',
    '2026-13-01',
    '2026-11-15T24:00',
    '2026-11-15T08:60',
    '2026-11-15T08:00+15:00',
    '15/11/2026',
  ])('refuses %j', (raw) => {
    expect(() => parseSince(raw)).toThrow(InvalidArgumentError);
  });

  it('refuses a start in the future or before 1970', () => {
    expect(() => resolveSince(parseSince('2026-11-21'), now)).toThrow(UsageError);
    expect(() => resolveSince(parseSince('2026-11-21'), now)).toThrow(/--since 2026-11-21 is in the future/);
    expect(() => resolveSince(parseSince('999999999w'), now)).toThrow(/before 1970/);
    expect(resolveSince(parseSince('2026-11-20T12:00Z'), now)).toBe(now);
  });

  it('parseIsoInstant returns null for dates that do not exist', () => {
    expect(parseIsoInstant('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(parseIsoInstant('2025-02-29')).toBeNull();
  });
});

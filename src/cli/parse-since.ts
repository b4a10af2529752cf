/**
 * `--since`: how far back a log command looks. Either a duration back from now (`30m`, `1h`, `2d`, `1w`)
 * or an ISO 8601 date or date-time (`2025-01-15`, `2025-01-15T12:00`, `2025-01-15T12:00:00+02:00`). A time
 * without an offset is UTC, like every time the CLI prints, so the same flag means the same instant on
 * every machine.
 */
import { InvalidArgumentError } from 'commander';
import { UsageError } from './usage-error.js';

/** What `--since` said, kept unresolved until the command reads the clock. */
export type SinceSpec =
  | { kind: 'ago'; milliseconds: number; text: string }
  | { kind: 'at'; at: number; text: string };

const unitMilliseconds: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

const durationPattern = /^(\d{1,9})(s|m|h|d|w)$/;
const datePattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

const expected =
  'expected a duration such as 30m, 1h, 2d, 1w or an ISO date such as 2025-01-15 or 2025-01-15T12:00Z';

/** Parses a `--since` value; throws commander's InvalidArgumentError so the flag and value are named. */
export function parseSince(raw: string): SinceSpec {
  const duration = durationPattern.exec(raw);
  if (duration !== null) {
    const amount = Number(duration[1]);
    if (amount < 1) throw new InvalidArgumentError('a duration must be at least 1');
    return {
      kind: 'ago',
      milliseconds: amount * (unitMilliseconds[duration[2] as string] as number),
      text: raw,
    };
  }
  const at = parseIsoInstant(raw);
  if (at === null) throw new InvalidArgumentError(expected);
  return { kind: 'at', at, text: raw };
}

/** Epoch milliseconds of an ISO date or date-time, or null when it is malformed or names no real date. */
export function parseIsoInstant(raw: string): number | null {
  const match = datePattern.exec(raw);
  if (match === null) return null;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '0', zone] = match;
  const parts = [year, month, day].map(Number) as [number, number, number];
  const clock = [hour, minute, second].map(Number) as [number, number, number];
  if (clock[0] > 23 || clock[1] > 59 || clock[2] > 59) return null;
  const milliseconds = Number(fraction.padEnd(3, '0'));
  const local = Date.UTC(parts[0], parts[1] - 1, parts[2], clock[0], clock[1], clock[2], milliseconds);
  const check = new Date(local);
  // Date.UTC rolls 2025-02-30 over to March 2; a date that does not exist is a typo.
  if (
    check.getUTCFullYear() !== parts[0] ||
    check.getUTCMonth() !== parts[1] - 1 ||
    check.getUTCDate() !== parts[2]
  ) {
    return null;
  }
  const offset = zoneOffsetMilliseconds(zone);
  return offset === null ? null : local - offset;
}

/** The offset a zone suffix names (`Z`, `+02:00`, `-0530`), or null for one no place uses. */
function zoneOffsetMilliseconds(zone: string | undefined): number | null {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  const hours = Number(digits.slice(1, 3));
  const minutes = Number(digits.slice(3, 5));
  if (hours > 14 || minutes > 59) return null;
  return sign * (hours * 60 + minutes) * 60_000;
}

/**
 * The start of the window in epoch milliseconds. A start in the future or before 1970 selects nothing
 * useful and is almost always a typo, so it is refused rather than silently moved.
 */
export function resolveSince(spec: SinceSpec, now: number): number {
  const since = spec.kind === 'ago' ? now - spec.milliseconds : spec.at;
  if (since > now) {
    throw new UsageError(`--since ${spec.text} is in the future (now is ${new Date(now).toISOString()})`);
  }
  if (since < 0) throw new UsageError(`--since ${spec.text} reaches back before 1970`);
  return since;
}

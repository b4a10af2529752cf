/** The Retry-After header (RFC 9110, section 10.2.3) read as a number of seconds. */

/** An IMF-fixdate such as `Wed, 21 Oct 2015 07:28:00 GMT`, the form servers must send. */
const httpDatePattern = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Seconds to wait from a Retry-After value: delay-seconds as given (rounded up), an HTTP date as the time
 * left until it from `nowMs` (0 when it has passed). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.ceil(Number(text));
  if (!httpDatePattern.test(text)) return undefined;
  const dateMs = Date.parse(text);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, Math.ceil((dateMs - nowMs) / 1000));
}

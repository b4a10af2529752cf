/**
 * Joins a continuation's text onto the text a client already has, so the client reads one answer:
 *
 * - The prefill went out without its trailing whitespace, so a continuation usually opens with that
 *   whitespace again (`"one two"` + `" three"`): whitespace the client already has is not sent twice.
 * - A model that ignores the prefill and starts over (OpenAI answers a trailing assistant turn anew)
 *   would repeat the answer: when the continuation's first characters repeat the opening of the prefill,
 *   the attempt is refused before anything reaches the client.
 *
 * Text is held only until those two questions are settled (the first non-whitespace character, and at
 * most the first 32 characters), then passed through as it comes.
 */
import { RouterError } from '../core/errors.js';

/** Characters of the prefill's opening compared with the continuation's. */
const restartProbeLength = 32;
/** A shorter prefill could be repeated by chance; it is not checked. */
const restartProbeMinimum = 12;

/** True for the error a continuation that started the answer over fails with. */
export function isPrefillIgnored(error: RouterError): boolean {
  return error.metadata?.prefill_ignored === true;
}

export class ContinuationSplicer {
  /** Whitespace the client has after the last prefilled character. */
  readonly #suffix: string;
  /** The prefill's opening, to recognise a continuation that starts over; undefined when too short. */
  readonly #probe: string | undefined;
  #pending = '';
  #settled = false;

  /** `sentText` is everything the client has of the answer's text. */
  constructor(sentText: string) {
    const prefill = sentText.trimEnd();
    this.#suffix = sentText.slice(prefill.length);
    const opening = prefill.trimStart();
    this.#probe = opening.length >= restartProbeMinimum ? opening.slice(0, restartProbeLength) : undefined;
  }

  /** The text to send for one continuation delta ('' while held); throws when the model started over. */
  push(delta: string): string {
    if (this.#settled) return delta;
    this.#pending += delta;
    return this.#settle(false);
  }

  /** Whatever is still held, at the end of the continuation. */
  end(): string {
    return this.#settled ? '' : this.#settle(true);
  }

  #settle(final: boolean): string {
    const head = this.#pending;
    const probe = this.#probe;
    if (probe !== undefined) {
      const body = head.trimStart();
      if (
        body.startsWith(probe) ||
        (final && body.length > 0 && probe.startsWith(body) && body.length >= restartProbeMinimum)
      ) {
        throw new RouterError(
          'upstream_bad_response',
          'the continuation started the answer over instead of continuing the prefilled text',
          { retryable: true, metadata: { prefill_ignored: true } },
        );
      }
      if (!final && probe.startsWith(body)) return '';
    }
    const whitespace = /^\s*/.exec(head)?.[0] ?? '';
    if (!final && whitespace.length === head.length) return '';
    this.#settled = true;
    this.#pending = '';
    if (whitespace.startsWith(this.#suffix)) return head.slice(this.#suffix.length);
    if (this.#suffix.startsWith(whitespace)) return head.slice(whitespace.length);
    return head;
  }
}

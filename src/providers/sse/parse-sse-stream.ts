/**
 * The one place Server-Sent Events text is parsed. The framing rules (CR, LF and CRLF line ends, comments,
 * multi-line data, `event:` names, a leading byte-order mark) are `eventsource-parser`'s job; this file adds
 * UTF-8 decoding across chunk boundaries, a cap on the size of one message, and pull-based iteration so a
 * consumer that stops early stops the read of the body too.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { RouterError } from '../../core/errors.js';

/** One complete SSE message: its event name (absent for plain `data:` messages) and its data. */
export interface SseMessage {
  event: string | undefined;
  data: string;
}

export interface ParseSseStreamOptions {
  /** Largest data of one message, in UTF-8 bytes; a larger one fails the stream. */
  maxMessageBytes: number;
}

/**
 * Room for the field names and the line being read on top of the data cap: the parser counts a partial line
 * (`data: ` included) together with the data it has buffered, so without it a message whose data is exactly
 * `maxMessageBytes` could trip the guard when split unluckily.
 */
const framingAllowance = 1_024;

/**
 * Yields each SSE message of `body` as soon as the chunk that completes it arrives. Comments are skipped.
 * Throws a RouterError `upstream_bad_response` when one message's data passes `maxMessageBytes`. A message
 * the stream never terminated with a blank line is dropped, as the SSE specification requires.
 */
export async function* parseSseStream(
  body: AsyncIterable<Uint8Array>,
  options: ParseSseStreamOptions,
): AsyncGenerator<SseMessage> {
  const { maxMessageBytes } = options;
  const decoder = new TextDecoder('utf-8');
  let ready: SseMessage[] = [];
  let failure: RouterError | undefined;

  const tooLarge = () =>
    new RouterError(
      'upstream_bad_response',
      `upstream sent an SSE message larger than ${maxMessageBytes} bytes`,
      {
        retryable: true,
        metadata: { max_message_bytes: maxMessageBytes },
      },
    );

  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      if (failure !== undefined) return;
      // A UTF-8 byte count is at least the UTF-16 length and at most three times it, so most messages are
      // settled without encoding.
      const { data } = message;
      if (data.length * 3 > maxMessageBytes && Buffer.byteLength(data, 'utf8') > maxMessageBytes) {
        failure = tooLarge();
        return;
      }
      ready.push({ event: message.event, data });
    },
    onError(error) {
      // Unknown fields and bad `retry:` values are ignored, as browsers do; only the buffer guard matters.
      if (error.type === 'max-buffer-size-exceeded' && failure === undefined) failure = tooLarge();
    },
    // The guard counts UTF-16 code units (never more than the UTF-8 bytes they encode) of everything held,
    // field names and comment lines included: it bounds memory while a message is still arriving, and the
    // allowance keeps it from firing on a message whose data is within the cap.
    maxBufferSize: maxMessageBytes + framingAllowance,
  });

  let endsWithCarriageReturn = false;
  for await (const chunk of body) {
    const text = decoder.decode(chunk, { stream: true });
    if (text === '') continue;
    endsWithCarriageReturn = text.endsWith('\r');
    parser.feed(text);
    if (ready.length > 0) {
      const messages = ready;
      ready = [];
      for (const message of messages) yield message;
    }
    if (failure !== undefined) throw failure;
  }
  // Flushes a multi-byte character cut off by the end of the body (it decodes to U+FFFD).
  const rest = decoder.decode();
  if (rest !== '') {
    endsWithCarriageReturn = false;
    parser.feed(rest);
  }
  // The parser holds back a final CR in case an LF follows in the next chunk; at the end it is a line end.
  if (endsWithCarriageReturn) parser.feed('\n');
  for (const message of ready) yield message;
  if (failure !== undefined) throw failure;
}

/**
 * The one place Server-Sent Events text is parsed. The framing rules (CR, LF and CRLF line ends, comments,
 * multi-line data, `event:` names) are `eventsource-parser`'s job; this file adds UTF-8 decoding across
 * chunk boundaries, the leading byte-order mark, and a cap on the size of one message, in a synchronous
 * decoder, and `readSseStream`, which reads a body through it and hands each message to a callback as soon
 * as its chunk arrives, waiting only when the callback asks it to (no promise per chunk). A callback that
 * stops early stops the read of the body too.
 */
import { finished, Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';
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

const noMessages: readonly SseMessage[] = Object.freeze([]);

/**
 * Turns body bytes into complete SSE messages, synchronously. Once one message passes the cap, `failure`
 * holds the RouterError `upstream_bad_response` and later messages are dropped; the messages completed
 * before it are still returned, so a reader delivers them and then fails.
 */
export class SseDecoder {
  /** Set once a message passed the cap; the stream must fail with it. */
  failure: RouterError | undefined;
  readonly #maxMessageBytes: number;
  // Node's StringDecoder: a quarter of TextDecoder's time per chunk in streaming mode (measured in a loop).
  readonly #decoder = new StringDecoder('utf8');
  /** No text decoded yet: a leading byte-order mark is still to be stripped. */
  #atStart = true;
  readonly #parser: EventSourceParser;
  #ready: SseMessage[] = [];
  #endsWithCarriageReturn = false;

  constructor(options: ParseSseStreamOptions) {
    const maxMessageBytes = options.maxMessageBytes;
    this.#maxMessageBytes = maxMessageBytes;
    this.#parser = createParser({
      onEvent: (message: EventSourceMessage) => {
        if (this.failure !== undefined) return;
        // A UTF-8 byte count is at least the UTF-16 length and at most three times it, so most messages are
        // settled without encoding.
        const { data } = message;
        if (data.length * 3 > maxMessageBytes && Buffer.byteLength(data, 'utf8') > maxMessageBytes) {
          this.failure = this.#tooLarge();
          return;
        }
        this.#ready.push({ event: message.event, data });
      },
      onError: (error) => {
        // Unknown fields and bad `retry:` values are ignored, as browsers do; only the buffer guard matters.
        if (error.type === 'max-buffer-size-exceeded' && this.failure === undefined) {
          this.failure = this.#tooLarge();
        }
      },
      // The guard counts UTF-16 code units (never more than the UTF-8 bytes they encode) of everything held,
      // field names and comment lines included: it bounds memory while a message is still arriving, and the
      // allowance keeps it from firing on a message whose data is within the cap.
      maxBufferSize: maxMessageBytes + framingAllowance,
    });
  }

  /** The messages that `chunk` completes, in order (often none). */
  push(chunk: Uint8Array): readonly SseMessage[] {
    const text = this.#text(this.#decoder.write(chunk));
    if (text === '') return noMessages;
    this.#endsWithCarriageReturn = text.endsWith('\r');
    this.#parser.feed(text);
    return this.#take();
  }

  /**
   * The body has ended: the messages its last bytes complete. A message the stream never terminated with a
   * blank line is dropped, as the SSE specification requires.
   */
  end(): readonly SseMessage[] {
    // Flushes a multi-byte character cut off by the end of the body (it decodes to U+FFFD).
    const rest = this.#text(this.#decoder.end());
    if (rest !== '') {
      this.#endsWithCarriageReturn = false;
      this.#parser.feed(rest);
    }
    // The parser holds back a final CR in case an LF follows in the next chunk; at the end it is a line end.
    if (this.#endsWithCarriageReturn) this.#parser.feed('\n');
    return this.#take();
  }

  /** Decoded text, less the byte-order mark that may open the body. */
  #text(text: string): string {
    if (!this.#atStart || text === '') return text;
    this.#atStart = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  #take(): readonly SseMessage[] {
    if (this.#ready.length === 0) return noMessages;
    const messages = this.#ready;
    this.#ready = [];
    return messages;
  }

  #tooLarge(): RouterError {
    return new RouterError(
      'upstream_bad_response',
      `upstream sent an SSE message larger than ${this.#maxMessageBytes} bytes`,
      { retryable: true, metadata: { max_message_bytes: this.#maxMessageBytes } },
    );
  }
}

/**
 * Bytes that arrive in chunks for one reader: an upstream body read from the HTTP client's callbacks
 * (`UpstreamBody`), or any Readable through `readableSource`.
 */
export interface ByteSource {
  /** Starts delivery, never synchronously: each chunk to `onData`, then `onEnd` once (with the error if it failed). */
  read(onData: (chunk: Uint8Array) => void, onEnd: (error?: unknown) => void): void;
  pause(): void;
  resume(): void;
  /** The reader is done: stops the bytes if they have not ended. */
  destroy(): void;
  /**
   * The reader needs nothing more, though the bytes may not have ended (a stream's terminator can come a
   * packet before the end of its body). A source whose connection outlives the body reads the rest and
   * drops it, within bounds of its own, so the connection can be used again; without this method the
   * source is destroyed.
   */
  discardRest?(): void;
}

/** A Readable as a `ByteSource`; a close before the end is reported as an error (ERR_STREAM_PREMATURE_CLOSE). */
export function readableSource(body: Readable): ByteSource {
  return {
    read(onData, onEnd) {
      body.on('data', onData);
      finished(body, (error) => onEnd(error ?? undefined));
    },
    pause: () => body.pause(),
    resume: () => {
      if (body.isPaused()) body.resume();
    },
    destroy: () => body.destroy(),
  };
}

/**
 * What a message handler wants next: `undefined` for the next message straight away, `'stop'` to end the
 * read there (the rest of the body is dropped: `discardRest`, or `destroy`), or a promise to wait for (the
 * body is paused until it settles, so a slow consumer holds the upstream back; a rejection fails the read).
 */
export type SseHandlerResult = undefined | 'stop' | Promise<void>;

/**
 * Reads `body` through an `SseDecoder`, calling `onMessage` for each message, in order, as soon as the chunk
 * that completes it arrives. Resolves when the body ends or the handler stops; rejects with the body's
 * error (once a pending wait has settled), the decoder's `upstream_bad_response` (after the messages before
 * it), or what the handler threw. On a failure the body is destroyed; on a stop, what is left of it is
 * dropped (see `ByteSource.discardRest`).
 */
export function readSseStream(
  input: ByteSource | Readable,
  options: ParseSseStreamOptions,
  onMessage: (message: SseMessage) => SseHandlerResult,
): Promise<void> {
  const body = input instanceof Readable ? readableSource(input) : input;
  return new Promise((resolve, reject) => {
    const decoder = new SseDecoder(options);
    let queue: readonly SseMessage[] = noMessages;
    let next = 0;
    let waiting = false;
    let settled = false;
    let ended = false;
    let flushed = false;
    let bodyFailed = false;
    let bodyError: unknown;

    // Messages are handled inside the body's push, so an HTTP client may still be reading the same network
    // chunk: the body is let go once that is done, when the response may have ended there and its
    // connection can be kept for another request.
    const destroyBody = () => queueMicrotask(() => body.destroy());
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      destroyBody();
      reject(error);
    };
    const stop = () => {
      settled = true;
      queueMicrotask(() => (body.discardRest === undefined ? body.destroy() : body.discardRest()));
      resolve();
    };
    const afterWait = () => {
      waiting = false;
      proceed();
    };

    /** Delivers the queued messages, then settles or reads on; returns early while a handler's wait runs. */
    const proceed = (): void => {
      while (next < queue.length) {
        const message = queue[next] as SseMessage;
        next += 1;
        let result: SseHandlerResult;
        try {
          result = onMessage(message);
        } catch (error) {
          fail(error);
          return;
        }
        if (result === 'stop') {
          stop();
          return;
        }
        if (result !== undefined) {
          waiting = true;
          body.pause();
          result.then(afterWait, fail);
          return;
        }
      }
      // Every message was handled: the queue lets go of them now, not when the next chunk arrives. A
      // message's data is a slice of its whole chunk's text, and a stream's next chunk can be a second away,
      // so holding on here kept a chunk per open stream alive across scavenges, to be copied and promoted.
      queue = noMessages;
      next = 0;
      if (decoder.failure !== undefined) fail(decoder.failure);
      else if (bodyFailed) fail(bodyError);
      else if (ended && !flushed) {
        flushed = true;
        queue = decoder.end();
        next = 0;
        proceed();
      } else if (ended) {
        settled = true;
        resolve();
      } else body.resume();
    };

    body.read(
      (chunk) => {
        if (settled) return;
        const messages = decoder.push(chunk);
        if (next < queue.length) queue = [...queue.slice(next), ...messages];
        else queue = messages;
        next = 0;
        if (!waiting) proceed();
      },
      (error) => {
        if (settled) return;
        if (error === undefined) ended = true;
        else {
          bodyFailed = true;
          bodyError = error;
        }
        if (!waiting) proceed();
      },
    );
  });
}

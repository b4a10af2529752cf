/**
 * Collects a readable stream (a client's request body, an upstream's response body) as UTF-8 text with
 * a byte limit. Plain 'data'/'end' listeners: an async iterator costs a promise per chunk and several
 * objects per stream, which showed up on the request path.
 */
import type { Readable } from 'node:stream';
import type { RouterError } from '../core/errors.js';

export interface ReadStreamTextOptions {
  maxBytes: number;
  /** The error for a stream that passes `maxBytes`; the stream is paused, not read further. */
  tooLarge: () => RouterError;
  /** The error for a stream that closes before its end (the peer went away). */
  closedEarly: () => RouterError;
}

/** Resolves with the whole text, or rejects with a RouterError (or the stream's own error). */
export function readStreamText(stream: Readable, options: ReadStreamTextOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    // Listeners added to a stream that is already gone would wait forever.
    if (stream.destroyed || stream.readableAborted) {
      reject(stream.errored ?? options.closedEarly());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onData = (chunk: Buffer | Uint8Array | string) => {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += buffer.length;
      if (size > options.maxBytes) {
        cleanup();
        stream.pause();
        reject(options.tooLarge());
        return;
      }
      chunks.push(buffer);
    };
    const onEnd = () => {
      cleanup();
      resolve(
        chunks.length === 1
          ? (chunks[0] as Buffer).toString('utf8')
          : Buffer.concat(chunks, size).toString('utf8'),
      );
    };
    const onError = (error: unknown) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(options.closedEarly());
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}

/**
 * Response ids shaped like each provider's (`chatcmpl-...`, `msg_01...`, `toolu_01...`): a random part
 * drawn once per server and a counter, so ids are unique without a random draw per request.
 */
import { randomBytes } from 'node:crypto';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface IdSource {
  /** `prefix` followed by `length` id characters, unique within this source. */
  next(prefix: string, length: number): string;
}

/** A fresh id source with its own random part. */
export function createIdSource(): IdSource {
  const random = randomBytes(24);
  let session = '';
  for (const byte of random) session += alphabet[byte % alphabet.length];
  let counter = 0;
  return {
    next(prefix, length) {
      counter += 1;
      const serial = counter.toString(36);
      const head = session.slice(0, Math.max(0, length - serial.length));
      return `${prefix}${head}${serial.padStart(length - head.length, '0')}`;
    },
  };
}

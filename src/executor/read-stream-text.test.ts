import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RouterError } from '../core/errors.js';
import { readStreamText } from './read-stream-text.js';

const options = {
  maxBytes: 10,
  tooLarge: () => new RouterError('body_too_large', 'too large'),
  closedEarly: () => new RouterError('client_closed', 'closed early'),
};

describe('readStreamText', () => {
  it('joins chunks, multi-byte characters split across them included', async () => {
    const euro = Buffer.from('€', 'utf8');
    const stream = Readable.from([Buffer.from('ab'), euro.subarray(0, 1), euro.subarray(1)]);
    expect(await readStreamText(stream, options)).toBe('ab€');
  });

  it('refuses a stream that passes the limit and stops reading it', async () => {
    const stream = new PassThrough();
    const text = readStreamText(stream, options);
    stream.write(Buffer.from('123456'));
    stream.write(Buffer.from('789012'));
    await expect(text).rejects.toMatchObject({ code: 'body_too_large' });
    expect(stream.isPaused()).toBe(true);
  });

  it('rejects a stream that closes before its end, or was gone already', async () => {
    const stream = new PassThrough();
    const text = readStreamText(stream, options);
    stream.write('abc');
    stream.destroy();
    await expect(text).rejects.toMatchObject({ code: 'client_closed' });
    await expect(readStreamText(stream, options)).rejects.toMatchObject({ code: 'client_closed' });
  });

  it("passes the stream's own error on", async () => {
    const stream = new PassThrough();
    const text = readStreamText(stream, options);
    stream.destroy(new Error('socket reset'));
    await expect(text).rejects.toThrow('socket reset');
  });
});

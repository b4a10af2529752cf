import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../core/chat-request.js';
import type { RouterError } from '../core/errors.js';
import { ContinuationSplicer, isPrefillIgnored } from './continuation-splicer.js';
import { createContinuationRequest } from './create-continuation-request.js';

function splice(sent: string, deltas: readonly string[]): string {
  const splicer = new ContinuationSplicer(sent);
  return deltas.map((delta) => splicer.push(delta)).join('') + splicer.end();
}

describe('ContinuationSplicer', () => {
  it.each([
    ['the whitespace the client has is not sent twice', 'one two ', [' thr', 'ee four'], 'three four'],
    ['a continuation that opens without it keeps its text', 'one two ', ['three'], 'three'],
    ['longer whitespace keeps what the client lacks', 'end.\n', ['\n\nNext'], '\nNext'],
    ['whitespace of another kind is the model’s own', 'a b ', ['\tc'], '\tc'],
    ['no trailing whitespace: passed through', 'one two', [' three'], ' three'],
    ['pieces of whitespace are held until text comes', 'x ', [' ', ' ', 'y'], ' y'],
  ] as const)('%s', (_name, sent, deltas, expected) => {
    expect(splice(sent, deltas)).toBe(expected);
  });

  it('passes text through as it comes once settled', () => {
    const splicer = new ContinuationSplicer('short ');
    expect(splicer.push(' next')).toBe('next');
    expect(splicer.push(' more')).toBe(' more');
    expect(splicer.end()).toBe('');
  });

  it('refuses a continuation that starts the answer over, before any of it is sent', () => {
    const sent = 'Here is a small, typed helper that removes duplicates ';
    const splicer = new ContinuationSplicer(sent);
    expect(splicer.push('Here is a ')).toBe('');
    expect(splicer.push('small, typed ')).toBe('');
    let failure: RouterError | undefined;
    try {
      splicer.push('helper that removes');
    } catch (error) {
      failure = error as RouterError;
    }
    expect(failure?.code).toBe('upstream_bad_response');
    expect(failure !== undefined && isPrefillIgnored(failure)).toBe(true);
  });

  it('releases held text as soon as it differs from the opening', () => {
    const splicer = new ContinuationSplicer('Here is a small, typed helper ');
    expect(splicer.push('He')).toBe('');
    expect(splicer.push('nce')).toBe('Hence');
  });

  it('does not check a short prefill, which a continuation could repeat by chance', () => {
    expect(splice('Sure. ', ['Sure, here it is.'])).toBe('Sure, here it is.');
  });
});

describe('createContinuationRequest', () => {
  const request: ChatRequest = {
    model: 'm',
    stream: true,
    max_tokens: 100,
    messages: [{ role: 'user', content: 'Write a sort.' }],
  };

  it('adds the sent text, without trailing whitespace, as a final assistant turn', () => {
    const continuation = createContinuationRequest(request, 'def sort(items):\n    ');
    expect(continuation.messages.at(-1)).toEqual({ role: 'assistant', content: 'def sort(items):' });
    expect(request.messages).toHaveLength(1);
  });

  it('lowers an output cap by what was already written, never below one token', () => {
    expect(createContinuationRequest(request, 'x'.repeat(40)).max_tokens).toBe(90);
    expect(createContinuationRequest(request, 'x'.repeat(4_000)).max_tokens).toBe(1);
    expect(
      createContinuationRequest({ ...request, max_completion_tokens: 50 }, 'x'.repeat(40))
        .max_completion_tokens,
    ).toBe(40);
  });

  it('sends the request as it was when nothing but whitespace was written', () => {
    expect(createContinuationRequest(request, ' \n')).toBe(request);
  });
});

import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../core/chat-result.js';
import { RouterError } from '../../core/errors.js';
import { readSseStream } from '../sse/parse-sse-stream.js';
import { fixturesOf } from '../test-support/read-fixture.js';
import { createStreamConverter } from './convert-stream.js';

/** Replays a recorded stream the way the executor reads one: SSE parsing, `[DONE]`, JSON, converter. */
async function replay(name: string, chunkSize = 97): Promise<StreamEvent[]> {
  const bytes = fixturesOf('openai-compatible').bytes(name);
  async function* body(): AsyncGenerator<Uint8Array> {
    for (let start = 0; start < bytes.length; start += chunkSize)
      yield bytes.subarray(start, start + chunkSize);
  }
  const converter = createStreamConverter();
  const events: StreamEvent[] = [];
  await readSseStream(Readable.from(body()), { maxMessageBytes: 1 << 20 }, (message) => {
    if (message.data === '[DONE]') return 'stop';
    events.push(...converter.convert(JSON.parse(message.data), message.event));
    return undefined;
  });
  events.push(...converter.end());
  return events;
}

function textOf(events: StreamEvent[], type: 'text-delta' | 'reasoning-delta'): string {
  return events.map((event) => (event.type === type ? event.text : '')).join('');
}

function ofType<T extends StreamEvent['type']>(
  events: StreamEvent[],
  type: T,
): Extract<StreamEvent, { type: T }>[] {
  return events.filter((event): event is Extract<StreamEvent, { type: T }> => event.type === type);
}

describe('createStreamConverter', () => {
  it('replays an OpenAI text stream', async () => {
    const events = await replay('stream-text.sse');
    expect(events[0]).toEqual({
      type: 'response-metadata',
      id: 'chatcmpl-C3kS1pNb6vWq8ZeRt3YuIo5PaSdF',
      model: 'gpt-4.1-2025-04-14',
    });
    expect(ofType(events, 'response-metadata')).toHaveLength(1);
    expect(textOf(events, 'text-delta')).toBe('Der Schlüssel ist `Map` — nicht `Object`.');
    expect(ofType(events, 'finish')).toEqual([
      { type: 'finish', finishReason: 'stop', nativeFinishReason: 'stop' },
    ]);
    expect(ofType(events, 'usage')).toEqual([
      {
        type: 'usage',
        usage: {
          promptTokens: 48,
          completionTokens: 12,
          cachedTokens: 0,
          cacheWriteTokens: 0,
          reasoningTokens: 0,
        },
      },
    ]);
    expect(ofType(events, 'error')).toEqual([]);
  });

  it('gives the same events however the bytes are cut', async () => {
    const reference = await replay('stream-tool-calls.sse', 1 << 20);
    for (const size of [1, 2, 3, 7, 64]) {
      expect(await replay('stream-tool-calls.sse', size)).toEqual(reference);
    }
  });

  it('replays OpenAI tool calls streamed in pieces by index', async () => {
    const events = await replay('stream-tool-calls.sse');
    const pieces = ofType(events, 'tool-call-delta');
    expect(pieces[0]).toEqual({
      type: 'tool-call-delta',
      index: 0,
      id: 'call_Q2wE4rT6yU8iO0pA1sD3fG5h',
      name: 'read_file',
      argumentsDelta: '',
    });
    const argumentsByIndex = new Map<number, string>();
    for (const piece of pieces) {
      argumentsByIndex.set(piece.index, (argumentsByIndex.get(piece.index) ?? '') + piece.argumentsDelta);
    }
    expect(JSON.parse(argumentsByIndex.get(0) ?? '')).toEqual({ path: 'src/index.ts' });
    expect(JSON.parse(argumentsByIndex.get(1) ?? '')).toEqual({ pattern: 'src/**/*.test.ts', watch: false });
    expect(
      pieces.filter((piece) => piece.id !== undefined).map((piece) => [piece.index, piece.name]),
    ).toEqual([
      [0, 'read_file'],
      [1, 'run_tests'],
    ]);
    expect(ofType(events, 'finish')).toEqual([
      { type: 'finish', finishReason: 'tool_calls', nativeFinishReason: 'tool_calls' },
    ]);
    expect(ofType(events, 'usage')[0]?.usage).toMatchObject({ promptTokens: 412, cachedTokens: 256 });
    expect(textOf(events, 'text-delta')).toBe('');
  });

  it('replays an OpenRouter stream with processing comments, reasoning and a mid-stream error', async () => {
    const events = await replay('stream-openrouter-error.sse');
    expect(events[0]).toEqual({
      type: 'response-metadata',
      id: 'gen-1754490600-aZ3xS5dC7fV9gB1hN2jM',
      model: 'deepseek/deepseek-r1',
    });
    expect(textOf(events, 'reasoning-delta')).toBe('The caller wants a recursive version.');
    expect(textOf(events, 'text-delta')).toBe('Here is a recursive `flatten`:');
    // The error chunk also says finish_reason "error"; the error event alone ends the attempt.
    expect(ofType(events, 'finish')).toEqual([]);
    const errors = ofType(events, 'error');
    expect(errors).toHaveLength(1);
    const error = errors[0]?.error;
    expect(error).toBeInstanceOf(RouterError);
    expect(error?.code).toBe('upstream_server_error');
    expect(error?.retryable).toBe(true);
    expect(error?.message).toContain('Provider disconnected unexpectedly');
    expect(events.at(-1)?.type).toBe('error');
  });

  it('replays an OpenRouter stream with its native finish reason and cache figures', async () => {
    const events = await replay('stream-openrouter-text.sse');
    expect(textOf(events, 'text-delta')).toBe('Rename the variable.');
    expect(ofType(events, 'finish')).toEqual([
      { type: 'finish', finishReason: 'stop', nativeFinishReason: 'end_turn' },
    ]);
    expect(ofType(events, 'usage')[0]?.usage).toEqual({
      promptTokens: 2210,
      completionTokens: 31,
      cachedTokens: 1792,
      cacheWriteTokens: 384,
      reasoningTokens: 0,
    });
  });

  it('replays a DeepSeek reasoning stream', async () => {
    const events = await replay('stream-deepseek-reasoning.sse');
    expect(textOf(events, 'reasoning-delta')).toBe('Compare the tenths: 1 against 9.');
    expect(textOf(events, 'text-delta')).toBe('9.11 is smaller.');
    const firstText = events.findIndex((event) => event.type === 'text-delta');
    const lastReasoning = events.findLastIndex((event) => event.type === 'reasoning-delta');
    expect(lastReasoning).toBeLessThan(firstText);
    expect(ofType(events, 'usage')[0]?.usage).toEqual({
      promptTokens: 84,
      completionTokens: 212,
      cachedTokens: 64,
      cacheWriteTokens: 0,
      reasoningTokens: 187,
    });
    expect(ofType(events, 'finish')).toHaveLength(1);
  });

  it('sends one finish even when several chunks carry a finish reason', () => {
    const converter = createStreamConverter();
    const chunk = { choices: [{ index: 0, delta: {}, finish_reason: 'length' }] };
    expect(converter.convert(chunk, undefined)).toEqual([
      { type: 'finish', finishReason: 'length', nativeFinishReason: 'length' },
    ]);
    expect(converter.convert(chunk, undefined)).toEqual([]);
  });

  it('never invents a finish at the end of the stream', () => {
    const converter = createStreamConverter();
    converter.convert({ id: 'x', choices: [{ index: 0, delta: { content: 'partial' } }] }, undefined);
    expect(converter.end()).toEqual([]);
  });

  it('reads only one of reasoning and reasoning_content when a vendor sends both', () => {
    const converter = createStreamConverter();
    expect(
      converter.convert(
        { choices: [{ delta: { reasoning: 'think', reasoning_content: 'think' } }] },
        undefined,
      ),
    ).toEqual([{ type: 'reasoning-delta', text: 'think' }]);
  });

  it('numbers tool calls that arrive without an index, by id', () => {
    const converter = createStreamConverter();
    const events = converter.convert(
      {
        choices: [
          {
            delta: {
              tool_calls: [
                { id: 'a', type: 'function', function: { name: 'first', arguments: '{"x":1}' } },
                { id: 'b', type: 'function', function: { name: 'second', arguments: { y: 2 } } },
              ],
            },
            finish_reason: 'stop',
          },
        ],
      },
      undefined,
    );
    expect(events).toEqual([
      { type: 'tool-call-delta', index: 0, id: 'a', name: 'first', argumentsDelta: '{"x":1}' },
      { type: 'tool-call-delta', index: 1, id: 'b', name: 'second', argumentsDelta: '{"y":2}' },
      { type: 'finish', finishReason: 'tool_calls', nativeFinishReason: 'stop' },
    ]);
  });

  it('passes a repeated id and name on only once per tool call', () => {
    const converter = createStreamConverter();
    const piece = (argumentsDelta: string) => ({
      choices: [
        {
          delta: {
            tool_calls: [{ index: 0, id: 'call_1', function: { name: 'f', arguments: argumentsDelta } }],
          },
        },
      ],
    });
    expect(converter.convert(piece('{"a"'), undefined)).toEqual([
      { type: 'tool-call-delta', index: 0, id: 'call_1', name: 'f', argumentsDelta: '{"a"' },
    ]);
    expect(converter.convert(piece(':1}'), undefined)).toEqual([
      { type: 'tool-call-delta', index: 0, argumentsDelta: ':1}' },
    ]);
  });

  it('maps an in-stream error object and a bare error string', () => {
    const converter = createStreamConverter();
    const [rateLimited] = converter.convert(
      { error: { message: 'Rate limit exceeded', type: 'rate_limit_error', code: 'rate_limit_exceeded' } },
      undefined,
    );
    expect(rateLimited?.type === 'error' && rateLimited.error.code).toBe('upstream_rate_limited');
    const [tooLong] = converter.convert(
      { error: { code: 400, message: 'prompt is too long: 210000 tokens' } },
      undefined,
    );
    expect(tooLong?.type === 'error' && tooLong.error.code).toBe('context_length_exceeded');
    const [bare] = converter.convert({ error: 'backend crashed' }, undefined);
    expect(bare?.type === 'error' && bare.error.code).toBe('upstream_server_error');
    expect(bare?.type === 'error' && bare.error.message).toContain('backend crashed');
  });

  it('turns a malformed chunk into an upstream_bad_response error event', () => {
    const converter = createStreamConverter();
    for (const data of [
      'text',
      7,
      null,
      [1, 2],
      { choices: 'x' },
      { choices: [{ delta: { tool_calls: 'x' } }] },
    ]) {
      const events = converter.convert(data, undefined);
      expect(events).toHaveLength(1);
      expect(events[0]?.type === 'error' && events[0].error.code).toBe('upstream_bad_response');
    }
  });

  it('ignores chunks with nothing to say', () => {
    const converter = createStreamConverter();
    expect(converter.convert({}, undefined)).toEqual([]);
    expect(converter.convert({ choices: [] }, undefined)).toEqual([]);
    expect(converter.convert({ choices: [{ index: 0, delta: { content: '' } }] }, undefined)).toEqual([]);
  });

  it('never throws for arbitrary JSON (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }), (values) => {
        const converter = createStreamConverter();
        for (const value of values) {
          const events = converter.convert(value, undefined);
          expect(Array.isArray(events)).toBe(true);
        }
        expect(converter.end()).toEqual([]);
      }),
    );
  });

  it('never throws for arbitrary chunk-shaped JSON (property)', () => {
    const chunkLike = fc.record(
      {
        id: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 2 })),
        choices: fc.array(
          fc.record(
            {
              index: fc.oneof(fc.nat(3), fc.jsonValue({ maxDepth: 2 })),
              delta: fc.record(
                {
                  content: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 2 })),
                  reasoning: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 2 })),
                  tool_calls: fc.array(
                    fc.record(
                      {
                        index: fc.oneof(fc.nat(3), fc.jsonValue({ maxDepth: 2 })),
                        id: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 2 })),
                        function: fc.record(
                          {
                            name: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 2 })),
                            arguments: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 2 })),
                          },
                          { requiredKeys: [] },
                        ),
                      },
                      { requiredKeys: [] },
                    ),
                  ),
                },
                { requiredKeys: [] },
              ),
              finish_reason: fc.oneof(
                fc.constantFrom('stop', 'length', 'tool_calls', null),
                fc.jsonValue({ maxDepth: 2 }),
              ),
            },
            { requiredKeys: [] },
          ),
        ),
        usage: fc.oneof(fc.constant(null), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }))),
        error: fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 })),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(chunkLike, { maxLength: 5 }), (values) => {
        const converter = createStreamConverter();
        let finishes = 0;
        for (const value of values) {
          for (const event of converter.convert(value, undefined)) {
            if (event.type === 'finish') finishes += 1;
            if (event.type === 'tool-call-delta') expect(Number.isInteger(event.index)).toBe(true);
          }
        }
        expect(finishes).toBeLessThanOrEqual(1);
      }),
    );
  });
});

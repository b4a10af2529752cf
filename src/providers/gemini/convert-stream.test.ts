import { createParser } from 'eventsource-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../core/chat-result.js';
import { fixturesOf } from '../test-support/read-fixture.js';
import { createStreamConverter } from './convert-stream.js';

/** Replays a recorded `.sse` fixture through a fresh converter, as the executor would. */
function replay(name: string): StreamEvent[] {
  const text = fixturesOf('gemini').text(name);
  const converter = createStreamConverter();
  const events: StreamEvent[] = [];
  const parser = createParser({
    onEvent: (message) => {
      events.push(...converter.convert(JSON.parse(message.data), message.event));
    },
  });
  parser.feed(text);
  events.push(...converter.end());
  return events;
}

function textOf(events: StreamEvent[], type: 'text-delta' | 'reasoning-delta'): string {
  return events.map((event) => (event.type === type ? event.text : '')).join('');
}

describe('createStreamConverter', () => {
  it('replays a text stream', () => {
    const events = replay('stream-text.sse');
    expect(events[0]).toEqual({
      type: 'response-metadata',
      id: 's3hBaMvXH4ik1MkP-Iq58Ak',
      model: 'gemini-2.5-flash',
    });
    expect(events.filter((event) => event.type === 'response-metadata')).toHaveLength(1);
    expect(textOf(events, 'text-delta')).toBe(
      'Binary search halves the interval on each step, so it needs O(log n) comparisons.',
    );
    const usages = events.filter((event) => event.type === 'usage');
    expect(usages).toHaveLength(3);
    expect(usages.at(-1)).toEqual({
      type: 'usage',
      usage: {
        promptTokens: 8,
        completionTokens: 19 + 311,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        reasoningTokens: 311,
      },
    });
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', nativeFinishReason: 'STOP' });
  });

  it('replays a function-call stream: one whole delta per call and a tool_calls finish', () => {
    const events = replay('stream-function-call.sse');
    expect(textOf(events, 'text-delta')).toBe('Let me check both cities.');
    expect(events.filter((event) => event.type === 'tool-call-delta')).toEqual([
      {
        type: 'tool-call-delta',
        index: 0,
        id: 'call_c5BBaJ2LLYSm1MkP5ZbUwQo_0',
        name: 'get_weather',
        argumentsDelta: '{"city":"Paris","unit":"celsius"}',
      },
      {
        type: 'tool-call-delta',
        index: 1,
        id: 'call_c5BBaJ2LLYSm1MkP5ZbUwQo_1',
        name: 'get_weather',
        argumentsDelta: '{"city":"London","unit":"celsius"}',
      },
    ]);
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'tool_calls', nativeFinishReason: 'STOP' });
  });

  it('replays a thinking stream: thoughts as reasoning, then the answer', () => {
    const events = replay('stream-thinking.sse');
    expect(textOf(events, 'reasoning-delta')).toBe(
      '**Tracing the loop bounds**\n\nThe bug is an off-by-one: `high` starts at `length`, so the last read is out of range.\n' +
        '**Choosing the fix**\n\nStarting `high` at `length - 1` keeps the `<=` comparison correct.\n',
    );
    expect(textOf(events, 'text-delta')).toBe(
      'Start `high` at `arr.length - 1`; the `while (low <= high)` loop is then correct.',
    );
    const firstText = events.findIndex((event) => event.type === 'text-delta');
    const lastReasoning = events.findLastIndex((event) => event.type === 'reasoning-delta');
    expect(lastReasoning).toBeLessThan(firstText);
    // The empty-text chunk that carries only the finish reason adds no delta.
    expect(events.filter((event) => event.type === 'text-delta')).toHaveLength(2);
    expect(events.findLast((event) => event.type === 'usage')).toMatchObject({
      usage: { completionTokens: 21 + 451, reasoningTokens: 451 },
    });
    expect(events.filter((event) => event.type === 'finish')).toEqual([
      { type: 'finish', finishReason: 'stop', nativeFinishReason: 'STOP' },
    ]);
  });

  it('turns an in-stream error object into a mapped error event', () => {
    const events = replay('stream-error.sse');
    expect(textOf(events, 'text-delta')).toBe('The answer');
    const errors = events.filter((event) => event.type === 'error');
    expect(errors).toHaveLength(1);
    const error = errors[0]?.type === 'error' ? errors[0].error : undefined;
    expect(error?.code).toBe('upstream_server_error');
    expect(error?.status).toBe(503);
    expect(error?.message).toContain('The model is overloaded');
    expect(events.some((event) => event.type === 'finish')).toBe(false);
  });

  it('turns a blocked prompt into a content_filter finish', () => {
    const events = replay('stream-prompt-blocked.sse');
    expect(events).toContainEqual({
      type: 'finish',
      finishReason: 'content_filter',
      nativeFinishReason: 'SAFETY',
    });
  });

  it('emits finish only once', () => {
    const converter = createStreamConverter();
    const chunk = { candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: 'STOP' }] };
    const events = [...converter.convert(chunk, undefined), ...converter.convert(chunk, undefined)];
    expect(events.filter((event) => event.type === 'finish')).toHaveLength(1);
  });

  it('does not invent a finish when the stream ends without one', () => {
    const converter = createStreamConverter();
    converter.convert({ candidates: [{ content: { parts: [{ text: 'partial' }] } }] }, undefined);
    expect(converter.end()).toEqual([]);
  });

  it('numbers tool calls across chunks', () => {
    const converter = createStreamConverter();
    const call = (name: string) => ({
      candidates: [{ content: { parts: [{ functionCall: { name, args: {} } }] } }],
    });
    const first = converter.convert(call('a'), undefined);
    const second = converter.convert(call('b'), undefined);
    expect(first).toEqual([
      { type: 'tool-call-delta', index: 0, id: 'call_0', name: 'a', argumentsDelta: '{}' },
    ]);
    expect(second).toEqual([
      { type: 'tool-call-delta', index: 1, id: 'call_1', name: 'b', argumentsDelta: '{}' },
    ]);
  });

  it.each([
    ['a string', 'oops'],
    ['null', null],
    [
      'a part whose functionCall has no name',
      { candidates: [{ content: { parts: [{ functionCall: { args: {} } }] } }] },
    ],
  ])('yields an upstream_bad_response error event for %s', (_label, data) => {
    const events = createStreamConverter().convert(data, undefined);
    expect(events).toHaveLength(1);
    expect(events[0]?.type === 'error' && events[0].error.code).toBe('upstream_bad_response');
  });

  it('keeps going after a malformed chunk', () => {
    const converter = createStreamConverter();
    converter.convert(42, undefined);
    expect(converter.convert({ candidates: [{ content: { parts: [{ text: 'ok' }] } }] }, undefined)).toEqual([
      { type: 'text-delta', text: 'ok' },
    ]);
  });

  it('never throws, whatever the data', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 5 }), (chunks) => {
        const converter = createStreamConverter();
        for (const chunk of chunks) {
          const events = converter.convert(chunk, undefined);
          expect(Array.isArray(events)).toBe(true);
        }
        expect(converter.end()).toEqual([]);
      }),
    );
  });

  it('never throws on arbitrary chunks shaped like responses', () => {
    const part = fc.record(
      {
        text: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
        thought: fc.oneof(fc.boolean(), fc.string()),
        functionCall: fc.record(
          { name: fc.oneof(fc.string(), fc.integer()), args: fc.jsonValue() },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    );
    const chunk = fc.record(
      {
        candidates: fc.array(
          fc.record(
            {
              content: fc.record({ parts: fc.array(part) }, { requiredKeys: [] }),
              finishReason: fc.string(),
            },
            { requiredKeys: [] },
          ),
        ),
        usageMetadata: fc.dictionary(
          fc.constantFrom('promptTokenCount', 'candidatesTokenCount'),
          fc.integer(),
        ),
        responseId: fc.string(),
        error: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 5 }), (chunks) => {
        const converter = createStreamConverter();
        let finishes = 0;
        for (const data of chunks) {
          finishes += converter.convert(data, undefined).filter((event) => event.type === 'finish').length;
        }
        expect(finishes).toBeLessThanOrEqual(1);
      }),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../core/chat-result.js';
import { fixturesOf } from '../test-support/read-fixture.js';
import { createStreamConverter } from './convert-stream.js';

const { sse: readSseFixture } = fixturesOf('anthropic');

function replay(name: string): StreamEvent[] {
  const converter = createStreamConverter();
  const events: StreamEvent[] = [];
  for (const message of readSseFixture(name)) events.push(...converter.convert(message.data, message.event));
  events.push(...converter.end());
  return events;
}

function text(events: StreamEvent[], type: 'text-delta' | 'reasoning-delta'): string {
  return events
    .filter((event): event is StreamEvent & { type: typeof type } => event.type === type)
    .map((event) => event.text)
    .join('');
}

function toolCalls(events: StreamEvent[]): { id?: string; name?: string; arguments: string }[] {
  const calls: { id?: string; name?: string; arguments: string }[] = [];
  for (const event of events) {
    if (event.type !== 'tool-call-delta') continue;
    const call = calls[event.index] ?? { arguments: '' };
    if (event.id !== undefined) call.id = event.id;
    if (event.name !== undefined) call.name = event.name;
    call.arguments += event.argumentsDelta;
    calls[event.index] = call;
  }
  return calls;
}

/** Malformed input may give error events, but never one from an exception the converter did not expect. */
function expectOnlyKnownFailures(events: StreamEvent[]): void {
  expect(Array.isArray(events)).toBe(true);
  for (const event of events) {
    if (event.type === 'error') expect(event.error.message).not.toContain('could not convert the event');
  }
}

function lastUsage(events: StreamEvent[]): unknown {
  return events.filter((event) => event.type === 'usage').at(-1);
}

describe('createStreamConverter on recorded streams', () => {
  it('converts a text stream: metadata, text, usage with cache reads, finish', () => {
    const events = replay('stream-text.sse');
    expect(events[0]).toEqual({
      type: 'response-metadata',
      id: 'msg_01UodR8c3ezAK8rAfi8HAs8g',
      model: 'claude-haiku-4-5-20251001',
    });
    expect(text(events, 'text-delta')).toBe('Hello! How can I help with your code today?');
    expect(lastUsage(events)).toEqual({
      type: 'usage',
      usage: {
        promptTokens: 29 + 2048,
        completionTokens: 15,
        cachedTokens: 2048,
        cacheWriteTokens: 0,
        reasoningTokens: 0,
      },
    });
    expect(events.filter((event) => event.type === 'finish')).toEqual([
      { type: 'finish', finishReason: 'stop', nativeFinishReason: 'end_turn' },
    ]);
    expect(events.at(-1)?.type).toBe('finish');
  });

  it('converts tool_use blocks to tool calls indexed from 0, with id and name on the first piece', () => {
    const events = replay('stream-tool-use.sse');
    expect(text(events, 'text-delta')).toBe(
      "Okay, let's check the weather in San Francisco and the time there.",
    );
    const firstPiece = events.find((event) => event.type === 'tool-call-delta');
    expect(firstPiece).toEqual({
      type: 'tool-call-delta',
      index: 0,
      id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
      name: 'get_weather',
      argumentsDelta: '',
    });
    const calls = toolCalls(events);
    expect(calls).toEqual([
      {
        id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
        name: 'get_weather',
        arguments: '{"location": "San Francisco, CA", "unit": "fahrenheit"}',
      },
      // A tool without parameters streams no JSON; the client still gets a parseable object.
      { id: 'toolu_01Qm5ZkYyHc1e8rXvWbN3sJd', name: 'get_time', arguments: '{}' },
    ]);
    expect(JSON.parse(calls[0]!.arguments)).toEqual({ location: 'San Francisco, CA', unit: 'fahrenheit' });
    expect(events.find((event) => event.type === 'finish')).toEqual({
      type: 'finish',
      finishReason: 'tool_calls',
      nativeFinishReason: 'tool_use',
    });
    expect(lastUsage(events)).toEqual({
      type: 'usage',
      usage: {
        promptTokens: 472,
        completionTokens: 89,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        reasoningTokens: 0,
      },
    });
  });

  it('converts thinking to reasoning and ignores the signature', () => {
    const events = replay('stream-thinking.sse');
    expect(text(events, 'reasoning-delta')).toBe(
      'I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\n\n1071 = 2 × 462 + 147\n462 = 3 × 147 + 21\n147 = 7 × 21 + 0\n\nSo GCD(1071, 462) = 21',
    );
    expect(text(events, 'text-delta')).toBe('The greatest common divisor of 1071 and 462 is **21**.');
    expect(JSON.stringify(events)).not.toContain('EqQBCgIYAhIM');
    expect(lastUsage(events)).toEqual({
      type: 'usage',
      usage: {
        promptTokens: 85 + 1500,
        completionTokens: 103,
        cachedTokens: 0,
        cacheWriteTokens: 1500,
        reasoningTokens: 0,
      },
    });
  });

  it('skips redacted thinking and maps max_tokens to length', () => {
    const events = replay('stream-redacted-thinking.sse');
    expect(text(events, 'reasoning-delta')).toBe('');
    expect(text(events, 'text-delta')).toBe('Done.');
    expect(events.filter((event) => event.type === 'error')).toEqual([]);
    expect(events.find((event) => event.type === 'finish')).toEqual({
      type: 'finish',
      finishReason: 'length',
      nativeFinishReason: 'max_tokens',
    });
  });

  it('does not turn server tool blocks into tool calls', () => {
    const events = replay('stream-server-tool.sse');
    expect(toolCalls(events)).toEqual([]);
    expect(events.filter((event) => event.type === 'error')).toEqual([]);
    expect(text(events, 'text-delta')).toBe("I'll check the release notes.Node.js 24 ships V8 13.6.");
    expect(lastUsage(events)).toEqual({
      type: 'usage',
      usage: {
        promptTokens: 10682,
        completionTokens: 510,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        reasoningTokens: 0,
      },
    });
  });

  it('turns an in-stream overloaded_error into a retryable upstream_server_error with status 503', () => {
    const events = replay('stream-error-overloaded.sse');
    expect(text(events, 'text-delta')).toBe('Let me');
    const errors = events.filter((event) => event.type === 'error');
    expect(errors).toHaveLength(1);
    const error = errors[0]!.type === 'error' ? errors[0]!.error : undefined;
    expect(error?.code).toBe('upstream_server_error');
    expect(error?.status).toBe(503);
    expect(error?.retryable).toBe(true);
    expect(error?.message).toContain('Overloaded');
    expect(error?.metadata).toMatchObject({
      provider_error: 'Overloaded',
      provider_error_type: 'overloaded_error',
    });
    // The stream was cut by the error: no finish is invented.
    expect(events.some((event) => event.type === 'finish')).toBe(false);
  });
});

describe('createStreamConverter event by event', () => {
  it('maps in-stream error types to codes and retryability', () => {
    const cases = [
      ['overloaded_error', 'upstream_server_error', true, 503],
      ['api_error', 'upstream_server_error', true, 500],
      ['rate_limit_error', 'upstream_rate_limited', true, 429],
      ['invalid_request_error', 'upstream_bad_request', false, 400],
      ['authentication_error', 'upstream_unauthorized', false, 502],
    ] as const;
    for (const [type, code, retryable, status] of cases) {
      const [event] = createStreamConverter().convert(
        { type: 'error', error: { type, message: 'boom' } },
        'error',
      );
      expect(event?.type).toBe('error');
      if (event?.type !== 'error') continue;
      expect([type, event.error.code, event.error.retryable, event.error.status]).toEqual([
        type,
        code,
        retryable,
        status,
      ]);
    }
  });

  it('ignores ping, message_stop, signature deltas and unknown event types', () => {
    const converter = createStreamConverter();
    expect(converter.convert({ type: 'ping' }, 'ping')).toEqual([]);
    expect(converter.convert({ type: 'message_stop' }, 'message_stop')).toEqual([]);
    expect(converter.convert({ type: 'brand_new_event', payload: 1 }, 'brand_new_event')).toEqual([]);
    converter.convert(
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } },
      undefined,
    );
    expect(
      converter.convert(
        { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'abc' } },
        undefined,
      ),
    ).toEqual([]);
    expect(
      converter.convert(
        { type: 'content_block_delta', index: 0, delta: { type: 'citations_delta', citation: {} } },
        undefined,
      ),
    ).toEqual([]);
  });

  it('emits finish once even when several message_delta events carry a stop reason', () => {
    const converter = createStreamConverter();
    const first = converter.convert(
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } },
      undefined,
    );
    const second = converter.convert(
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 4 } },
      undefined,
    );
    expect(first.map((event) => event.type)).toEqual(['usage', 'finish']);
    expect(second.map((event) => event.type)).toEqual(['usage']);
  });

  it('keeps input usage from message_start when message_delta reports only output tokens', () => {
    const converter = createStreamConverter();
    converter.convert(
      {
        type: 'message_start',
        message: {
          id: 'msg_1',
          model: 'm',
          usage: { input_tokens: 10, cache_read_input_tokens: 90, output_tokens: 1 },
        },
      },
      undefined,
    );
    const [usage] = converter.convert(
      { type: 'message_delta', delta: { stop_reason: null }, usage: { output_tokens: 7 } },
      undefined,
    );
    expect(usage).toEqual({
      type: 'usage',
      usage: {
        promptTokens: 100,
        completionTokens: 7,
        cachedTokens: 90,
        cacheWriteTokens: 0,
        reasoningTokens: 0,
      },
    });
  });

  it('sends the whole input of a tool_use block that arrived on content_block_start without deltas', () => {
    const converter = createStreamConverter();
    converter.convert(
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'grep', input: { pattern: 'x' } },
      },
      undefined,
    );
    expect(converter.convert({ type: 'content_block_stop', index: 0 }, undefined)).toEqual([
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"pattern":"x"}' },
    ]);
  });

  it('uses the SSE event name when the data has no type', () => {
    const converter = createStreamConverter();
    converter.convert({ index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start');
    expect(
      converter.convert({ index: 0, delta: { type: 'text_delta', text: 'hi' } }, 'content_block_delta'),
    ).toEqual([{ type: 'text-delta', text: 'hi' }]);
  });

  it('returns an upstream_bad_response error event for malformed data', () => {
    const malformed: [unknown, string | undefined][] = [
      [42, undefined],
      [null, 'message_start'],
      [{ type: 'message_start' }, undefined],
      [{ type: 'content_block_start', index: 'zero', content_block: { type: 'text', text: '' } }, undefined],
      [
        {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'tool_use', id: 7, name: 'x', input: {} },
        },
        undefined,
      ],
      [{ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 5 } }, undefined],
      [
        { type: 'content_block_delta', index: 3, delta: { type: 'input_json_delta', partial_json: '{' } },
        undefined,
      ],
      [{ type: 'message_delta', delta: { stop_reason: 3 } }, undefined],
      [{ type: 'message_delta', delta: {}, usage: { output_tokens: -1 } }, undefined],
      [{ type: 'error', error: 'overloaded' }, undefined],
    ];
    for (const [data, event] of malformed) {
      const events = createStreamConverter().convert(data, event);
      expect(events).toHaveLength(1);
      const [only] = events;
      expect(only?.type === 'error' ? only.error.code : only?.type).toBe('upstream_bad_response');
    }
  });

  it('never throws and always returns events for arbitrary JSON', () => {
    const eventNames = fc.constantFrom(
      undefined,
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
      'ping',
      'error',
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.jsonValue(), eventNames), { maxLength: 20 }), (messages) => {
        const converter = createStreamConverter();
        for (const [data, event] of messages) expectOnlyKnownFailures(converter.convert(data, event));
        expect(converter.end()).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws for arbitrary data shaped like Anthropic events', () => {
    const shaped = fc.record(
      {
        type: fc.constantFrom(
          'message_start',
          'content_block_start',
          'content_block_delta',
          'content_block_stop',
          'message_delta',
          'error',
        ),
        index: fc.oneof(fc.nat(3), fc.jsonValue()),
        message: fc.jsonValue(),
        content_block: fc.oneof(
          fc.record({
            type: fc.constantFrom('text', 'thinking', 'tool_use'),
            text: fc.jsonValue(),
            id: fc.jsonValue(),
            name: fc.jsonValue(),
            input: fc.jsonValue(),
          }),
          fc.jsonValue(),
        ),
        delta: fc.oneof(
          fc.record({
            type: fc.constantFrom('text_delta', 'thinking_delta', 'input_json_delta'),
            text: fc.jsonValue(),
            partial_json: fc.jsonValue(),
          }),
          fc.jsonValue(),
        ),
        usage: fc.jsonValue(),
        error: fc.jsonValue(),
      },
      { requiredKeys: ['type'] },
    );
    fc.assert(
      fc.property(fc.array(shaped, { maxLength: 20 }), (messages) => {
        const converter = createStreamConverter();
        for (const data of messages) expectOnlyKnownFailures(converter.convert(data, undefined));
      }),
      { numRuns: 300 },
    );
  });
});

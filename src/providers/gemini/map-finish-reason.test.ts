import { describe, expect, it } from 'vitest';
import { mapFinishReason } from './map-finish-reason.js';

describe('mapFinishReason', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    ['MAX_TOKENS', false, 'length'],
    ['MAX_TOKENS', true, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['BLOCKLIST', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['SPII', false, 'content_filter'],
    ['IMAGE_SAFETY', false, 'content_filter'],
    ['MODEL_ARMOR', false, 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', false, 'error'],
    ['UNEXPECTED_TOOL_CALL', true, 'error'],
    ['TOO_MANY_TOOL_CALLS', true, 'error'],
    ['MISSING_THOUGHT_SIGNATURE', false, 'error'],
    ['LANGUAGE', false, 'error'],
    ['OTHER', false, 'error'],
    ['FINISH_REASON_UNSPECIFIED', false, 'error'],
    ['SOMETHING_NEW', false, 'error'],
    ['toString', false, 'error'],
  ] as const)('maps %s (tool calls: %s) to %s', (native, hasToolCalls, expected) => {
    expect(mapFinishReason(native, hasToolCalls)).toBe(expected);
  });
});

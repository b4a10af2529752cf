import { describe, expect, it } from 'vitest';
import type { FinishReason } from '../../core/chat-result.js';
import { mapFinishReason } from './map-finish-reason.js';

describe('mapFinishReason', () => {
  it.each<[string | null, boolean, FinishReason]>([
    ['stop', false, 'stop'],
    ['length', false, 'length'],
    ['tool_calls', true, 'tool_calls'],
    ['function_call', true, 'tool_calls'],
    ['content_filter', false, 'content_filter'],
    ['error', false, 'error'],
    ['eos', false, 'stop'],
    ['constructor', false, 'stop'],
    [null, false, 'stop'],
    ['stop', true, 'tool_calls'],
    ['length', true, 'length'],
  ])('%s (tool calls: %s) -> %s', (raw, hasToolCalls, expected) => {
    expect(mapFinishReason(raw, hasToolCalls)).toBe(expected);
  });
});

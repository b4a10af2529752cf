import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../core/chat-request.js';
import type { UpstreamEndpoint } from '../protocol-adapter.js';
import { createAnthropicRequest } from './create-anthropic-request.js';
import { anthropicAdapter } from './index.js';

const endpoint: UpstreamEndpoint = {
  name: 'anthropic',
  protocol: 'anthropic',
  baseUrl: 'https://api.anthropic.com/v1',
  apiKey: 'sk-ant-test',
};

const chat: ChatRequest = {
  model: 'claude-opus-4-7',
  messages: [{ role: 'user', content: 'Hi' }],
  max_tokens: 64,
  stream: true,
};

describe('createAnthropicRequest', () => {
  it('posts to /messages with the key, version and content type', () => {
    const { http, warnings } = createAnthropicRequest(chat, endpoint);
    expect(http.path).toBe('/messages');
    expect(http.headers).toEqual({
      'x-api-key': 'sk-ant-test',
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
    });
    expect(JSON.parse(http.body)).toEqual({
      model: 'claude-opus-4-7',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      max_tokens: 64,
      stream: true,
    });
    expect(warnings).toEqual([]);
  });

  it('sends no key header without a key and lets endpoint headers add or override', () => {
    const { http } = createAnthropicRequest(chat, {
      name: 'local',
      protocol: 'anthropic',
      baseUrl: 'http://127.0.0.1:9000/v1',
      headers: { 'anthropic-beta': 'context-1m-2025-08-07', 'anthropic-version': '2023-06-01' },
    });
    expect(http.headers).toEqual({
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
      'anthropic-beta': 'context-1m-2025-08-07',
    });
  });
});

describe('anthropicAdapter', () => {
  it('wires every part of the protocol', () => {
    expect(anthropicAdapter.protocol).toBe('anthropic');
    expect(anthropicAdapter.buildRequest(chat, endpoint).http.path).toBe('/messages');
    expect(
      anthropicAdapter.parseResponse({ content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn' })
        .content,
    ).toBe('ok');
    expect(anthropicAdapter.createStreamConverter().convert({ type: 'ping' }, 'ping')).toEqual([]);
    expect(anthropicAdapter.mapError(529, '', undefined).code).toBe('upstream_server_error');
  });

  it('gives each stream its own converter state', () => {
    const first = anthropicAdapter.createStreamConverter();
    const second = anthropicAdapter.createStreamConverter();
    const start = {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} },
    };
    first.convert(start, undefined);
    expect(second.convert(start, undefined)).toEqual([
      { type: 'tool-call-delta', index: 0, id: 'toolu_1', name: 'f', argumentsDelta: '' },
    ]);
  });
});

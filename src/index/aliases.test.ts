import { describe, expect, it } from 'vitest';
import { createAliasResolver, normalizeModelName } from './aliases.js';

describe('normalizeModelName', () => {
  it('brings the many spellings of one model together', () => {
    expect(normalizeModelName('anthropic/claude-opus-4.7')).toBe('claude-opus-4.7');
    expect(normalizeModelName('claude-opus-4-7')).toBe('claude-opus-4.7');
    expect(normalizeModelName('Anthropic: Claude Opus 4.7')).toBe('claude-opus-4.7');
    expect(normalizeModelName('claude-opus-4-20250514 (32k thinking)')).toBe('claude-opus-4');
    expect(normalizeModelName('models/alibaba/qwen3.6-27b.toml')).toBe('qwen3.6-27b');
    expect(normalizeModelName('gemini-3-1-pro-preview')).toBe('gemini-3.1-pro-preview');
  });

  it('keeps what is part of a real id', () => {
    expect(normalizeModelName('mistralai/devstral-2512')).toBe('devstral-2512');
    expect(normalizeModelName('qwen/qwen3-235b-a22b')).toBe('qwen3-235b-a22b');
    expect(normalizeModelName('moonshotai/kimi-k2-0905')).toBe('kimi-k2-0905');
  });
});

describe('createAliasResolver', () => {
  const resolve = createAliasResolver([
    { id: 'anthropic/claude-opus-4.7', name: 'Claude Opus 4.7' },
    { id: 'anthropic/claude-opus-4.7-fast', name: 'Claude Opus 4.7 (Fast)' },
    { id: 'deepseek/deepseek-v4-flash', name: 'DeepSeek V4 Flash' },
    { id: 'deepseek/deepseek-v4-flash:free', name: 'DeepSeek V4 Flash (free)' },
    { id: 'anthropic/claude-haiku-4.5', name: 'Claude Haiku 4.5' },
    { id: 'vendor-a/twin', name: 'Twin' },
    { id: 'vendor-b/twin', name: 'Twin' },
  ]);

  it('matches exact ids, normalised ids and display names', () => {
    expect(resolve('anthropic/claude-opus-4.7')).toBe('anthropic/claude-opus-4.7');
    expect(resolve('claude-opus-4-7')).toBe('anthropic/claude-opus-4.7');
    expect(resolve('DeepSeek V4 Flash')).toBe('deepseek/deepseek-v4-flash');
    expect(resolve('deepseek/deepseek-v4-flash:free')).toBe('deepseek/deepseek-v4-flash:free');
  });

  it('uses the alias table for word orders normalising cannot bridge', () => {
    expect(resolve('Claude 4.5 Haiku')).toBe('anthropic/claude-haiku-4.5');
  });

  it('refuses ambiguous names and names the table blocks', () => {
    expect(resolve('twin')).toBeUndefined();
    expect(resolve('deepseek-chat')).toBeUndefined();
    expect(resolve('something else')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { createModelAliasResolver } from './model-alias.js';

describe('createModelAliasResolver', () => {
  const resolve = createModelAliasResolver({
    'claude-haiku-*': 'pareto-code@low',
    'claude-opus-*': 'pareto-code@high',
    '*': 'pareto-code@balanced',
    'claude-haiku-4-5': 'deepseek/deepseek-v4-flash',
  });

  it('prefers an exact name over any pattern', () => {
    expect(resolve('claude-haiku-4-5')).toBe('deepseek/deepseek-v4-flash');
    expect(resolve('Claude-Haiku-4-5')).toBe('deepseek/deepseek-v4-flash');
  });

  it('takes the first matching pattern in the order given', () => {
    expect(resolve('claude-haiku-4-5-20251001')).toBe('pareto-code@low');
    expect(resolve('claude-opus-4-7')).toBe('pareto-code@high');
    expect(resolve('gpt-5.5')).toBe('pareto-code@balanced');
  });

  it('resolves nothing without aliases, and does not chain', () => {
    expect(createModelAliasResolver({})('claude-opus-4-7')).toBeUndefined();
    const chained = createModelAliasResolver({ a: 'b', b: 'c' });
    expect(chained('a')).toBe('b');
  });
});

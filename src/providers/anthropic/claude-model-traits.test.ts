import { describe, expect, it } from 'vitest';
import { claudeModelTraits } from './claude-model-traits.js';

describe('claudeModelTraits', () => {
  it.each([
    ['claude-3-7-sonnet-20250219', 3, 7, 'budget', 'all', false],
    ['claude-3-5-haiku-latest', 3, 5, 'budget', 'all', false],
    ['claude-sonnet-4-20250514', 4, 0, 'budget', 'all', false],
    ['claude-opus-4-1-20250805', 4, 1, 'budget', 'temperature-or-top-p', false],
    ['claude-haiku-4-5-20251001', 4, 5, 'budget', 'temperature-or-top-p', false],
    ['claude-sonnet-4-5', 4, 5, 'budget', 'temperature-or-top-p', false],
    ['claude-sonnet-4-6', 4, 6, 'budget-or-adaptive', 'temperature-or-top-p', true],
    ['claude-opus-4-6', 4, 6, 'budget-or-adaptive', 'temperature-or-top-p', true],
    ['claude-opus-4-7', 4, 7, 'adaptive', 'none', true],
    ['anthropic/claude-opus-4.7', 4, 7, 'adaptive', 'none', true],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 4, 5, 'budget', 'temperature-or-top-p', false],
    ['claude-opus-4-8', 4, 8, 'adaptive', 'none', true],
    ['claude-opus-5', 5, 0, 'adaptive', 'none', true],
  ] as const)('reads %s as Claude %i.%i', (model, major, minor, thinking, sampling, effort) => {
    const traits = claudeModelTraits(model);
    expect(traits.version).toEqual({ major, minor });
    expect([traits.thinking, traits.sampling, traits.effort]).toEqual([thinking, sampling, effort]);
  });

  it('offers xhigh from Opus 4.7 on only', () => {
    expect(claudeModelTraits('claude-opus-4-7').xhighEffort).toBe(true);
    expect(claudeModelTraits('claude-sonnet-4-6').xhighEffort).toBe(false);
  });

  it.each(['deepseek-v4-pro', 'kimi-k2.6', 'claude-mythos-preview', ''])(
    'gives %s, which has no Claude version, the most widely accepted forms',
    (model) => {
      expect(claudeModelTraits(model)).toEqual({
        version: undefined,
        thinking: 'budget',
        sampling: 'all',
        effort: false,
        xhighEffort: false,
      });
    },
  );
});

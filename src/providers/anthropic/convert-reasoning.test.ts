import { describe, expect, it } from 'vitest';
import type { ReasoningSetting } from '../../core/chat-request.js';
import { claudeModelTraits } from './claude-model-traits.js';
import { convertReasoning, thinkingBudgetByEffort } from './convert-reasoning.js';

function plan(
  model: string,
  reasoning: ReasoningSetting | undefined,
  requestedMaxTokens: number | undefined,
  blocked?: string,
) {
  const warnings: string[] = [];
  const result = convertReasoning(
    {
      reasoning,
      requestedMaxTokens,
      traits: claudeModelTraits(model),
      model,
      thinkingBlockedBecause: blocked,
    },
    warnings,
  );
  return { ...result, warnings };
}

describe('convertReasoning', () => {
  it('documents one budget per effort level, rising with the level', () => {
    expect(thinkingBudgetByEffort).toEqual({
      minimal: 1_024,
      low: 4_096,
      medium: 16_384,
      high: 32_768,
      xhigh: 49_152,
    });
  });

  it('maps effort to a thinking budget on budget-only models, leaving the answer its default room', () => {
    expect(plan('claude-haiku-4-5', { effort: 'high' }, undefined)).toEqual({
      thinking: { type: 'enabled', budget_tokens: 32_768 },
      effort: undefined,
      maxTokens: 32_768 + 8_192,
      warnings: ['max_tokens is required by Anthropic and was not set; sent 40960'],
    });
  });

  it('raises max_tokens above the budget with a warning when the caller set it lower', () => {
    expect(plan('claude-sonnet-4-5', { max_tokens: 4_000 }, 1_000)).toEqual({
      thinking: { type: 'enabled', budget_tokens: 4_000 },
      effort: undefined,
      maxTokens: 5_000,
      warnings: ['max_tokens 1000 must exceed the thinking budget 4000; sent max_tokens 5000'],
    });
  });

  it("raises a budget below Anthropic's minimum with a warning", () => {
    const result = plan('claude-sonnet-4-5', { max_tokens: 200 }, 10_000);
    expect(result.thinking).toEqual({ type: 'enabled', budget_tokens: 1_024 });
    expect(result.warnings).toEqual(["reasoning.max_tokens 200 is below Anthropic's minimum; sent 1024"]);
  });

  it('uses adaptive thinking with effort where the model has it, keeping the caller cap', () => {
    expect(plan('claude-opus-4-6', { effort: 'low' }, 3_000)).toEqual({
      thinking: { type: 'adaptive' },
      effort: 'low',
      maxTokens: 3_000,
      warnings: [],
    });
  });

  it('leaves room to think when an adaptive request sets no max_tokens', () => {
    expect(plan('claude-opus-4-7', { effort: 'medium' }, undefined).maxTokens).toBe(8_192 + 16_384);
  });

  it.each([
    [
      'claude-opus-4-7',
      { effort: 'minimal' },
      'low',
      'reasoning.effort minimal has no Anthropic equivalent; sent effort low',
    ],
    [
      'claude-sonnet-4-6',
      { effort: 'xhigh' },
      'high',
      'reasoning.effort xhigh is not supported by claude-sonnet-4-6; sent effort high',
    ],
    [
      'claude-opus-4-7',
      { max_tokens: 3_000 },
      'low',
      'reasoning.max_tokens is not supported by claude-opus-4-7 (adaptive thinking only); sent effort low',
    ],
    [
      'claude-opus-4-7',
      { max_tokens: 10_000 },
      'medium',
      'reasoning.max_tokens is not supported by claude-opus-4-7 (adaptive thinking only); sent effort medium',
    ],
  ] as const)('on %s maps %o to effort %s with a warning', (model, reasoning, effort, warning) => {
    const result = plan(model, reasoning, 20_000);
    expect(result.effort).toBe(effort);
    expect(result.warnings).toEqual([warning]);
  });

  it('prefers an explicit budget over an effort', () => {
    expect(plan('claude-sonnet-4-5', { max_tokens: 2_048, effort: 'high' }, 10_000).thinking).toEqual({
      type: 'enabled',
      budget_tokens: 2_048,
    });
  });

  it('when thinking is blocked, warns and keeps only an effort the model has', () => {
    expect(plan('claude-opus-4-7', { effort: 'high' }, 5_000, 'a reason')).toEqual({
      thinking: undefined,
      effort: 'high',
      maxTokens: 5_000,
      warnings: ['reasoning was not enabled: a reason'],
    });
    expect(plan('claude-sonnet-4-5', { effort: 'high' }, 5_000, 'a reason')).toEqual({
      thinking: undefined,
      effort: undefined,
      maxTokens: 5_000,
      warnings: ['reasoning was not enabled: a reason'],
    });
  });

  it('does nothing without a reasoning setting', () => {
    expect(plan('claude-opus-4-7', undefined, 5_000)).toEqual({
      thinking: undefined,
      effort: undefined,
      maxTokens: 5_000,
      warnings: [],
    });
  });
});

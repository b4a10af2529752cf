/**
 * The router's reasoning setting converted to Anthropic's `thinking`, `output_config.effort` and the
 * `max_tokens` they need, for the thinking form the target model accepts (see claude-model-traits.ts).
 *
 * Effort maps to these thinking budgets on models that take a budget (and, on adaptive models, to the
 * output room added to a default `max_tokens`):
 *   minimal 1,024 (Anthropic's smallest budget), low 4,096, medium 16,384, high 32,768, xhigh 49,152.
 * An explicit `reasoning.max_tokens` is the budget itself. On adaptive-only models a budget becomes the
 * nearest effort (up to 4,096 low, up to 16,384 medium, above that high), with a warning.
 */
import type { ReasoningSetting } from '../../core/chat-request.js';
import type { AnthropicEffort, AnthropicThinking } from './anthropic-request-body.js';
import type { ClaudeModelTraits } from './claude-model-traits.js';

type RouterEffort = 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

/** Anthropic's smallest accepted `budget_tokens`. */
export const minimumThinkingBudget = 1_024;

/** Output room when the caller sets no `max_tokens` (Anthropic requires one). */
export const defaultMaxTokens = 8_192;

/** The thinking budget of each effort level. */
export const thinkingBudgetByEffort: Readonly<Record<RouterEffort, number>> = {
  minimal: 1_024,
  low: 4_096,
  medium: 16_384,
  high: 32_768,
  xhigh: 49_152,
};

type WantedReasoning =
  | { kind: 'off' }
  | { kind: 'effort'; effort: RouterEffort }
  | { kind: 'budget'; budget: number };

export interface ReasoningInput {
  reasoning: ReasoningSetting | undefined;
  /** The caller's output cap, when it set one. */
  requestedMaxTokens: number | undefined;
  traits: ClaudeModelTraits;
  model: string;
  /** Why thinking cannot be switched on for this request, when it cannot. */
  thinkingBlockedBecause: string | undefined;
}

export interface ReasoningPlan {
  thinking: AnthropicThinking | undefined;
  effort: AnthropicEffort | undefined;
  maxTokens: number;
}

function wantedReasoning(reasoning: ReasoningSetting | undefined): WantedReasoning {
  if (reasoning === undefined || reasoning.enabled === false || reasoning.effort === 'none')
    return { kind: 'off' };
  if (typeof reasoning.max_tokens === 'number')
    return { kind: 'budget', budget: Math.floor(reasoning.max_tokens) };
  if (reasoning.effort !== undefined) return { kind: 'effort', effort: reasoning.effort };
  if (reasoning.enabled === true) return { kind: 'effort', effort: 'medium' };
  return { kind: 'off' };
}

function effortForBudget(budget: number): RouterEffort {
  if (budget <= thinkingBudgetByEffort.low) return 'low';
  if (budget <= thinkingBudgetByEffort.medium) return 'medium';
  return 'high';
}

function anthropicEffort(effort: RouterEffort, input: ReasoningInput, warnings: string[]): AnthropicEffort {
  switch (effort) {
    case 'minimal':
      warnings.push(`reasoning.effort minimal has no Anthropic equivalent; sent effort low`);
      return 'low';
    case 'low':
    case 'medium':
    case 'high':
      return effort;
    case 'xhigh':
      if (input.traits.xhighEffort) return 'xhigh';
      warnings.push(`reasoning.effort xhigh is not supported by ${input.model}; sent effort high`);
      return 'high';
  }
}

/** Plans `thinking`, `output_config.effort` and `max_tokens` for a request's reasoning setting. */
export function convertReasoning(input: ReasoningInput, warnings: string[]): ReasoningPlan {
  const plan = planReasoning(input, warnings);
  if (input.requestedMaxTokens === undefined) {
    warnings.push(`max_tokens is required by Anthropic and was not set; sent ${plan.maxTokens}`);
  }
  return plan;
}

function planReasoning(input: ReasoningInput, warnings: string[]): ReasoningPlan {
  const wanted = wantedReasoning(input.reasoning);
  const { traits, requestedMaxTokens, model } = input;
  const answerRoom = requestedMaxTokens ?? defaultMaxTokens;
  if (wanted.kind === 'off') return { thinking: undefined, effort: undefined, maxTokens: answerRoom };

  if (input.thinkingBlockedBecause !== undefined) {
    warnings.push(`reasoning was not enabled: ${input.thinkingBlockedBecause}`);
    // Effort also shapes answers without thinking, so it is kept where the model has it.
    const effort =
      wanted.kind === 'effort' && traits.effort ? anthropicEffort(wanted.effort, input, warnings) : undefined;
    return { thinking: undefined, effort, maxTokens: answerRoom };
  }

  const useAdaptive =
    traits.thinking === 'adaptive' || (traits.thinking === 'budget-or-adaptive' && wanted.kind === 'effort');
  if (useAdaptive) {
    let routerEffort: RouterEffort;
    if (wanted.kind === 'budget') {
      routerEffort = effortForBudget(wanted.budget);
      warnings.push(
        `reasoning.max_tokens is not supported by ${model} (adaptive thinking only); sent effort ${routerEffort}`,
      );
    } else {
      routerEffort = wanted.effort;
    }
    const effort = anthropicEffort(routerEffort, input, warnings);
    // Adaptive thinking counts against max_tokens: a caller's cap is kept as a cap on the whole output,
    // a default one leaves the answer its room on top of the effort's thinking budget.
    const maxTokens = requestedMaxTokens ?? defaultMaxTokens + thinkingBudgetByEffort[routerEffort];
    return { thinking: { type: 'adaptive' }, effort, maxTokens };
  }

  let budget = wanted.kind === 'budget' ? wanted.budget : thinkingBudgetByEffort[wanted.effort];
  if (budget < minimumThinkingBudget) {
    warnings.push(
      `reasoning.max_tokens ${budget} is below Anthropic's minimum; sent ${minimumThinkingBudget}`,
    );
    budget = minimumThinkingBudget;
  }
  // budget_tokens must be below max_tokens and thinking counts against max_tokens: the cap grows by the
  // budget when needed, so the answer keeps the room the caller asked for.
  if (requestedMaxTokens === undefined) {
    return {
      thinking: { type: 'enabled', budget_tokens: budget },
      effort: undefined,
      maxTokens: budget + answerRoom,
    };
  }
  let maxTokens = requestedMaxTokens;
  if (budget >= requestedMaxTokens) {
    maxTokens = budget + requestedMaxTokens;
    warnings.push(
      `max_tokens ${requestedMaxTokens} must exceed the thinking budget ${budget}; sent max_tokens ${maxTokens}`,
    );
  }
  return { thinking: { type: 'enabled', budget_tokens: budget }, effort: undefined, maxTokens };
}

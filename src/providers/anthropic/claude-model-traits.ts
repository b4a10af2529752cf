/**
 * What the Messages API accepts depends on the Claude generation behind it, so the request converter asks
 * here instead of sending a field that makes one model answer 400:
 * - thinking: Claude 4.5 and older take only `thinking: {type: "enabled", budget_tokens}`; Claude 4.6
 *   adds `{type: "adaptive"}` with `output_config.effort` (the budget form is deprecated there); Claude
 *   Opus 4.7 and later reject the budget form and take only adaptive thinking.
 * - sampling: Claude 4.1 to 4.6 reject `temperature` and `top_p` together; Opus 4.7 and later reject
 *   `temperature`, `top_p` and `top_k` altogether.
 * - effort: `output_config.effort` is sent from 4.6 on; its `xhigh` level exists from Opus 4.7 on.
 * The version is read from the model name (`claude-opus-4-7`, `claude-sonnet-4-5-20250929`,
 * `claude-3-7-sonnet-latest`, `claude-opus-4.7`). A name without a Claude version (another vendor's model
 * behind an Anthropic-compatible endpoint) gets the oldest, most widely accepted forms.
 */

export type ThinkingForm = 'budget' | 'budget-or-adaptive' | 'adaptive';
export type SamplingSupport = 'all' | 'temperature-or-top-p' | 'none';

export interface ClaudeModelTraits {
  /** The Claude version read from the name, when there is one. */
  version: { major: number; minor: number } | undefined;
  thinking: ThinkingForm;
  sampling: SamplingSupport;
  /** Whether `output_config.effort` exists on this model. */
  effort: boolean;
  /** Whether the effort level `xhigh` exists. */
  xhighEffort: boolean;
}

// The family word comes before the version in Claude 4 names and after it in Claude 3 names. An eight-digit
// snapshot date (`-20250514`) is not a minor version, hence the digit look-ahead.
const versionPattern = /claude-(?:[a-z]+-)?(\d{1,2})(?:[-.](\d{1,2})(?!\d))?/;

function readVersion(model: string): { major: number; minor: number } | undefined {
  const match = versionPattern.exec(model.toLowerCase());
  if (match === null) return undefined;
  return { major: Number(match[1]), minor: match[2] === undefined ? 0 : Number(match[2]) };
}

function atLeast(version: { major: number; minor: number }, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

/** The request features `model` accepts, read from its name. */
export function claudeModelTraits(model: string): ClaudeModelTraits {
  const version = readVersion(model);
  if (version === undefined) {
    return {
      version,
      thinking: 'budget',
      sampling: 'all',
      effort: false,
      xhighEffort: false,
    };
  }
  const from47 = atLeast(version, 4, 7);
  const from46 = atLeast(version, 4, 6);
  let sampling: SamplingSupport = 'all';
  if (from47) sampling = 'none';
  else if (atLeast(version, 4, 1)) sampling = 'temperature-or-top-p';
  let thinking: ThinkingForm = 'budget';
  if (from47) thinking = 'adaptive';
  else if (from46) thinking = 'budget-or-adaptive';
  return {
    version,
    thinking,
    sampling,
    // Opus 4.5 had effort as well, but Sonnet and Haiku 4.5 reject it; budget-form models never get it.
    effort: from46,
    xhighEffort: from47,
  };
}

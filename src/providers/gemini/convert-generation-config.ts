/** Sampling, output-format and reasoning settings converted to Gemini's `generationConfig`. */
import type { ChatRequest, ReasoningSetting } from '../../core/chat-request.js';
import { requestedMaxTokens, stopSequences } from '../../core/chat-request.js';
import type { GeminiGenerationConfig, GeminiThinkingConfig } from './gemini-request-types.js';

type Effort = NonNullable<ReasoningSetting['effort']>;

/**
 * Thinking budgets per effort. low, medium and high are the budgets Google documents for its own
 * OpenAI-compatible `reasoning_effort` (1,024 / 8,192 / 24,576); minimal takes the low budget, the smallest
 * that every thinking Gemini model accepts. 24,576 is the largest budget every 2.5 model accepts.
 */
const thinkingBudgetByEffort: Readonly<Record<Exclude<Effort, 'none'>, number>> = {
  minimal: 1_024,
  low: 1_024,
  medium: 8_192,
  high: 24_576,
  xhigh: 24_576,
};

/** OpenAI parameters Gemini has no equivalent for: reported, never silently dropped. */
const unsupportedParameters = [
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'min_p',
  'top_a',
  'repetition_penalty',
];

/** Builds `generationConfig` from the request; undefined when the request sets nothing it covers. */
export function convertGenerationConfig(
  request: ChatRequest,
  warnings: string[],
): GeminiGenerationConfig | undefined {
  const config: GeminiGenerationConfig = {};
  const maxTokens = requestedMaxTokens(request);
  if (maxTokens !== undefined) config.maxOutputTokens = maxTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.top_p !== undefined) config.topP = request.top_p;
  if (request.top_k !== undefined) config.topK = request.top_k;
  const stops = stopSequences(request);
  if (stops.length > 0) config.stopSequences = stops;
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.presence_penalty !== undefined) config.presencePenalty = request.presence_penalty;
  if (request.frequency_penalty !== undefined) config.frequencyPenalty = request.frequency_penalty;

  const format = request.response_format;
  if (format !== undefined) {
    switch (format.type) {
      case 'text':
        break;
      case 'json_object':
        config.responseMimeType = 'application/json';
        break;
      case 'json_schema': {
        config.responseMimeType = 'application/json';
        // `responseJsonSchema` takes JSON Schema as clients write it (additionalProperties, $ref...);
        // the older `responseSchema` only takes Gemini's OpenAPI subset.
        const schema = format.json_schema?.schema;
        if (schema !== undefined) config.responseJsonSchema = schema;
        break;
      }
      default: {
        const unknownFormat: never = format;
        const type = (unknownFormat as { type: unknown }).type;
        warnings.push(`response_format type ${JSON.stringify(type)} is not supported by Gemini; ignored`);
      }
    }
  }

  const thinkingConfig = convertReasoning(request, warnings);
  if (thinkingConfig !== undefined) config.thinkingConfig = thinkingConfig;

  for (const parameter of unsupportedParameters) {
    if (request[parameter] != null && request[parameter] !== false) {
      warnings.push(`${parameter} is not supported by Gemini; ignored`);
    }
  }
  if (typeof request.n === 'number' && request.n > 1) {
    warnings.push(`n: ${request.n} is not supported; Gemini returns one choice`);
  }
  return Object.keys(config).length === 0 ? undefined : config;
}

/**
 * OpenRouter's `reasoning` (or OpenAI's top-level `reasoning_effort`) as a thinking budget: an explicit
 * `max_tokens` wins over `effort`; `enabled` alone means medium effort, as on OpenRouter; `none` or
 * `enabled: false` turns thinking off. Thoughts are returned unless `exclude` is set.
 */
function convertReasoning(request: ChatRequest, warnings: string[]): GeminiThinkingConfig | undefined {
  const reasoning = request.reasoning ?? reasoningFromEffort(request.reasoning_effort);
  if (reasoning === undefined) return undefined;
  if (reasoning.enabled === false || (reasoning.max_tokens === undefined && reasoning.effort === 'none')) {
    return { thinkingBudget: 0 };
  }

  let thinkingBudget: number;
  if (reasoning.max_tokens !== undefined) {
    thinkingBudget = reasoning.max_tokens;
  } else if (reasoning.effort !== undefined && reasoning.effort !== 'none') {
    thinkingBudget = thinkingBudgetByEffort[reasoning.effort];
    if (reasoning.effort === 'xhigh') {
      warnings.push(
        `reasoning.effort "xhigh" has no larger Gemini budget than "high"; sent as ${thinkingBudget} tokens`,
      );
    }
  } else if (reasoning.enabled === true) {
    thinkingBudget = thinkingBudgetByEffort.medium;
  } else {
    // Nothing asks for thinking, and Gemini returns no thoughts unless asked, so `exclude` alone changes
    // nothing either.
    return undefined;
  }
  return reasoning.exclude === true ? { thinkingBudget } : { thinkingBudget, includeThoughts: true };
}

function reasoningFromEffort(effort: unknown): ReasoningSetting | undefined {
  if (typeof effort !== 'string' || !(effort === 'none' || Object.hasOwn(thinkingBudgetByEffort, effort))) {
    return undefined;
  }
  return { effort: effort as Effort };
}

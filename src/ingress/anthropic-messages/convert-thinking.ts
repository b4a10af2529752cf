/**
 * Anthropic's `thinking` and `output_config` converted to the chat body's `reasoning` and
 * `response_format`:
 * - `thinking: {type: "enabled", budget_tokens}` -> `reasoning.max_tokens` (the same budget; Anthropic's
 *   `max_tokens` already includes it, as OpenRouter's does);
 * - `adaptive` -> `reasoning.enabled: true` (the model decides how much, as Anthropic's adaptive does);
 * - `disabled` -> `reasoning.enabled: false`, so a model that thinks by default is told not to;
 * - `display: "omitted"` -> `reasoning.exclude: true` (think, but do not return the text);
 * - `output_config.effort` -> `reasoning.effort` (`max`, above the router's scale, becomes `xhigh`);
 * - `output_config.format` (and the older beta `output_format`) -> a strict `json_schema` response format.
 */
import type { ReasoningSetting, ResponseFormat } from '../../core/chat-request.js';
import type { WarningList } from './create-warning-list.js';
import {
  describeValue,
  invalidRequest,
  readOptionalString,
  readPositiveInteger,
  readRecord,
  readString,
} from './read-json-value.js';

/** The chat body fields that carry Anthropic's thinking and output settings. */
export interface ConvertedThinking {
  reasoning?: ReasoningSetting;
  response_format?: ResponseFormat;
}

type RouterEffort = NonNullable<ReasoningSetting['effort']>;

function thinkingSetting(value: unknown, warnings: WarningList): ReasoningSetting | undefined {
  if (value == null) return undefined;
  const thinking = readRecord(value, 'thinking');
  const setting: ReasoningSetting = {};
  switch (thinking.type) {
    case 'enabled':
      setting.max_tokens = readPositiveInteger(thinking.budget_tokens, 'thinking.budget_tokens');
      break;
    case 'adaptive':
      setting.enabled = true;
      break;
    case 'between_tools':
      warnings.add(
        'thinking.type',
        'between_tools has no equivalent on other providers; sent as reasoning on',
      );
      setting.enabled = true;
      break;
    case 'disabled':
      return { enabled: false };
    default:
      throw invalidRequest(
        'thinking.type',
        `expected "enabled", "adaptive", "between_tools" or "disabled", got ${describeValue(thinking.type)}`,
      );
  }
  const display = readOptionalString(thinking.display, 'thinking.display');
  if (display === 'omitted') setting.exclude = true;
  return setting;
}

function routerEffort(value: unknown, warnings: WarningList): RouterEffort | undefined {
  if (value == null) return undefined;
  const effort = readString(value, 'output_config.effort');
  switch (effort) {
    case 'low':
    case 'medium':
    case 'high':
    case 'xhigh':
      return effort;
    case 'max':
      warnings.add('output_config.effort', 'max is above the router scale; sent as xhigh');
      return 'xhigh';
    default:
      throw invalidRequest(
        'output_config.effort',
        `expected "low", "medium", "high", "xhigh" or "max", got ${describeValue(effort)}`,
      );
  }
}

function responseFormat(value: unknown, path: string): ResponseFormat | undefined {
  if (value == null) return undefined;
  const format = readRecord(value, path);
  if (format.type !== 'json_schema') {
    throw invalidRequest(`${path}.type`, `expected "json_schema", got ${describeValue(format.type)}`);
  }
  const schema = readRecord(format.schema, `${path}.schema`);
  // Anthropic's structured outputs always hold to the schema, hence strict.
  return { type: 'json_schema', json_schema: { name: 'response', schema, strict: true } };
}

/** Converts `thinking`, `output_config` and `output_format`. Throws a 400 RouterError when malformed. */
export function convertThinking(
  thinking: unknown,
  outputConfig: unknown,
  outputFormat: unknown,
  warnings: WarningList,
): ConvertedThinking {
  const config = outputConfig == null ? {} : readRecord(outputConfig, 'output_config');
  const converted: ConvertedThinking = {};
  let reasoning = thinkingSetting(thinking, warnings);
  const effort = routerEffort(config.effort, warnings);
  if (effort !== undefined) reasoning = { ...reasoning, effort };
  if (reasoning !== undefined) converted.reasoning = reasoning;
  const format =
    responseFormat(config.format, 'output_config.format') ?? responseFormat(outputFormat, 'output_format');
  if (format !== undefined) converted.response_format = format;
  return converted;
}

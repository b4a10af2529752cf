/** Gemini `generationConfig` converted to the chat request's sampling, output and reasoning fields. */
import type { ReasoningSetting, ResponseFormat } from '../../core/chat-request.js';
import { convertGeminiSchema } from './convert-gemini-schema.js';
import {
  describeValue,
  invalidField,
  requireBoolean,
  requireInteger,
  requireNumber,
  requireRecord,
  requireString,
  requireStringArray,
} from './json-checks.js';

/** The chat fields a generationConfig sets. */
export interface ConvertedGenerationConfig {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  max_tokens?: number;
  stop?: string[];
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  response_format?: ResponseFormat;
  reasoning?: ReasoningSetting;
}

/** Gemini's thinking levels and the router's efforts. */
const effortByThinkingLevel: Readonly<Record<string, NonNullable<ReasoningSetting['effort']>>> = {
  MINIMAL: 'minimal',
  LOW: 'low',
  MEDIUM: 'medium',
  HIGH: 'high',
};

/** Fields read below; any other field is reported as ignored. */
const handledKeys = new Set([
  'temperature',
  'topP',
  'topK',
  'maxOutputTokens',
  'stopSequences',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'candidateCount',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'responseModalities',
  'thinkingConfig',
]);

/**
 * Converts `generationConfig`. A candidateCount above 1 is refused (the router answers with one
 * candidate, and a client that asked for several would index ones that never come); output settings with
 * no canonical form (logprobs, speech, media resolution...) are ignored with a warning.
 */
export function convertGenerationConfig(value: unknown, warnings: string[]): ConvertedGenerationConfig {
  const converted: ConvertedGenerationConfig = {};
  if (value == null) return converted;
  const path = 'generationConfig';
  const config = requireRecord(value, path);
  const at = (key: string) => `${path}.${key}`;
  if (config.temperature != null)
    converted.temperature = requireNumber(config.temperature, at('temperature'));
  if (config.topP != null) converted.top_p = requireNumber(config.topP, at('topP'));
  if (config.topK != null) converted.top_k = requireNumber(config.topK, at('topK'));
  if (config.maxOutputTokens != null) {
    const maxTokens = requireInteger(config.maxOutputTokens, at('maxOutputTokens'));
    if (maxTokens < 1) throw invalidField(at('maxOutputTokens'), `must be at least 1, got ${maxTokens}`);
    converted.max_tokens = maxTokens;
  }
  if (config.stopSequences != null) {
    const stop = requireStringArray(config.stopSequences, at('stopSequences'));
    if (stop.length > 0) converted.stop = stop;
  }
  if (config.seed != null) converted.seed = requireInteger(config.seed, at('seed'));
  if (config.presencePenalty != null) {
    converted.presence_penalty = requireNumber(config.presencePenalty, at('presencePenalty'));
  }
  if (config.frequencyPenalty != null) {
    converted.frequency_penalty = requireNumber(config.frequencyPenalty, at('frequencyPenalty'));
  }
  if (config.candidateCount != null) {
    const count = requireInteger(config.candidateCount, at('candidateCount'));
    if (count !== 1) {
      throw invalidField(at('candidateCount'), `only 1 candidate is supported, got ${count}`);
    }
  }
  const responseFormat = convertResponseFormat(config, warnings);
  if (responseFormat !== undefined) converted.response_format = responseFormat;
  if (config.responseModalities != null) {
    const modalities = requireStringArray(config.responseModalities, at('responseModalities'));
    const others = modalities.filter((modality) => modality !== 'TEXT');
    if (others.length > 0) {
      warnings.push(
        `${at('responseModalities')}: only TEXT answers are supported; ${others.join(', ')} ignored`,
      );
    }
  }
  const reasoning = convertThinkingConfig(config.thinkingConfig);
  if (reasoning !== undefined) converted.reasoning = reasoning;
  for (const key of Object.keys(config)) {
    if (!handledKeys.has(key) && config[key] != null)
      warnings.push(`${at(key)}: has no canonical form; ignored`);
  }
  return converted;
}

/**
 * `responseMimeType: application/json` with a schema (Gemini's `responseSchema`, or `responseJsonSchema`
 * as it is) becomes a json_schema format, without one json_object. A schema without the JSON type, or
 * another type (`text/x.enum`), is ignored with a warning.
 */
function convertResponseFormat(
  config: Record<string, unknown>,
  warnings: string[],
): ResponseFormat | undefined {
  const path = 'generationConfig';
  const mimeType =
    config.responseMimeType == null
      ? undefined
      : requireString(config.responseMimeType, `${path}.responseMimeType`);
  if (config.responseSchema != null && config.responseJsonSchema != null) {
    throw invalidField(path, 'responseSchema and responseJsonSchema are mutually exclusive; send one');
  }
  let schema: Record<string, unknown> | undefined;
  if (config.responseSchema != null) {
    schema = convertGeminiSchema(config.responseSchema, `${path}.responseSchema`);
  } else if (config.responseJsonSchema != null) {
    schema = requireRecord(config.responseJsonSchema, `${path}.responseJsonSchema`);
  }
  if (mimeType === undefined || mimeType === 'text/plain') {
    if (schema !== undefined) {
      warnings.push(`${path}: a response schema needs responseMimeType "application/json"; ignored`);
    }
    return undefined;
  }
  if (mimeType !== 'application/json') {
    warnings.push(`${path}.responseMimeType: ${JSON.stringify(mimeType)} is not supported; ignored`);
    return undefined;
  }
  if (schema === undefined) return { type: 'json_object' };
  return { type: 'json_schema', json_schema: { name: 'response', schema } };
}

/**
 * `thinkingConfig` as the router's reasoning setting: a budget of 0 turns thinking off, -1 leaves the
 * amount to the model (enabled), a positive budget is `max_tokens`, and a level is an effort. Gemini
 * returns thoughts only with `includeThoughts`, so without it they are excluded. `includeThoughts` alone
 * sets nothing: the model's default thinking stays, and any thoughts it returns are passed on.
 */
function convertThinkingConfig(value: unknown): ReasoningSetting | undefined {
  if (value == null) return undefined;
  const path = 'generationConfig.thinkingConfig';
  const config = requireRecord(value, path);
  const includeThoughts =
    config.includeThoughts == null
      ? false
      : requireBoolean(config.includeThoughts, `${path}.includeThoughts`);
  const budget =
    config.thinkingBudget == null
      ? undefined
      : requireInteger(config.thinkingBudget, `${path}.thinkingBudget`);
  const level =
    config.thinkingLevel == null ? undefined : requireString(config.thinkingLevel, `${path}.thinkingLevel`);
  if (budget !== undefined && level !== undefined && level !== 'THINKING_LEVEL_UNSPECIFIED') {
    throw invalidField(path, 'thinkingBudget and thinkingLevel cannot be used together; send one');
  }
  const exclude = includeThoughts ? {} : { exclude: true };
  if (budget !== undefined) {
    if (budget === 0) return { enabled: false };
    if (budget === -1) return { enabled: true, ...exclude };
    if (budget < 0)
      throw invalidField(`${path}.thinkingBudget`, `expected -1, 0 or a positive budget, got ${budget}`);
    return { max_tokens: budget, ...exclude };
  }
  if (level !== undefined && level !== 'THINKING_LEVEL_UNSPECIFIED') {
    const effort = effortByThinkingLevel[level.toUpperCase()];
    if (effort === undefined) {
      throw invalidField(
        `${path}.thinkingLevel`,
        `expected one of ${Object.keys(effortByThinkingLevel).join(', ')}, got ${describeValue(level)}`,
      );
    }
    return { effort, ...exclude };
  }
  return undefined;
}

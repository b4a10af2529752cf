/**
 * The protocol-independent part of an answer: the reasoning, text and tool call split into content
 * chunks, the finish reason and the token counts. Each protocol's wire module renders the same plan.
 */
import { isRecord } from '../core/is-record.js';
import type { ModelScript } from './model-script.js';
import { pickCannedAnswer } from './pick-canned-answer.js';

/** What the wire modules read from a request, whatever its protocol. */
export interface PromptSummary {
  model: string;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage: boolean;
  maxTokens: number | undefined;
  /** Characters of text in the system prompt and messages, for the prompt-token estimate. */
  promptCharacters: number;
  /** Text of the last user message, which picks the canned answer. */
  lastUserText: string;
  /** The conversation ends with a user turn (not a tool result), so a tool call is a natural answer. */
  endsWithUser: boolean;
  tools: readonly ToolSummary[];
  /** False when the request forbids tool calls (`tool_choice: none` and the like). */
  toolsAllowed: boolean;
  /** The text of a final assistant turn (a prefill the answer should continue); undefined when none. */
  prefill?: string | undefined;
}

export interface ToolSummary {
  name: string;
  /** The tool's JSON schema, when it has one. */
  parameters: unknown;
}

export type PlanFinish = 'stop' | 'length' | 'tool_calls';

export interface PlannedToolCall {
  name: string;
  argumentsText: string;
  argumentPieces: readonly string[];
  /** The arguments as an object, for protocols that carry them unserialized (Anthropic, Gemini). */
  argumentsValue: Record<string, unknown>;
}

export interface PlannedUsage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

export interface ReplyPlan {
  reasoningText: string;
  reasoningPieces: readonly string[];
  text: string;
  textPieces: readonly string[];
  toolCall: PlannedToolCall | undefined;
  finish: PlanFinish;
  usage: PlannedUsage;
}

const charactersPerToken = 4;
const argumentPieceCharacters = 16;
const schemaSampleDepth = 4;

/** Tokens in `text` at about four characters a token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / charactersPerToken);
}

/** Builds the answer `script` gives to the request summarized by `prompt`. */
export function createReplyPlan(script: ModelScript, prompt: PromptSummary): ReplyPlan {
  const toolCall = planToolCall(script, prompt);
  let reasoningText = script.reasoning ?? '';
  let text = script.answer ?? (toolCall === undefined ? pickCannedAnswer(prompt.lastUserText) : '');
  // A model continuing a prefill answers with what follows it, as if it had written the prefill itself.
  const prefill = prompt.prefill;
  if (prefill !== undefined && script.prefill !== 'restart' && text.startsWith(prefill)) {
    text = text.slice(prefill.length);
  }
  let finish: PlanFinish = toolCall === undefined ? 'stop' : 'tool_calls';

  // The output cap covers reasoning first, then text, as the providers count it; a tool call is never cut.
  if (prompt.maxTokens !== undefined && toolCall === undefined) {
    let budget = prompt.maxTokens;
    if (estimateTokens(reasoningText) > budget) {
      reasoningText = reasoningText.slice(0, budget * charactersPerToken);
      text = '';
      finish = 'length';
    } else {
      budget -= estimateTokens(reasoningText);
      if (estimateTokens(text) > budget) {
        text = text.slice(0, budget * charactersPerToken);
        finish = 'length';
      }
    }
  }

  const overrides = script.usage ?? {};
  const reasoningTokens = overrides.reasoningTokens ?? estimateTokens(reasoningText);
  const outputTokens =
    estimateTokens(text) +
    (toolCall === undefined ? 0 : estimateTokens(toolCall.name + toolCall.argumentsText));
  return {
    reasoningText,
    reasoningPieces: splitIntoChunks(reasoningText, script.chunkCount),
    text,
    textPieces: splitIntoChunks(text, script.chunkCount),
    toolCall,
    finish,
    usage: {
      promptTokens: overrides.promptTokens ?? Math.ceil(prompt.promptCharacters / charactersPerToken),
      completionTokens: overrides.completionTokens ?? outputTokens + reasoningTokens,
      cachedTokens: overrides.cachedTokens ?? 0,
      cacheWriteTokens: overrides.cacheWriteTokens ?? 0,
      reasoningTokens,
    },
  };
}

function planToolCall(script: ModelScript, prompt: PromptSummary): PlannedToolCall | undefined {
  const scripted = script.toolCall;
  if (scripted === false) return undefined;
  if (scripted !== undefined) {
    const argumentsText =
      typeof scripted.arguments === 'string' ? scripted.arguments : JSON.stringify(scripted.arguments ?? {});
    const argumentsValue =
      typeof scripted.arguments === 'object' ? scripted.arguments : parseArgumentsObject(argumentsText);
    return toolCallOf(scripted.name, argumentsText, argumentsValue, script.chunkCount);
  }
  const tool = prompt.tools[0];
  if (tool === undefined || !prompt.endsWithUser || !prompt.toolsAllowed) return undefined;
  const sample = sampleFromSchema(tool.parameters, schemaSampleDepth);
  const argumentsValue = isRecord(sample) ? sample : {};
  return toolCallOf(tool.name, JSON.stringify(argumentsValue), argumentsValue, script.chunkCount);
}

function toolCallOf(
  name: string,
  argumentsText: string,
  argumentsValue: Record<string, unknown>,
  chunkCount: number | undefined,
): PlannedToolCall {
  const argumentPieces =
    chunkCount === undefined
      ? splitBySize(argumentsText, argumentPieceCharacters)
      : splitEvenly(argumentsText, chunkCount);
  return { name, argumentsText, argumentPieces, argumentsValue };
}

function parseArgumentsObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : {};
  } catch {
    // Scripts may give deliberately broken arguments; protocols that carry objects get an empty one.
    return {};
  }
}

/**
 * A small value valid for a simple JSON schema: required properties only, the first enum value, and
 * neutral values per type. Anything it cannot read becomes an empty object.
 */
export function sampleFromSchema(schema: unknown, depth: number): unknown {
  if (!isRecord(schema) || depth <= 0) return {};
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ('const' in schema) return schema.const;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return 'example';
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return [];
    default: {
      const properties = isRecord(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required : [];
      const value: Record<string, unknown> = {};
      for (const name of required) {
        if (typeof name === 'string') value[name] = sampleFromSchema(properties[name], depth - 1);
      }
      return value;
    }
  }
}

// Answers repeat (canned or scripted), so their split is kept; bounded in entries and in text size.
const chunkCache = new Map<string, readonly string[]>();
const chunkCacheEntries = 256;
const chunkCacheTextLimit = 16_384;

/** Splits `text` into `chunkCount` pieces, or one piece a word (with its following whitespace). */
export function splitIntoChunks(text: string, chunkCount: number | undefined): readonly string[] {
  if (text.length === 0) return [];
  const cacheable = text.length <= chunkCacheTextLimit;
  const key = `${chunkCount ?? 0}:${text}`;
  if (cacheable) {
    const cached = chunkCache.get(key);
    if (cached !== undefined) return cached;
  }
  const pieces = chunkCount === undefined ? splitByWords(text) : splitEvenly(text, chunkCount);
  if (cacheable) {
    if (chunkCache.size >= chunkCacheEntries) chunkCache.clear();
    chunkCache.set(key, pieces);
  }
  return pieces;
}

function splitByWords(text: string): string[] {
  // A text of only whitespace has no word; it is still one piece so nothing is lost.
  return text.match(/\s*\S+\s*/g) ?? [text];
}

function splitEvenly(text: string, chunkCount: number): string[] {
  const count = Math.max(1, Math.min(chunkCount, text.length));
  const pieces: string[] = [];
  let start = 0;
  for (let index = 1; index <= count; index++) {
    let end = Math.round((text.length * index) / count);
    end = avoidSurrogateSplit(text, end);
    if (end > start) pieces.push(text.slice(start, end));
    start = Math.max(start, end);
  }
  return pieces;
}

function splitBySize(text: string, size: number): string[] {
  if (text.length === 0) return [];
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    const end = avoidSurrogateSplit(text, Math.min(text.length, start + size));
    pieces.push(text.slice(start, end === start ? start + 2 : end));
    start = end === start ? start + 2 : end;
  }
  return pieces;
}

// Never cut between the two halves of a surrogate pair: each chunk must be valid text on its own.
function avoidSurrogateSplit(text: string, end: number): number {
  if (end <= 0 || end >= text.length) return end;
  const code = text.charCodeAt(end - 1);
  return code >= 0xd800 && code <= 0xdbff ? end + 1 : end;
}

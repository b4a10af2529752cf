/**
 * What a scripted model does: how it answers, how fast, and which fault each attempt meets. Scripts are
 * plain JSON so the control API (`POST /__mock/script`) can set them from another process.
 */
import { z } from 'zod';

/** The wire protocols the fake upstream speaks. */
export type MockProtocol = 'openai' | 'anthropic' | 'gemini';

/** A value, or a range from which one value is picked deterministically from the model id. */
export type ValueOrRange = number | { min: number; max: number };

/** An HTTP error in the protocol's own envelope; `body` replaces the envelope with raw text. */
export interface StatusFault {
  type: 'status';
  status: number;
  retryAfter?: string | undefined;
  body?: string | undefined;
}

/** HTTP 400 with the protocol's real context-window message; `contextWindow` is the limit it names. */
export interface ContextLengthFault {
  type: 'context_length_exceeded';
  contextWindow?: number | undefined;
}

/** The protocol's content-policy refusal (Gemini answers 200 with `promptFeedback.blockReason`). */
export interface ContentPolicyFault {
  type: 'content_policy';
}

/** The socket is destroyed before any response byte. */
export interface ResetFault {
  type: 'reset';
}

/** The request is accepted and never answered; the socket goes only when the client or close() ends it. */
export interface NoResponseFault {
  type: 'no_response';
}

/** Headers are sent at once; the body (first chunk of a stream) follows `delayMs` later. */
export interface SlowFirstTokenFault {
  type: 'slow_first_token';
  delayMs: number;
}

/** The socket is destroyed after `afterChunks` content chunks (non-streamed: in the middle of the body). */
export interface CutFault {
  type: 'cut';
  afterChunks: number;
}

/** Nothing more is sent after `afterChunks` content chunks, and the socket stays open. */
export interface StallFault {
  type: 'stall';
  afterChunks: number;
}

/** One invalid JSON data line after `atChunk` content chunks, then the stream continues normally. */
export interface MalformedChunkFault {
  type: 'malformed_chunk';
  atChunk: number;
}

/** The stream ends without its terminator (OpenAI `[DONE]`, Anthropic `message_stop`). */
export interface NoDoneFault {
  type: 'no_done';
}

/** The protocol's in-stream error after `afterChunks` content chunks, then the stream ends. */
export interface MidstreamErrorFault {
  type: 'midstream_error';
  afterChunks: number;
}

/** Half of the JSON body, then the response ends (the connection is closed). */
export interface TruncatedBodyFault {
  type: 'truncated_body';
}

export type Fault =
  | StatusFault
  | ContextLengthFault
  | ContentPolicyFault
  | ResetFault
  | NoResponseFault
  | SlowFirstTokenFault
  | CutFault
  | StallFault
  | MalformedChunkFault
  | NoDoneFault
  | MidstreamErrorFault
  | TruncatedBodyFault;

/** Token counts reported in the response, overriding the estimates. */
export interface UsageOverrides {
  /** Total prompt tokens, including cached and cache-write tokens. */
  promptTokens?: number | undefined;
  /** Total completion tokens, including reasoning tokens. */
  completionTokens?: number | undefined;
  cachedTokens?: number | undefined;
  cacheWriteTokens?: number | undefined;
  reasoningTokens?: number | undefined;
}

export interface ScriptedToolCall {
  name: string;
  /** An object (serialized) or the raw arguments text, which may be deliberately invalid JSON. */
  arguments?: Record<string, unknown> | string | undefined;
}

export interface ModelScript {
  /** The answer text; by default a short coding answer chosen from the prompt. */
  answer?: string | undefined;
  /** Delay before the response headers. */
  latencyMs?: ValueOrRange | undefined;
  /** Stream pacing; 0 sends the whole stream at once. Default 2000. */
  tokensPerSecond?: ValueOrRange | undefined;
  /** Split the answer (and the reasoning) into this many content chunks; by default one chunk a word. */
  chunkCount?: number | undefined;
  usage?: UsageOverrides | undefined;
  /** Reasoning text emitted before the answer. */
  reasoning?: string | undefined;
  /**
   * Answer with this tool call. By default a request that carries tools and ends with a user message
   * calls its first tool; `false` turns that off.
   */
  toolCall?: ScriptedToolCall | false | undefined;
  /** One fault per attempt: attempt 1 meets faults[0]; after the list, normal answers. */
  faults?: Fault[] | undefined;
  /** The last fault repeats forever. */
  repeatFault?: boolean | undefined;
  /**
   * Faults apply only to attempts that arrive within this many milliseconds of the script being set
   * (or of the start or reset, for scripts given at start); later attempts answer normally: an outage
   * that ends.
   */
  faultWindowMs?: number | undefined;
  /**
   * What the model does with a request that ends with an assistant turn (a prefill): `continue` (the
   * default) answers with the rest of its answer after the prefilled text, `restart` ignores the prefill
   * and answers from the start (as OpenAI does), `refuse` answers 400 in the protocol's words (as Claude
   * 4.6 and some Gemini models do).
   */
  prefill?: 'continue' | 'restart' | 'refuse' | undefined;
}

const count = z.number().int().nonnegative();
const valueOrRange = z.union([
  z.number().nonnegative(),
  z
    .object({ min: z.number().nonnegative(), max: z.number().nonnegative() })
    .refine((range) => range.min <= range.max, 'min must not exceed max'),
]);

const faultSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('status'),
    status: z.number().int().min(400).max(599),
    retryAfter: z.string().optional(),
    body: z.string().optional(),
  }),
  z.object({ type: z.literal('context_length_exceeded'), contextWindow: count.optional() }),
  z.object({ type: z.literal('content_policy') }),
  z.object({ type: z.literal('reset') }),
  z.object({ type: z.literal('no_response') }),
  z.object({ type: z.literal('slow_first_token'), delayMs: count }),
  z.object({ type: z.literal('cut'), afterChunks: count }),
  z.object({ type: z.literal('stall'), afterChunks: count }),
  z.object({ type: z.literal('malformed_chunk'), atChunk: count }),
  z.object({ type: z.literal('no_done') }),
  z.object({ type: z.literal('midstream_error'), afterChunks: count }),
  z.object({ type: z.literal('truncated_body') }),
]);

const modelScriptSchema = z.strictObject({
  answer: z.string().optional(),
  latencyMs: valueOrRange.optional(),
  tokensPerSecond: valueOrRange.optional(),
  chunkCount: z.number().int().positive().optional(),
  usage: z
    .strictObject({
      promptTokens: count.optional(),
      completionTokens: count.optional(),
      cachedTokens: count.optional(),
      cacheWriteTokens: count.optional(),
      reasoningTokens: count.optional(),
    })
    .optional(),
  reasoning: z.string().optional(),
  toolCall: z
    .union([
      z.literal(false),
      z.object({
        name: z.string().min(1),
        arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
      }),
    ])
    .optional(),
  faults: z.array(faultSchema).optional(),
  repeatFault: z.boolean().optional(),
  faultWindowMs: count.optional(),
  prefill: z.enum(['continue', 'restart', 'refuse']).optional(),
});

// Keeps the schema and the documented interfaces in step: this fails to compile when they drift.
const checkedSchema: z.ZodType<ModelScript> = modelScriptSchema;

export type ParsedScript = { ok: true; script: ModelScript } | { ok: false; message: string };

/** Validates a script received as JSON (control API); the message names the offending field. */
export function parseModelScript(value: unknown): ParsedScript {
  const result = checkedSchema.safeParse(value);
  if (result.success) return { ok: true, script: result.data };
  return { ok: false, message: z.prettifyError(result.error) };
}

/**
 * The fault attempt `attempt` (1-based) meets under `script`, or undefined for a normal answer.
 * `scriptAgeMs` is how long ago the script was set (for `faultWindowMs`).
 */
export function faultForAttempt(script: ModelScript, attempt: number, scriptAgeMs = 0): Fault | undefined {
  const faults = script.faults;
  if (faults === undefined || faults.length === 0) return undefined;
  if (script.faultWindowMs !== undefined && scriptAgeMs >= script.faultWindowMs) return undefined;
  if (attempt <= faults.length) return faults[attempt - 1];
  return script.repeatFault === true ? faults[faults.length - 1] : undefined;
}

/** FNV-1a: a small, stable hash so choices made "from the model id" or "from the prompt" never vary. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Resolves a value or range for `model`: ranges give each model its own fixed point inside them. */
export function resolveValue(value: ValueOrRange | undefined, model: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value;
  const fraction = (stableHash(model) % 1001) / 1000;
  return Math.round(value.min + (value.max - value.min) * fraction);
}

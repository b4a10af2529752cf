/**
 * The contract each protocol's wire module fulfils: read a request into a `PromptSummary`, render a
 * `ReplyPlan` as a body or as stream frames, and render every error the scripts can ask for, each in the
 * protocol's own shapes. The server and the stream writer only talk to protocols through it.
 */
import type { PromptSummary, ReplyPlan } from './create-reply-plan.js';
import type { MockProtocol } from './model-script.js';

/**
 * OpenAI-shaped routes answer as OpenAI does, except under `/api/v1`, where the fake stands in for
 * OpenRouter and errors use OpenRouter's envelope.
 */
export type WireFlavour = 'native' | 'openrouter';

export interface WireContext {
  model: string;
  /** The response id (`chatcmpl-...`, `msg_...`, Gemini's `responseId`). */
  id: string;
  /** Seconds since the epoch. */
  created: number;
  prompt: PromptSummary;
  promptTokens: number;
  flavour: WireFlavour;
  /** Gemini only: `alt=sse` was asked; otherwise a stream is one JSON array. */
  sse: boolean;
  /** A function for the ids inside the response (tool-call ids). */
  nextId(prefix: string, length: number): string;
}

/** A complete response to send as is. */
export interface WireResponse {
  status: number;
  contentType: string;
  body: string;
  headers?: Readonly<Record<string, string>>;
}

/**
 * One piece of a stream. Only `content` frames count as the "chunks" faults refer to; `frame` is
 * structure (role chunk, block start and stop, ping), `final` the finish and usage, `done` the
 * terminator that the `no_done` fault drops.
 */
export interface StreamFrame {
  kind: 'frame' | 'content' | 'final' | 'done';
  text: string;
  /** Tokens this frame carries, for pacing. */
  tokens: number;
}

export type ReadPromptResult = { ok: true; prompt: PromptSummary } | { ok: false; message: string };

export interface ProtocolWire {
  readonly protocol: MockProtocol;
  /** Header that carries the request id, as the provider names it. */
  readonly requestIdHeader: string;
  /** Prefix and length of response ids. */
  readonly responseId: { prefix: string; length: number };
  /** The 400 message of a model that refuses a request ending with an assistant turn (a prefill). */
  readonly prefillRefusal: string;
  /** Reads a parsed request body; `pathModel` and `pathStream` come from the URL (Gemini). */
  readPrompt(body: unknown, pathModel: string | undefined, pathStream: boolean): ReadPromptResult;
  renderBody(plan: ReplyPlan, context: WireContext): string;
  streamContentType(context: WireContext): string;
  renderStream(plan: ReplyPlan, context: WireContext): StreamFrame[];
  /** The in-stream error as stream text (streams) or as the JSON of a 200 body (non-streamed). */
  renderMidstreamError(context: WireContext, streamed: boolean): string;
  /** One data line that is not valid JSON, framed like the protocol's chunks. */
  renderMalformedChunk(context: WireContext): string;
  renderStatusError(
    status: number,
    context: WireContext | undefined,
    retryAfter: string | undefined,
  ): WireResponse;
  renderContextLengthExceeded(context: WireContext, contextWindow: number | undefined): WireResponse;
  renderContentPolicy(context: WireContext): WireResponse;
  /** HTTP 400 for a request the protocol would reject (bad JSON, missing field). */
  renderInvalidRequest(message: string, flavour: WireFlavour): WireResponse;
}

/** The JSON content type every protocol uses for bodies. */
export const jsonContentType = 'application/json';

/** The SSE content type. */
export const eventStreamContentType = 'text/event-stream; charset=utf-8';

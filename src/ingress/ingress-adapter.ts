/**
 * The contract every ingress protocol implements: the mirror of the upstream `ProtocolAdapter`. An
 * ingress adapter parses a body in its wire protocol into the one pipeline's form (a chat-completions
 * body, the canonical request's wire shape), and renders the pipeline's canonical results, stream events
 * and errors back in its own shapes. The pipeline (auth, routing, failover, budgets, log, metrics) exists
 * once, in the server; adapters do no I/O and know nothing of routing.
 */
import type { ChatResult, FinishReason, StreamEvent, Usage } from '../core/chat-result.js';
import type { RouterError } from '../core/errors.js';
import type { ProtocolName } from '../providers/protocol-adapter.js';

/** The wire protocols the router answers on. */
export type IngressProtocol = 'chat' | 'messages' | 'responses' | 'gemini';

/** What the HTTP edge knows of a request beyond its body. */
export interface IngressContext {
  /** Request headers as node:http gives them (lower-case names). */
  headers: Record<string, string | string[] | undefined>;
  /** The URL's query parameters. */
  query: URLSearchParams;
  /** Gemini only: the model named in the path (`/v1beta/models/{model}:generateContent`), decoded. */
  pathModel?: string;
  /** Gemini only: true for `:streamGenerateContent`. */
  pathStream?: boolean;
}

/** The caller's own body, kept for forwarding natively to an upstream that speaks the same protocol. */
export interface NativeRequest {
  /** The upstream protocol this body can go to unconverted. */
  protocol: ProtocolName;
  /** The caller's body without the router's own fields (`plugins`, `provider`...); `model` is replaced per upstream. */
  body: Record<string, unknown>;
  /** Caller headers the upstream should see as sent (for example `anthropic-beta`, `anthropic-version`). */
  headers: Record<string, string>;
  /**
   * The same-protocol fast path: the converted form carries everything this body does, so the native
   * path only saves work. `body` is then the caller's parsed body itself (router fields included: the
   * upstream adapter removes them), the pipeline adds its text, and drops the native path altogether
   * when the fast path is switched off.
   */
  fastPath?: boolean;
  /** The caller's body text (fast path only; set by the pipeline). */
  text?: string;
}

/** A request converted into the pipeline's form. */
export interface IngressRequest {
  /**
   * A chat-completions body carrying everything the pipeline reads, in the chat-completions names:
   * `model`, `messages`, `tools`, `tool_choice`, `stream`, `max_tokens`, `plugins`, `provider`,
   * `session_id`, `prompt_cache_key`, `reasoning`, `response_format`, ... The shared chat-completions
   * validator checks it next, so an adapter converts shapes and need not repeat those checks.
   */
  body: Record<string, unknown>;
  /** What the conversion to the canonical form could not carry (reported in `x-pareto-warnings`). */
  warnings: string[];
  /** Present when the body may be forwarded natively to an upstream of `native.protocol`. */
  native?: NativeRequest;
}

/** One relayed upstream message beside its parsed data: its text, and what the executor read from it. */
export interface RelayedMessage {
  text: string;
  events: readonly StreamEvent[];
}

/** Names the answer: the router's generation id, the concrete model and the upstream's display name. */
export interface ResponseIdentity {
  id: string;
  /** Unix seconds. */
  created: number;
  model: string;
  provider: string;
}

/** An error rendered in the ingress protocol's own envelope. */
export interface RenderedError {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/**
 * Renders one streamed answer as SSE text. Each method returns the text to write (possibly empty); the
 * server writes it as is. The writer keeps whatever state its protocol needs (open blocks, indexes).
 */
export interface IngressStreamWriter {
  /** Frames that open the stream, written right after the headers (Responses: `response.created`). */
  open(): string;
  /** A canonical content or finish event (text, reasoning, tool-call pieces, finish). */
  event(event: StreamEvent): string;
  /**
   * One SSE message relayed from an upstream of the same protocol (the native path), with its event name
   * and parsed data. Used instead of `event` for that attempt; the writer rewrites what the router owns
   * (the model name, ids) and holds back whatever `finish` must write last. `raw` carries the message's
   * data text and its canonical events, for a writer that splices the text, or renders the events where
   * the message is not in its protocol's usual shape.
   */
  relay(event: string | undefined, data: unknown, raw?: RelayedMessage): string;
  /** A failover to another model before any content: later frames name the new model. */
  setModel(model: string, provider: string): void;
  /**
   * The stream ended well: the closing frames, with the call's usage and cost. `routingMetadata` is the
   * routing decision when the caller asked for it (`X-OpenRouter-Metadata: enabled`); protocols with a
   * place for it render it.
   */
  finish(usage: Usage, cost: number, finishReason: FinishReason, routingMetadata?: object): string;
  /** The stream failed after it began: the protocol's in-band error, and its end. */
  fail(error: RouterError): string;
  /** Written while the upstream has not produced a first token (an SSE comment or a ping event). */
  keepAlive(): string;
  /**
   * An SSE comment line carrying `text` (a report such as a stream rescue), written before the closing
   * frames. Absent where the protocol's clients do not tolerate comments (Gemini).
   */
  comment?(text: string): string;
}

export interface IngressAdapter {
  readonly protocol: IngressProtocol;
  /** Parses a JSON body (already `JSON.parse`d). Throws a 4xx RouterError naming the bad field. */
  parse(body: unknown, context: IngressContext): IngressRequest;
  /**
   * The non-streamed answer body. `native` is the upstream's own parsed body when the call went the
   * native path (same protocol): the adapter then relays it with the router's fields rewritten.
   * `routingMetadata` as for `IngressStreamWriter.finish`. `nativeText` is that body's text (fast path).
   */
  renderResult(
    identity: ResponseIdentity,
    result: ChatResult,
    usage: Usage,
    cost: number,
    native: unknown,
    routingMetadata?: object,
    nativeText?: string,
  ): string;
  createStreamWriter(identity: ResponseIdentity): IngressStreamWriter;
  /** An error before any byte of the answer, in the protocol's envelope and status mapping. */
  renderError(error: RouterError): RenderedError;
  /** The body answering a token-count request (`count_tokens`, `countTokens`), when the protocol has one. */
  renderTokenCount?(inputTokens: number): string;
  /** Parses a token-count body, where it differs from a call body (Messages: no `max_tokens`); else `parse`. */
  parseTokenCount?(body: unknown, context: IngressContext): IngressRequest;
}

/**
 * The contract every provider protocol implements. Shared code talks to protocols only through this
 * interface; it never branches on a provider's name. SSE framing and JSON parsing of stream data happen
 * once, in the executor: adapters receive parsed JSON values and return canonical events.
 */
import type { ChatRequest } from '../core/chat-request.js';
import type { ChatResult, StreamEvent } from '../core/chat-result.js';
import type { RouterError } from '../core/errors.js';

export type ProtocolName = 'openai' | 'anthropic' | 'gemini';

/** Where and how to reach one configured upstream. */
export interface UpstreamEndpoint {
  /** Configured name, for example `anthropic` or `openrouter`. */
  name: string;
  protocol: ProtocolName;
  /** Base URL including the version path, for example `https://api.openai.com/v1`. */
  baseUrl: string;
  apiKey?: string;
  /** Extra headers sent with every call (for example OpenRouter's `HTTP-Referer`). */
  headers?: Record<string, string>;
  /**
   * OpenAI-compatible only: the field that carries the output cap. OpenAI's newer models reject
   * `max_tokens` and want `max_completion_tokens`; most other vendors want `max_tokens`.
   */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
}

/** An HTTP request ready to send. `path` is appended to the endpoint's base URL. */
export interface UpstreamHttpRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Native path: what the protocol could not send as asked (as `buildRequest` reports them). */
  warnings?: string[];
}

/** Converts the payloads of one streamed response; it keeps whatever state the protocol needs. */
export interface StreamConverter {
  /**
   * Converts one SSE message. `data` is the parsed JSON of the message's data field, `event` the SSE
   * event name when the protocol uses one. Malformed data yields an `error` event, never a throw.
   */
  convert(data: unknown, event: string | undefined): StreamEvent[];
  /** Called when the upstream closes the stream; returns any events still owed (for example `finish`). */
  end(): StreamEvent[];
}

/** A caller's own body in this protocol, forwarded with only the model replaced (the native path). */
export interface NativeBody {
  /** The body without the router's own fields; `model` is set per upstream by the adapter. */
  body: Record<string, unknown>;
  /** Caller headers the upstream should see as sent (for example `anthropic-beta`). */
  headers: Record<string, string>;
  /**
   * The caller's body text, when `body` is exactly its parse: the adapter may splice the router's few
   * changes into it instead of serialising `body` again.
   */
  text?: string;
}

export interface ProtocolAdapter {
  readonly protocol: ProtocolName;
  /**
   * Builds the upstream HTTP request for `request`, whose `model` is already the upstream's model name.
   * Settings the protocol cannot express are reported in `warnings`, never silently changed.
   */
  buildRequest(
    request: ChatRequest,
    endpoint: UpstreamEndpoint,
  ): { http: UpstreamHttpRequest; warnings: string[] };
  /**
   * Builds the upstream request from a caller's body in this same protocol, unconverted: only the model
   * (and the endpoint's auth) change, so nothing the canonical form cannot carry is lost. Adapters whose
   * protocol no ingress speaks leave it out.
   */
  buildNativeRequest?(
    native: NativeBody,
    upstreamModel: string,
    stream: boolean,
    endpoint: UpstreamEndpoint,
  ): UpstreamHttpRequest;
  /** Converts a non-streamed response body (already JSON-parsed). Throws a RouterError when malformed. */
  parseResponse(body: unknown): ChatResult;
  /** A fresh converter for one streamed response. */
  createStreamConverter(): StreamConverter;
  /**
   * Maps an upstream HTTP error (status, raw body text, the Retry-After header value) to a RouterError with
   * the right code and `retryable` flag (context_length_exceeded and content_policy are not retryable).
   */
  mapError(status: number, bodyText: string, retryAfter: string | undefined): RouterError;
}

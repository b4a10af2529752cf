/**
 * OpenRouter-shaped bodies: the non-streamed completion, the stream chunks, the usage chunk, and the
 * error envelope. The one place responses are shaped.
 */
import type { ChatResult, FinishReason, StreamEvent, Usage } from '../core/chat-result.js';
import type { RouterError } from '../core/errors.js';

export interface ResponseIdentity {
  id: string;
  created: number;
  model: string;
  provider: string;
}

/** OpenRouter's usage object, with the call's cost in USD. */
export function renderUsage(usage: Usage, cost: number) {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    cost,
    is_byok: false,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens, cache_write_tokens: usage.cacheWriteTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

/** The non-streamed chat completion body; `metadata` becomes `openrouter_metadata` (when asked for). */
export function renderCompletion(
  identity: ResponseIdentity,
  result: ChatResult,
  usage: Usage,
  cost: number,
  metadata?: object,
): string {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: result.content,
    refusal: null,
    reasoning: result.reasoning,
  };
  if (result.toolCalls.length > 0) message.tool_calls = result.toolCalls;
  return JSON.stringify({
    id: identity.id,
    provider: identity.provider,
    model: identity.model,
    object: 'chat.completion',
    created: identity.created,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        logprobs: null,
        finish_reason: result.finishReason,
        native_finish_reason: result.nativeFinishReason,
        message,
      },
    ],
    usage: renderUsage(usage, cost),
    ...(metadata === undefined ? {} : { openrouter_metadata: metadata }),
  });
}

/** What follows the delta of a chunk that carries no finish reason. */
const plainChunkClosing = ',"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}';

/**
 * Turns canonical stream events into OpenRouter chunk JSON strings; keeps the little state chunks need.
 * Every chunk of a stream opens with the same members (`id`, `provider`, `model`, `object`, `created`,
 * then the choice's `index`), so that text is serialised once per stream and each chunk serialises
 * only its delta: the same bytes as serialising the whole chunk, for a fraction of the work per chunk.
 */
export class ChunkRenderer {
  #identity: ResponseIdentity;
  #roleSent = false;
  /** The chunk's text up to its delta; undefined until the first chunk and after the model changes. */
  #opening: string | undefined;

  constructor(identity: ResponseIdentity) {
    this.#identity = identity;
  }

  /** A failover after the stream began: later chunks name the model that now answers. */
  setModel(model: string, provider: string): void {
    this.#identity = { ...this.#identity, model, provider };
    this.#opening = undefined;
  }

  /** An upstream chunk relayed as it came carried the role: rendered chunks need not repeat it. */
  markRoleSent(): void {
    this.#roleSent = true;
  }

  /** The chunk for one content or finish event (null for events that make no chunk). */
  render(event: StreamEvent): string | null {
    switch (event.type) {
      case 'text-delta':
        return this.#chunk({ content: event.text }, null, null);
      case 'reasoning-delta':
        return this.#chunk({ content: '', reasoning: event.text }, null, null);
      case 'tool-call-delta': {
        const call: Record<string, unknown> = { index: event.index, type: 'function' };
        if (event.id !== undefined) call.id = event.id;
        const fn: Record<string, string> = { arguments: event.argumentsDelta };
        if (event.name !== undefined) fn.name = event.name;
        call.function = fn;
        return this.#chunk({ content: null, tool_calls: [call] }, null, null);
      }
      case 'finish':
        return this.#chunk({ content: '' }, event.finishReason, event.nativeFinishReason);
      default:
        return null;
    }
  }

  /**
   * The final chunk carrying usage and cost, with no choices; the routing metadata rides on it when
   * asked for (the hosted router sends it on the last chunk before `[DONE]`).
   */
  renderUsageChunk(usage: Usage, cost: number, metadata?: object): string {
    // Members added to the head, not spread into a new literal: see `executionResult` in execute-chat.ts.
    const chunk: Record<string, unknown> = this.#head();
    chunk.choices = [];
    chunk.usage = renderUsage(usage, cost);
    if (metadata !== undefined) chunk.openrouter_metadata = metadata;
    return JSON.stringify(chunk);
  }

  /** The chunk that ends a stream that failed after content was sent. */
  renderErrorChunk(error: RouterError): string {
    return JSON.stringify({
      ...this.#head(),
      error: { code: error.status, message: error.message, metadata: { error_code: error.code } },
      choices: [
        {
          index: 0,
          delta: { content: '' },
          finish_reason: 'error',
          native_finish_reason: 'error',
          logprobs: null,
        },
      ],
    });
  }

  #head() {
    return {
      id: this.#identity.id,
      provider: this.#identity.provider,
      model: this.#identity.model,
      object: 'chat.completion.chunk',
      created: this.#identity.created,
    };
  }

  #chunk(
    delta: Record<string, unknown>,
    finishReason: FinishReason | null,
    nativeFinishReason: string | null,
  ): string {
    if (!this.#roleSent) {
      this.#roleSent = true;
      delta = { role: 'assistant', ...delta };
    }
    // The head's members, then `"choices":[{"index":0,"delta":`: what JSON.stringify writes before the delta.
    this.#opening ??= `${JSON.stringify(this.#head()).slice(0, -1)},"choices":[{"index":0,"delta":`;
    const closing =
      finishReason === null && nativeFinishReason === null
        ? plainChunkClosing
        : `,"finish_reason":${JSON.stringify(finishReason)},"native_finish_reason":${JSON.stringify(nativeFinishReason)},"logprobs":null}]}`;
    return `${this.#opening}${JSON.stringify(delta)}${closing}`;
  }
}

/** OpenRouter's error envelope. */
export function renderError(error: RouterError): string {
  return JSON.stringify({
    error: {
      code: error.status,
      message: error.message,
      metadata: { error_code: error.code, ...error.metadata },
    },
  });
}

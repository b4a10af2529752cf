/**
 * The request that continues a broken streamed answer on another candidate: the caller's request with
 * the text the client already has as a final assistant turn (a prefill), which the model continues
 * rather than answering anew. The prefill's trailing whitespace is left out (Anthropic refuses a prefill
 * ending in whitespace; the splicer reconciles it with the continuation), and an output cap the caller
 * set is reduced by what was already written, so the whole answer stays within it.
 */
import type { ChatRequest } from '../core/chat-request.js';

/** About four characters a token: the same estimate the router uses for usage it is not told. */
const charactersPerToken = 4;

/** The continuation of `request` after `sentText`; with nothing to prefill, the request as it was. */
export function createContinuationRequest(request: ChatRequest, sentText: string): ChatRequest {
  const prefill = sentText.trimEnd();
  if (prefill === '') return request;
  const continuation: ChatRequest = {
    ...request,
    messages: [...request.messages, { role: 'assistant', content: prefill }],
  };
  const written = Math.ceil(sentText.length / charactersPerToken);
  if (request.max_tokens !== undefined) continuation.max_tokens = Math.max(1, request.max_tokens - written);
  if (request.max_completion_tokens !== undefined) {
    continuation.max_completion_tokens = Math.max(1, request.max_completion_tokens - written);
  }
  return continuation;
}

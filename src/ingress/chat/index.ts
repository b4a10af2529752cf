/**
 * The chat-completions ingress (OpenRouter's and OpenAI's `/chat/completions`): the pipeline's own wire
 * shape, so parsing passes the body through and rendering is the OpenRouter completion, chunks and envelope.
 */
import { RouterError } from '../../core/errors.js';
import { formatSseComment, formatSseMessage } from '../../providers/sse/format-sse.js';
import { ChunkRenderer, renderCompletion, renderError } from '../../server/render-chat-response.js';
import type { IngressAdapter, IngressStreamWriter, ResponseIdentity } from '../ingress-adapter.js';

function createChatStreamWriter(identity: ResponseIdentity): IngressStreamWriter {
  const renderer = new ChunkRenderer(identity);
  return {
    // The first comment tells clients the router took the call; OpenRouter sends the same.
    open: () => formatSseComment('PARETO PROCESSING'),
    event(event) {
      const chunk = renderer.render(event);
      return chunk === null ? '' : formatSseMessage(chunk);
    },
    // No upstream protocol is chat-completions-native on this path: the OpenAI-compatible adapter's
    // conversion is already a near pass-through.
    relay: () => '',
    setModel: (model, provider) => renderer.setModel(model, provider),
    finish: (usage, cost, _finishReason, routingMetadata) =>
      formatSseMessage(renderer.renderUsageChunk(usage, cost, routingMetadata)) + formatSseMessage('[DONE]'),
    fail: (error) => formatSseMessage(renderer.renderErrorChunk(error)) + formatSseMessage('[DONE]'),
    keepAlive: () => formatSseComment('PARETO PROCESSING'),
    comment: (text) => formatSseComment(text),
  };
}

/** The chat-completions ingress adapter. */
export const chatIngress: IngressAdapter = {
  protocol: 'chat',
  parse(body) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new RouterError('invalid_request', 'the request body must be a JSON object');
    }
    return { body: body as Record<string, unknown>, warnings: [] };
  },
  renderResult: (identity, result, usage, cost, _native, routingMetadata) =>
    renderCompletion(identity, result, usage, cost, routingMetadata),
  createStreamWriter: createChatStreamWriter,
  renderError(error) {
    const rendered: ReturnType<IngressAdapter['renderError']> = {
      status: error.status,
      body: renderError(error),
    };
    if (error.retryAfterSeconds !== undefined) {
      rendered.headers = { 'retry-after': String(Math.ceil(error.retryAfterSeconds)) };
    }
    return rendered;
  },
};

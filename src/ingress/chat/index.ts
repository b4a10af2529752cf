/**
 * The chat-completions ingress (OpenRouter's and OpenAI's `/chat/completions`): the pipeline's own wire
 * shape, so parsing passes the body through and rendering is the OpenRouter completion, chunks and envelope.
 * An OpenAI-compatible upstream gets the caller's body natively (the same-protocol fast path), and its
 * answer is relayed with only the router's fields rewritten (relay-chat-answer.ts).
 */
import { RouterError } from '../../core/errors.js';
import { formatSseComment, formatSseMessage } from '../../providers/sse/format-sse.js';
import { ChunkRenderer, renderCompletion, renderError } from '../../server/render-chat-response.js';
import type { IngressAdapter, IngressStreamWriter, ResponseIdentity } from '../ingress-adapter.js';
import { relayChunk, relayCompletion } from './relay-chat-answer.js';

function createChatStreamWriter(identity: ResponseIdentity): IngressStreamWriter {
  const renderer = new ChunkRenderer(identity);
  // The router's fields as JSON text, spliced into every relayed chunk.
  let names = namesOf(identity.model, identity.provider);
  const render = (events: Parameters<ChunkRenderer['render']>[0][]): string => {
    let text = '';
    for (const event of events) {
      const chunk = renderer.render(event);
      if (chunk !== null) text += formatSseMessage(chunk);
    }
    return text;
  };
  function namesOf(model: string, provider: string) {
    return {
      id: JSON.stringify(identity.id),
      model: JSON.stringify(model),
      provider: JSON.stringify(provider),
    };
  }
  return {
    // The first comment tells clients the router took the call; OpenRouter sends the same.
    open: () => formatSseComment('PARETO PROCESSING'),
    event(event) {
      const chunk = renderer.render(event);
      return chunk === null ? '' : formatSseMessage(chunk);
    },
    relay(_event, data, raw) {
      if (raw === undefined) return '';
      const relayed = relayChunk(names, data, raw.text, raw.events);
      if (relayed.kind === 'hold') return '';
      if (relayed.kind === 'render') return render([...raw.events]);
      renderer.markRoleSent();
      return formatSseMessage(relayed.text);
    },
    setModel(model, provider) {
      renderer.setModel(model, provider);
      names = namesOf(model, provider);
    },
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
    const record = body as Record<string, unknown>;
    return {
      body: record,
      warnings: [],
      native: { protocol: 'openai', body: record, headers: {}, fastPath: true },
    };
  },
  renderResult(identity, result, usage, cost, native, routingMetadata, nativeText) {
    const relayed =
      nativeText === undefined
        ? undefined
        : relayCompletion(identity, result, usage, cost, native, nativeText, routingMetadata);
    return relayed ?? renderCompletion(identity, result, usage, cost, routingMetadata);
  },
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

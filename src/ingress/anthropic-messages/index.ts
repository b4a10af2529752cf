/**
 * The Anthropic Messages ingress (`POST /v1/messages`, `/v1/messages/count_tokens`): what Claude Code and
 * the `@anthropic-ai/sdk` speak. Requests become chat-completions bodies for the one pipeline, and keep
 * their own form for Anthropic upstreams; answers, streams and errors go back in Anthropic's shapes.
 */
import type { IngressAdapter } from '../ingress-adapter.js';
import { createMessagesStreamWriter } from './create-messages-stream-writer.js';
import { mapErrorEnvelope } from './map-error-envelope.js';
import { parseMessagesRequest } from './parse-messages-request.js';
import { renderMessage } from './render-message.js';

/** The Anthropic Messages ingress adapter. */
export const messagesIngress: IngressAdapter = {
  protocol: 'messages',
  parse: parseMessagesRequest,
  // count_tokens bodies are Messages requests without `max_tokens`.
  parseTokenCount: (body, context) => parseMessagesRequest(body, context, { countTokens: true }),
  renderResult: renderMessage,
  createStreamWriter: createMessagesStreamWriter,
  renderError: mapErrorEnvelope,
  renderTokenCount: (inputTokens) => JSON.stringify({ input_tokens: inputTokens }),
};

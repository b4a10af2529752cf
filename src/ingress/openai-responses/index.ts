/**
 * The OpenAI Responses ingress (`/v1/responses`): Codex CLI (`wire_api = "responses"`) and the `openai`
 * SDK's `responses.create`, streamed or not, through the one pipeline. The router keeps no state, so
 * callers send the whole conversation each turn (`store: false`), as Codex does.
 */
import type { IngressAdapter } from '../ingress-adapter.js';
import { createResponsesStreamWriter } from './create-responses-stream-writer.js';
import { mapErrorEnvelope } from './map-error-envelope.js';
import { parseResponsesRequest } from './parse-responses-request.js';
import { renderResponse } from './render-response.js';

/** The OpenAI Responses ingress adapter. */
export const responsesIngress: IngressAdapter = {
  protocol: 'responses',
  parse: parseResponsesRequest,
  // `native` is always undefined: no upstream speaks Responses, so every answer was converted.
  renderResult: (identity, result, usage, cost) => renderResponse(identity, result, usage, cost),
  createStreamWriter: createResponsesStreamWriter,
  renderError: mapErrorEnvelope,
};

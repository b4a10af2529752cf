/**
 * The Gemini ingress (`/v1beta/models/{model}:generateContent`, `:streamGenerateContent?alt=sse`,
 * `:countTokens`), for the Gemini CLI and the Google SDKs pointed at the router.
 */
import type { IngressAdapter } from '../ingress-adapter.js';
import { createGeminiStreamWriter } from './create-gemini-stream-writer.js';
import { mapErrorEnvelope } from './map-error-envelope.js';
import { parseGenerateContentRequest } from './parse-generate-content-request.js';
import { renderGenerateContentResponse } from './render-generate-content-response.js';

export { type GeminiMethod, parseGeminiPath } from './parse-gemini-path.js';
export {
  type GeminiModelListEntry,
  renderGeminiModel,
  renderGeminiModelList,
} from './render-gemini-model-list.js';

/** The Gemini ingress adapter. */
export const geminiIngress: IngressAdapter = {
  protocol: 'gemini',
  parse: parseGenerateContentRequest,
  renderResult: renderGenerateContentResponse,
  createStreamWriter: createGeminiStreamWriter,
  renderError(error) {
    const rendered: ReturnType<IngressAdapter['renderError']> = {
      status: error.status,
      body: JSON.stringify(mapErrorEnvelope(error)),
    };
    if (error.retryAfterSeconds !== undefined) {
      rendered.headers = { 'retry-after': String(Math.ceil(error.retryAfterSeconds)) };
    }
    return rendered;
  },
  renderTokenCount: (inputTokens) => JSON.stringify({ totalTokens: inputTokens }),
};

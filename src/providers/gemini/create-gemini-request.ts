/** The upstream HTTP request (path, headers, body) of a Gemini `generateContent` call. */
import type { ChatRequest } from '../../core/chat-request.js';
import type { UpstreamEndpoint, UpstreamHttpRequest } from '../protocol-adapter.js';
import { convertRequest } from './convert-request.js';

/** Base URL of the Gemini API, including its version path. */
export const geminiDefaultBaseUrl = 'https://generativelanguage.googleapis.com/v1beta';

/**
 * Builds the HTTP request for `request` on `endpoint`: `/models/{model}:generateContent`, or
 * `:streamGenerateContent?alt=sse` when streaming, authenticated with the `x-goog-api-key` header.
 */
export function createGeminiRequest(
  request: ChatRequest,
  endpoint: UpstreamEndpoint,
): { http: UpstreamHttpRequest; warnings: string[] } {
  const { body, warnings } = convertRequest(request);
  const streaming = request.stream === true;
  const method = streaming ? 'streamGenerateContent?alt=sse' : 'generateContent';
  const headers: Record<string, string> = {
    ...endpoint.headers,
    'content-type': 'application/json',
    accept: streaming ? 'text/event-stream' : 'application/json',
  };
  if (endpoint.apiKey !== undefined) headers['x-goog-api-key'] = endpoint.apiKey;
  return {
    http: { path: `/${modelResourceName(request.model)}:${method}`, headers, body: JSON.stringify(body) },
    warnings,
  };
}

/**
 * The model's resource name with each segment URL-encoded. A name that already names its collection
 * (`models/...`, `tunedModels/...`) is kept, so configurations may use either form.
 */
function modelResourceName(model: string): string {
  const name = /^(?:models|tunedModels)\//.test(model) ? model : `models/${model}`;
  return name.split('/').map(encodeURIComponent).join('/');
}

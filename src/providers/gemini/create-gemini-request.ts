/** The upstream HTTP request (path, headers, body) of a Gemini `generateContent` call. */
import type { ChatRequest } from '../../core/chat-request.js';
import type { NativeBody, UpstreamEndpoint, UpstreamHttpRequest } from '../protocol-adapter.js';
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
  return { http: geminiHttpRequest(body, request.model, request.stream === true, endpoint), warnings };
}

/** A Gemini caller's own body sent to `upstreamModel` unconverted (the model lives in the path). */
export function createNativeGeminiRequest(
  native: NativeBody,
  upstreamModel: string,
  stream: boolean,
  endpoint: UpstreamEndpoint,
): UpstreamHttpRequest {
  return geminiHttpRequest(native.body, upstreamModel, stream, endpoint);
}

function geminiHttpRequest(
  body: unknown,
  model: string,
  streaming: boolean,
  endpoint: UpstreamEndpoint,
): UpstreamHttpRequest {
  const method = streaming ? 'streamGenerateContent?alt=sse' : 'generateContent';
  const headers: Record<string, string> = {
    ...endpoint.headers,
    'content-type': 'application/json',
    accept: streaming ? 'text/event-stream' : 'application/json',
  };
  if (endpoint.apiKey !== undefined) headers['x-goog-api-key'] = endpoint.apiKey;
  return { path: `/${modelResourceName(model)}:${method}`, headers, body: JSON.stringify(body) };
}

/**
 * The model's resource name with each segment URL-encoded. A name that already names its collection
 * (`models/...`, `tunedModels/...`) is kept, so configurations may use either form.
 */
function modelResourceName(model: string): string {
  const name = /^(?:models|tunedModels)\//.test(model) ? model : `models/${model}`;
  return name.split('/').map(encodeURIComponent).join('/');
}

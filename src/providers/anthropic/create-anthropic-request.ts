/** The upstream HTTP request for the Messages API: path, headers and the converted body. */
import type { ChatRequest } from '../../core/chat-request.js';
import type { NativeBody, UpstreamEndpoint, UpstreamHttpRequest } from '../protocol-adapter.js';
import { convertRequest } from './convert-request.js';

/** The API version every request pins; the body shapes of this adapter follow it. */
export const anthropicVersion = '2023-06-01';

/**
 * Builds `POST {baseUrl}/messages` for `request` (the base URL already ends in `/v1`). Endpoint headers
 * come last, so a configuration can add `anthropic-beta` or override the version.
 */
export function createAnthropicRequest(
  request: ChatRequest,
  endpoint: UpstreamEndpoint,
): { http: UpstreamHttpRequest; warnings: string[] } {
  const { body, warnings } = convertRequest(request);
  const headers: Record<string, string> = {
    'anthropic-version': anthropicVersion,
    'content-type': 'application/json',
  };
  if (endpoint.apiKey !== undefined) headers['x-api-key'] = endpoint.apiKey;
  if (endpoint.headers !== undefined) Object.assign(headers, endpoint.headers);
  return { http: { path: '/messages', headers, body: JSON.stringify(body) }, warnings };
}

/** Caller headers a native call forwards: the API version and beta flags its body was written for. */
const forwardedHeaders = ['anthropic-version', 'anthropic-beta'] as const;

/**
 * A Messages caller's own body sent to `upstreamModel` unconverted: thinking signatures, `cache_control`
 * on system and tools, and beta features all survive. The caller's `anthropic-version` and
 * `anthropic-beta` go along; the endpoint's configured headers still come last.
 */
export function createNativeAnthropicRequest(
  native: NativeBody,
  upstreamModel: string,
  stream: boolean,
  endpoint: UpstreamEndpoint,
): UpstreamHttpRequest {
  const headers: Record<string, string> = {
    'anthropic-version': anthropicVersion,
    'content-type': 'application/json',
  };
  for (const name of forwardedHeaders) {
    const value = native.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  if (endpoint.apiKey !== undefined) headers['x-api-key'] = endpoint.apiKey;
  if (endpoint.headers !== undefined) Object.assign(headers, endpoint.headers);
  const body = { ...native.body, model: upstreamModel, stream };
  return { path: '/messages', headers, body: JSON.stringify(body) };
}

/** The upstream HTTP request for the Messages API: path, headers and the converted body. */
import type { ChatRequest } from '../../core/chat-request.js';
import type { UpstreamEndpoint, UpstreamHttpRequest } from '../protocol-adapter.js';
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

/**
 * The upstream HTTP request of an OpenAI-compatible chat completion. The canonical request already is the
 * OpenAI wire shape, so the body is the request itself minus the router's own fields: this runs on every
 * call, hence one shallow copy and one JSON.stringify, never a deep clone.
 */
import type { ChatRequest } from '../../core/chat-request.js';
import type { UpstreamEndpoint, UpstreamHttpRequest } from '../protocol-adapter.js';

/** The `plugins` entry that configures the router itself; upstreams would reject or ignore it. */
const routerPluginId = 'pareto-router';

/**
 * Builds the `/chat/completions` request for `request` (whose `model` is already the upstream's name) on
 * `endpoint`: router-only fields removed, the output cap under the endpoint's `maxTokensField`, and usage
 * requested on streams because the router prices every call from it. Unknown fields pass through.
 */
export function createOpenaiRequest(
  request: ChatRequest,
  endpoint: UpstreamEndpoint,
): { http: UpstreamHttpRequest; warnings: string[] } {
  const warnings: string[] = [];
  const { models: _models, session_id: _sessionId, plugins, ...forwarded } = request;
  const body: Record<string, unknown> = forwarded;

  if (Array.isArray(plugins)) {
    const kept = plugins.filter((plugin: unknown) => !isRouterPlugin(plugin));
    if (kept.length > 0) body.plugins = kept;
  } else if (plugins !== undefined) {
    body.plugins = plugins;
  }

  const field = endpoint.maxTokensField;
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (field !== undefined && maxTokens !== undefined) {
    if (
      request.max_tokens !== undefined &&
      request.max_completion_tokens !== undefined &&
      request.max_tokens !== request.max_completion_tokens
    ) {
      warnings.push(
        `max_tokens (${request.max_tokens}) and max_completion_tokens (${request.max_completion_tokens}) differ; sent ${field}: ${maxTokens}`,
      );
    }
    // Undefined members are left out by JSON.stringify, which is cheaper than `delete` on a hot object.
    body.max_tokens = undefined;
    body.max_completion_tokens = undefined;
    body[field] = maxTokens;
  }

  if (request.stream === true) {
    body.stream_options = { ...request.stream_options, include_usage: true };
  } else if (request.stream_options !== undefined) {
    // OpenAI rejects stream_options on a call that does not stream, and it means nothing there.
    body.stream_options = undefined;
    warnings.push('stream_options dropped: it applies only when stream is true');
  }

  return {
    http: { path: '/chat/completions', headers: openaiHeaders(endpoint), body: JSON.stringify(body) },
    warnings,
  };
}

/** The headers of every call to `endpoint`: JSON, the endpoint's own headers, its key. */
export function openaiHeaders(endpoint: UpstreamEndpoint): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (endpoint.headers !== undefined) {
    // Lower-cased so a configured `Content-Type` or `Authorization` replaces the default instead of
    // travelling beside it.
    for (const [name, value] of Object.entries(endpoint.headers)) headers[name.toLowerCase()] = value;
  }
  if (endpoint.apiKey !== undefined && endpoint.apiKey !== '') {
    headers.authorization = `Bearer ${endpoint.apiKey}`;
  }
  return headers;
}

/** Whether `plugin` is the `pareto-router` entry, which configures the router and no upstream. */
export function isRouterPlugin(plugin: unknown): boolean {
  return typeof plugin === 'object' && plugin !== null && (plugin as { id?: unknown }).id === routerPluginId;
}

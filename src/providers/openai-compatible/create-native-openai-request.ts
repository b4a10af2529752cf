/**
 * The same-protocol fast path's upstream request: a chat-completions caller's own body text sent to an
 * OpenAI-compatible upstream with only the router's changes spliced in (the model, the router's own
 * fields removed, the output cap under the endpoint's field, usage asked for on streams). The changes
 * and warnings are exactly `createOpenaiRequest`'s; the rest of the body goes out byte for byte.
 */
import type { ChatRequest } from '../../core/chat-request.js';
import { spliceJsonObject } from '../../core/splice-json-object.js';
import type { NativeBody, UpstreamEndpoint, UpstreamHttpRequest } from '../protocol-adapter.js';
import { createOpenaiRequest, isRouterPlugin, openaiHeaders } from './create-openai-request.js';

/** Builds the request from the caller's body; serialises the parsed body where the text cannot be spliced. */
export function createNativeOpenaiRequest(
  native: NativeBody,
  upstreamModel: string,
  stream: boolean,
  endpoint: UpstreamEndpoint,
): UpstreamHttpRequest {
  const body = native.body as Partial<ChatRequest> & Record<string, unknown>;
  const warnings: string[] = [];
  const edits = new Map<string, string | undefined>([
    ['model', JSON.stringify(upstreamModel)],
    ['models', undefined],
    ['session_id', undefined],
    ['provider', undefined],
  ]);
  const plugins = body.plugins;
  if (Array.isArray(plugins)) {
    // As on the general path: the router's entry goes, and an empty list is not sent.
    const kept = plugins.filter((plugin: unknown) => !isRouterPlugin(plugin));
    if (kept.length === 0) edits.set('plugins', undefined);
    else if (kept.length !== plugins.length) edits.set('plugins', JSON.stringify(kept));
  }
  const field = endpoint.maxTokensField;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (field !== undefined && maxTokens !== undefined) {
    if (
      body.max_tokens !== undefined &&
      body.max_completion_tokens !== undefined &&
      body.max_tokens !== body.max_completion_tokens
    ) {
      warnings.push(
        `max_tokens (${body.max_tokens}) and max_completion_tokens (${body.max_completion_tokens}) differ; sent ${field}: ${maxTokens}`,
      );
    }
    edits.set('max_tokens', undefined);
    edits.set('max_completion_tokens', undefined);
    edits.set(field, String(maxTokens));
  }
  if (stream) {
    edits.set('stream_options', JSON.stringify({ ...body.stream_options, include_usage: true }));
  } else if (body.stream_options !== undefined) {
    edits.set('stream_options', undefined);
    warnings.push('stream_options dropped: it applies only when stream is true');
  }
  const spliced = native.text === undefined ? undefined : spliceJsonObject(native.text, edits);
  if (spliced === undefined) {
    const { provider: _provider, ...forwarded } = body;
    const built = createOpenaiRequest({ ...forwarded, model: upstreamModel } as ChatRequest, endpoint);
    return withWarnings(built.http, built.warnings);
  }
  return withWarnings(
    { path: '/chat/completions', headers: openaiHeaders(endpoint), body: spliced },
    warnings,
  );
}

function withWarnings(http: UpstreamHttpRequest, warnings: string[]): UpstreamHttpRequest {
  return warnings.length === 0 ? http : { ...http, warnings };
}

/**
 * `GET /api/v1/generation?id=gen-...`: one request-log record in the OpenRouter generation shape, plus
 * the router's own view of it (tier, attempts, settings) under `pareto_router`. A caller with a gateway
 * key sees only its own generations; another key's id is answered as unknown, not as forbidden.
 */
import type { KeyContext } from '../auth/authenticate-request.js';
import { RouterError } from '../core/errors.js';
import type { RequestRecord } from '../store/request-record.js';
import type { RouterOps } from './router-ops.js';

const maxIdLength = 512;

/** The JSON body for the generation `id`, or a 400/404 RouterError. */
export async function renderGeneration(
  ops: RouterOps,
  caller: KeyContext,
  query: URLSearchParams,
): Promise<string> {
  const given = query.get('id');
  if (given === null || given === '')
    throw new RouterError('invalid_request', 'query parameter id is required');
  // Messages and Responses answers carry the generation id behind their protocol's prefix.
  const id = given.replace(/^(?:msg_|resp_)(?=gen-)/, '');
  if (id.length > maxIdLength) throw new RouterError('invalid_request', 'id is too long');
  // A generation answered a moment ago may still sit in the write buffer.
  let record = await ops.store.getRequest(id);
  if (record === null && ops.logWriter.depth > 0) {
    await ops.logWriter.flush();
    record = await ops.store.getRequest(id);
  }
  if (record === null || (caller.mode === 'key' && record.keyId !== caller.key.id)) {
    throw new RouterError('not_found', `generation ${JSON.stringify(id)} not found`);
  }
  return JSON.stringify({ data: generationData(record) });
}

function generationData(record: RequestRecord) {
  const firstTokenMs = record.timeToFirstTokenMs;
  return {
    id: record.id,
    upstream_id: null,
    total_cost: record.costUsd,
    cache_discount: null,
    upstream_inference_cost: null,
    created_at: new Date(record.createdAt).toISOString(),
    model: record.model ?? record.requestedModel,
    app_id: null,
    streamed: record.streamed,
    cancelled: record.errorCode === 'client_closed',
    provider_name: record.upstream,
    latency: Math.round(record.latencyMs),
    moderation_latency: null,
    generation_time: firstTokenMs === null ? null : Math.max(0, Math.round(record.latencyMs - firstTokenMs)),
    finish_reason: record.finishReason,
    native_finish_reason: record.finishReason,
    tokens_prompt: record.promptTokens,
    tokens_completion: record.completionTokens,
    native_tokens_prompt: record.promptTokens,
    native_tokens_completion: record.completionTokens,
    native_tokens_completion_images: 0,
    native_tokens_reasoning: record.reasoningTokens,
    native_tokens_cached: record.cachedTokens,
    num_media_prompt: null,
    num_input_audio_prompt: null,
    num_media_completion: null,
    num_search_results: null,
    origin: '',
    usage: record.costUsd,
    is_byok: false,
    api_type:
      record.settings.ingress === undefined || record.settings.ingress === 'chat'
        ? 'completions'
        : record.settings.ingress,
    router: record.tier === null ? null : record.requestedModel,
    pareto_router: {
      key_id: record.keyId,
      requested_model: record.requestedModel,
      settings: record.settings,
      tier: record.tier,
      status: record.status,
      error: record.errorCode,
      attempts: record.attempts.map((attempt) => ({
        model: attempt.model,
        upstream: attempt.upstream,
        status: attempt.status,
        error: attempt.errorCode,
        duration_ms: attempt.durationMs,
        ...(attempt.queueMs === undefined ? {} : { queue_ms: attempt.queueMs }),
      })),
      cache_write_tokens: record.cacheWriteTokens,
      time_to_first_token_ms: firstTokenMs,
      output_tokens_per_second: record.outputTokensPerSecond,
      session_hash: record.sessionHash,
    },
  };
}

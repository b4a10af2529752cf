/**
 * POST /api/v1/chat/completions: parse, plan, execute, render. Streams go out chunk by chunk as the
 * upstream sends them, with keep-alive comments while the model thinks and one usage chunk at the end.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Usage } from '../core/chat-result.js';
import { computeCost } from '../core/compute-cost.js';
import { RouterError } from '../core/errors.js';
import { type AttemptRecord, executeChat, type StreamSink } from '../executor/execute-chat.js';
import type { UpstreamTarget } from '../executor/upstream-catalog.js';
import { formatSseComment, formatSseMessage } from '../providers/sse/format-sse.js';
import { parseChatRequest } from './parse-chat-request.js';
import { planCandidates } from './plan-candidates.js';
import { readJsonBody } from './read-json-body.js';
import { ChunkRenderer, renderCompletion } from './render-chat-response.js';
import type { RouterApp } from './router-app.js';
import { sendError } from './send-error.js';

const streamHighWaterBytes = 1024 * 1024;

/** Cost of a call: index prices for index models; 0 for models the index does not price. */
function costOf(target: UpstreamTarget, usage: Usage): number {
  return target.model === undefined ? 0 : computeCost(usage, target.model.pricing);
}

function newGenerationId(): string {
  return `gen-${Math.floor(Date.now() / 1000)}-${randomUUID().replaceAll('-', '').slice(0, 20)}`;
}

function decisionHeaders(
  tier: string,
  target: UpstreamTarget,
  attempts: readonly AttemptRecord[],
  generationId: string,
  overheadMs: number,
): Record<string, string> {
  return {
    'x-generation-id': generationId,
    'x-pareto-tier': tier,
    'x-pareto-model': target.modelId,
    'x-pareto-upstream': target.upstream.name,
    'x-pareto-attempts': String(attempts.length + 1),
    'x-pareto-overhead-ms': overheadMs.toFixed(3),
  };
}

/** Handles one chat-completions request end to end; never throws. */
export async function handleChatCompletions(
  app: RouterApp,
  request: IncomingMessage,
  response: ServerResponse,
  receivedAt: number,
): Promise<void> {
  const controller = new AbortController();
  const onClose = () => {
    if (!response.writableFinished) controller.abort(new RouterError('client_closed', 'client went away'));
  };
  response.once('close', onClose);
  const generationId = newGenerationId();
  let renderer: ChunkRenderer | undefined;
  try {
    const body = await readJsonBody(request, app.config.bodyLimitBytes);
    const parsed = parseChatRequest(body, request.headers);
    const now = app.now();
    const { candidates, plan } = planCandidates(app, parsed, now);
    const tier = plan?.tier ?? 'none';
    const created = Math.floor(now / 1000);
    const plannedAt = performance.now();

    if (!parsed.stream) {
      const outcome = await executeChat(parsed.request, candidates, app, controller.signal);
      const result = outcome.result;
      if (result === undefined)
        throw new RouterError('internal', 'non-streamed call finished without a result');
      const cost = costOf(outcome.target, outcome.usage);
      rememberSession(app, parsed.sessionKey, plan !== null, outcome.target);
      const payload = renderCompletion(
        {
          id: generationId,
          created,
          model: outcome.target.modelId,
          provider: outcome.target.upstream.displayName,
        },
        result,
        outcome.usage,
        cost,
      );
      const overheadMs = Math.max(0, performance.now() - receivedAt - outcome.upstreamMs);
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        ...decisionHeaders(tier, outcome.target, outcome.attempts.slice(0, -1), generationId, overheadMs),
      });
      response.end(payload);
      return;
    }

    let currentModel = '';
    const sink: StreamSink = {
      start(target, attempts) {
        currentModel = target.modelId;
        renderer = new ChunkRenderer({
          id: generationId,
          created,
          model: target.modelId,
          provider: target.upstream.displayName,
        });
        response.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
          ...decisionHeaders(tier, target, attempts, generationId, plannedAt - receivedAt),
        });
        response.write(formatSseComment('PARETO PROCESSING'));
      },
      event(event, target) {
        if (renderer === undefined) return;
        if (target.modelId !== currentModel) {
          currentModel = target.modelId;
          renderer.setModel(target.modelId, target.upstream.displayName);
        }
        const chunk = renderer.render(event);
        if (chunk === null) return;
        const flowing = response.write(formatSseMessage(chunk));
        if (!flowing && response.writableLength > streamHighWaterBytes) {
          return new Promise<void>((resolve) => {
            const done = () => {
              response.off('drain', done);
              response.off('close', done);
              resolve();
            };
            response.on('drain', done);
            response.on('close', done);
          });
        }
      },
      keepAlive() {
        response.write(formatSseComment('PARETO PROCESSING'));
      },
    };
    const outcome = await executeChat(parsed.request, candidates, app, controller.signal, sink);
    const active = renderer as ChunkRenderer | undefined;
    if (active === undefined) throw new RouterError('internal', 'stream finished without starting');
    if (outcome.streamError !== undefined) {
      response.write(formatSseMessage(active.renderErrorChunk(outcome.streamError)));
    } else {
      rememberSession(app, parsed.sessionKey, plan !== null, outcome.target);
      response.write(
        formatSseMessage(active.renderUsageChunk(outcome.usage, costOf(outcome.target, outcome.usage))),
      );
    }
    response.end(formatSseMessage('[DONE]'));
  } catch (thrown) {
    sendError(response, thrown, renderer);
  } finally {
    response.off('close', onClose);
  }
}

function rememberSession(
  app: RouterApp,
  sessionKey: string | undefined,
  routed: boolean,
  target: UpstreamTarget,
): void {
  if (!routed || sessionKey === undefined) return;
  app.state.rememberSession(
    sessionKey,
    { modelId: target.modelId, upstream: target.upstream.name },
    app.now(),
  );
}

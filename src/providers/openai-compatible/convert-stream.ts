/**
 * The stream converter of OpenAI-style chat completions. Each SSE data payload is one
 * `chat.completion.chunk`: deltas of text, reasoning and tool-call arguments (by tool-call index), a finish
 * reason on the last content chunk, and with `stream_options.include_usage` a usage object on a final
 * chunk whose `choices` is empty. OpenRouter reports failures after the first byte as a chunk with a
 * top-level `error`. The `[DONE]` sentinel never reaches this converter.
 */
import type { StreamEvent } from '../../core/chat-result.js';
import { RouterError } from '../../core/errors.js';
import type { StreamConverter } from '../protocol-adapter.js';
import { isPlainChunk } from './is-plain-chunk.js';
import { findUpstreamError, mapUpstreamError } from './map-error.js';
import { mapFinishReason } from './map-finish-reason.js';
import { mapUsage } from './map-usage.js';
import {
  type ChatCompletionChunk,
  chatCompletionChunkSchema,
  describeSchemaIssue,
  readContentText,
  serializeArguments,
} from './openai-response-schema.js';

type ToolCallDelta = NonNullable<
  NonNullable<NonNullable<ChatCompletionChunk['choices']>[number]['delta']>['tool_calls']
>[number];

/** A fresh converter for one streamed chat completion. */
export function createStreamConverter(): StreamConverter {
  let metadataSent = false;
  let finished = false;
  const toolCalls = createToolCallTracker();

  return {
    convert(data: unknown): StreamEvent[] {
      const upstreamError = findUpstreamError(data);
      if (upstreamError !== undefined) {
        return [{ type: 'error', error: mapUpstreamError(undefined, upstreamError, undefined) }];
      }
      // The common chunk is read as it is; only an unusual one pays for zod's parse and fallbacks.
      const parsed = isPlainChunk(data)
        ? { success: true as const, data }
        : chatCompletionChunkSchema.safeParse(data);
      if (!parsed.success) {
        const error = new RouterError(
          'upstream_bad_response',
          `upstream sent a malformed stream chunk (${describeSchemaIssue(parsed.error)})`,
          { retryable: true },
        );
        return [{ type: 'error', error }];
      }
      const chunk = parsed.data;
      const events: StreamEvent[] = [];

      if (!metadataSent && (chunk.id != null || chunk.model != null)) {
        metadataSent = true;
        const metadata: StreamEvent & { type: 'response-metadata' } = { type: 'response-metadata' };
        if (chunk.id != null) metadata.id = chunk.id;
        if (chunk.model != null) metadata.model = chunk.model;
        events.push(metadata);
      }

      // With `n` > 1 the other choices would interleave; the router answers with the first one only.
      const choice = chunk.choices?.find((candidate) => (candidate.index ?? 0) === 0);
      const delta = choice?.delta;
      if (delta != null) {
        // Vendors that send both fields send the same text twice, so only one of them is read.
        const reasoning = delta.reasoning || delta.reasoning_content;
        if (reasoning) events.push({ type: 'reasoning-delta', text: reasoning });
        const text = readContentText(delta.content);
        if (text !== null) events.push({ type: 'text-delta', text });
        for (const [position, call] of (delta.tool_calls ?? []).entries()) {
          const event = toolCalls.convert(call, position);
          if (event !== undefined) events.push(event);
        }
      }

      if (chunk.usage != null) events.push({ type: 'usage', usage: mapUsage(chunk.usage) });

      const rawFinishReason = choice?.finish_reason || undefined;
      if (!finished && rawFinishReason !== undefined) {
        finished = true;
        events.push({
          type: 'finish',
          finishReason: mapFinishReason(rawFinishReason, toolCalls.seen()),
          nativeFinishReason: choice?.native_finish_reason ?? rawFinishReason,
        });
      }
      return events;
    },

    end(): StreamEvent[] {
      // No finish is invented here: a stream that closes without a finish reason was cut, and the
      // executor must see it that way.
      return [];
    },
  };
}

/**
 * Gives every tool-call piece its index and passes each call's id and name on once. OpenAI numbers the
 * pieces; a few servers send whole calls without an index, told apart by id, or continuation pieces with
 * neither index nor id, which belong to the call before.
 */
function createToolCallTracker() {
  const indexById = new Map<string, number>();
  const idSent = new Set<number>();
  const nameSent = new Set<number>();
  let nextIndex = 0;
  let lastIndex: number | undefined;

  return {
    seen: (): boolean => lastIndex !== undefined,

    convert(call: ToolCallDelta, position: number): (StreamEvent & { type: 'tool-call-delta' }) | undefined {
      const id = call.id || undefined;
      const name = call.function?.name || undefined;
      const argumentsDelta = serializeArguments(call.function?.arguments);
      let index = call.index ?? undefined;
      if (index === undefined) {
        if (id !== undefined) index = indexById.get(id) ?? nextIndex;
        else index = lastIndex ?? position;
      }
      if (id !== undefined && !indexById.has(id)) indexById.set(id, index);
      nextIndex = Math.max(nextIndex, index + 1);
      lastIndex = index;

      const event: StreamEvent & { type: 'tool-call-delta' } = {
        type: 'tool-call-delta',
        index,
        argumentsDelta,
      };
      if (id !== undefined && !idSent.has(index)) {
        idSent.add(index);
        event.id = id;
      }
      if (name !== undefined && !nameSent.has(index)) {
        nameSent.add(index);
        event.name = name;
      }
      if (event.id === undefined && event.name === undefined && argumentsDelta === '') return undefined;
      return event;
    },
  };
}

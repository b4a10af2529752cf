/** A Messages API `message` body converted to the canonical ChatResult. */
import type { z } from 'zod';
import type { ToolCall } from '../../core/chat-request.js';
import type { ChatResult } from '../../core/chat-result.js';
import { RouterError } from '../../core/errors.js';
import {
  contentBlockTypeSchema,
  describeSchemaIssue,
  errorEnvelopeSchema,
  messageBodySchema,
  textBlockSchema,
  thinkingBlockSchema,
  toolUseBlockSchema,
} from './anthropic-schemas.js';
import { mapErrorPayload } from './map-error.js';
import { mapFinishReason } from './map-finish-reason.js';
import { mapUsage } from './map-usage.js';

function badResponse(detail: string): RouterError {
  return new RouterError('upstream_bad_response', `Anthropic returned a malformed message body: ${detail}`, {
    retryable: true,
  });
}

function parseBlock<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badResponse(describeSchemaIssue(parsed.error, where));
  return parsed.data;
}

/**
 * Converts a `message` body. Text blocks become the content, thinking blocks the reasoning, tool_use
 * blocks the tool calls; other blocks (redacted thinking, server tool results) carry nothing a
 * chat-completions client reads. Throws RouterError `upstream_bad_response` when the body is malformed.
 */
export function convertResponse(body: unknown): ChatResult {
  const parsed = messageBodySchema.safeParse(body);
  if (!parsed.success) {
    // Anthropic sends errors with an error status, but a proxy may not.
    const envelope = errorEnvelopeSchema.safeParse(body);
    if (envelope.success) {
      throw mapErrorPayload({
        status: undefined,
        type: envelope.data.error.type ?? undefined,
        message: envelope.data.error.message ?? '',
        requestId: envelope.data.request_id ?? undefined,
      });
    }
    throw badResponse(describeSchemaIssue(parsed.error, 'body'));
  }
  const message = parsed.data;
  let content: string | null = null;
  let reasoning: string | null = null;
  const toolCalls: ToolCall[] = [];
  for (const [index, value] of message.content.entries()) {
    const where = `content[${index}]`;
    const { type } = parseBlock(contentBlockTypeSchema, value, where);
    switch (type) {
      case 'text':
        content = (content ?? '') + parseBlock(textBlockSchema, value, where).text;
        break;
      case 'thinking':
        reasoning = (reasoning ?? '') + parseBlock(thinkingBlockSchema, value, where).thinking;
        break;
      case 'tool_use': {
        const block = parseBlock(toolUseBlockSchema, value, where);
        toolCalls.push({
          id: block.id,
          type: 'function',
          function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
        });
        break;
      }
      default:
        break;
    }
  }
  const result: ChatResult = {
    content,
    reasoning,
    toolCalls,
    finishReason: mapFinishReason(message.stop_reason),
    nativeFinishReason: message.stop_reason ?? null,
    usage: mapUsage(message.usage),
  };
  if (message.id != null) result.id = message.id;
  if (message.model != null) result.model = message.model;
  return result;
}

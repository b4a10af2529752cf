/** A non-streamed `chat.completion` body converted to the canonical ChatResult. */
import type { ToolCall } from '../../core/chat-request.js';
import { type ChatResult, emptyUsage } from '../../core/chat-result.js';
import { RouterError } from '../../core/errors.js';
import { findUpstreamError, mapUpstreamError } from './map-error.js';
import { mapFinishReason } from './map-finish-reason.js';
import { mapUsage } from './map-usage.js';
import {
  type ChatCompletion,
  chatCompletionSchema,
  describeSchemaIssue,
  readContentText,
  serializeArguments,
} from './openai-response-schema.js';

type ResponseMessage = ChatCompletion['choices'][number]['message'];

/**
 * Converts a parsed `chat.completion` body to a ChatResult. Throws the mapped RouterError when the body is
 * an error (OpenRouter answers some failures with HTTP 200), `upstream_bad_response` when it is malformed.
 */
export function convertResponse(body: unknown): ChatResult {
  const upstreamError = findUpstreamError(body);
  if (upstreamError !== undefined) throw mapUpstreamError(undefined, upstreamError, undefined);

  const parsed = chatCompletionSchema.safeParse(body);
  if (!parsed.success) {
    throw new RouterError(
      'upstream_bad_response',
      `upstream returned a malformed chat completion (${describeSchemaIssue(parsed.error)})`,
      { retryable: true },
    );
  }
  const completion = parsed.data;
  const choice = completion.choices[0];
  if (choice === undefined) {
    throw new RouterError('upstream_bad_response', 'upstream returned a chat completion without choices', {
      retryable: true,
    });
  }
  const { message } = choice;
  const toolCalls = convertToolCalls(message, completion.id ?? undefined);
  const rawFinishReason = choice.finish_reason ?? null;
  const result: ChatResult = {
    content: readContentText(message.content),
    reasoning: nonEmpty(message.reasoning) ?? nonEmpty(message.reasoning_content),
    toolCalls,
    finishReason: mapFinishReason(rawFinishReason, toolCalls.length > 0),
    nativeFinishReason: choice.native_finish_reason ?? rawFinishReason,
    usage: completion.usage == null ? emptyUsage() : mapUsage(completion.usage),
  };
  if (completion.id != null) result.id = completion.id;
  if (completion.model != null) result.model = completion.model;
  return result;
}

function convertToolCalls(message: ResponseMessage, responseId: string | undefined): ToolCall[] {
  const calls =
    message.tool_calls ?? (message.function_call == null ? [] : [{ function: message.function_call }]);
  return calls.map((call, index) => ({
    // A few local servers omit the id; the caller needs one to answer the call, so one is made up.
    id: ('id' in call ? call.id : undefined) ?? `call_${responseId ?? 'response'}_${index}`,
    type: 'function',
    // A call without arguments is sent as `{}`, which every client can JSON.parse.
    function: { name: call.function.name, arguments: serializeArguments(call.function.arguments) || '{}' },
  }));
}

function nonEmpty(value: string | null | undefined): string | null {
  return value == null || value === '' ? null : value;
}

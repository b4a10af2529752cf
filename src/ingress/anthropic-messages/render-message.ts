/**
 * The non-streamed answer as a Messages API `message` body. On the native path the upstream's own body is
 * relayed with the router's fields rewritten (`id`, `model`) and the cost added to its usage; otherwise
 * the body is built from the canonical result: thinking, then text, then tool_use blocks.
 */
import type { ChatResult, Usage } from '../../core/chat-result.js';
import { isRecord } from '../../core/is-record.js';
import type { ResponseIdentity } from '../ingress-adapter.js';
import { createMessageId } from './create-message-id.js';
import { createToolUseId } from './create-tool-use-id.js';
import { mapStopReason } from './map-stop-reason.js';
import { renderUsage } from './render-usage.js';

/**
 * A tool call's arguments as the object Anthropic's `input` must be. Arguments that are not a JSON object
 * (a model that wrote broken JSON) become `{}`, so the answer still parses and the tool reports the
 * missing input, rather than the whole answer failing.
 */
function toolInput(argumentsText: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(argumentsText);
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

function relayNative(
  identity: ResponseIdentity,
  native: Record<string, unknown>,
  usage: Usage,
  cost: number,
): string {
  return JSON.stringify({
    ...native,
    id: createMessageId(identity.id),
    model: identity.model,
    usage: isRecord(native.usage) ? { ...native.usage, cost } : renderUsage(usage, cost),
  });
}

/** Renders the `message` body of a non-streamed answer. */
export function renderMessage(
  identity: ResponseIdentity,
  result: ChatResult,
  usage: Usage,
  cost: number,
  native: unknown,
): string {
  if (isRecord(native)) return relayNative(identity, native, usage, cost);
  const content: Record<string, unknown>[] = [];
  // The signature is empty: only Anthropic can sign thinking. Sent back natively, the block is removed.
  if (result.reasoning !== null && result.reasoning !== '') {
    content.push({ type: 'thinking', thinking: result.reasoning, signature: '' });
  }
  if (result.content !== null && result.content !== '') content.push({ type: 'text', text: result.content });
  result.toolCalls.forEach((call, index) => {
    content.push({
      type: 'tool_use',
      id: createToolUseId(call.id, identity.id, index),
      name: call.function.name,
      input: toolInput(call.function.arguments),
    });
  });
  return JSON.stringify({
    id: createMessageId(identity.id),
    type: 'message',
    role: 'assistant',
    model: identity.model,
    content,
    stop_reason: mapStopReason(result.finishReason, result.nativeFinishReason, result.toolCalls.length > 0),
    stop_sequence: null,
    usage: renderUsage(usage, cost),
  });
}

/**
 * A streamed answer as Messages API server-sent events: `message_start`, then content blocks
 * (`content_block_start`, `content_block_delta`..., `content_block_stop`) numbered from 0 in order, then
 * `message_delta` with the stop reason and the whole usage, then `message_stop`.
 *
 * `message_start` is written with the first content rather than in `open()`: a failover before content
 * changes the model, and a message cannot be started twice. Keep-alives are `ping` events, which the
 * Anthropic SDKs skip wherever they come.
 *
 * On the native path the upstream's own events are relayed: its `message_start` is held until content
 * (with the router's id and model), and its `message_delta` and `message_stop` are held for `finish()`,
 * which adds the cost to the usage. Upstream `error` events are not relayed: the pipeline decides whether
 * to fail over or to end the stream with `fail()`. When a relayed stream breaks inside a text block and
 * a converted attempt continues the answer (a stream rescue), the continuation's text goes on in that
 * same block: one message, one text.
 */
import type { FinishReason, StreamEvent, Usage } from '../../core/chat-result.js';
import type { RouterError } from '../../core/errors.js';
import { isRecord } from '../../core/is-record.js';
import { formatSseComment, formatSseMessage } from '../../providers/sse/format-sse.js';
import type { IngressStreamWriter, ResponseIdentity } from '../ingress-adapter.js';
import { createMessageId } from './create-message-id.js';
import { createToolUseId } from './create-tool-use-id.js';
import { renderErrorBody } from './map-error-envelope.js';
import { mapStopReason } from './map-stop-reason.js';
import { renderUsage } from './render-usage.js';

type OpenBlock = { kind: 'text' } | { kind: 'thinking' } | { kind: 'tool'; toolIndex: number };

function sse(type: string, data: Record<string, unknown>): string {
  return formatSseMessage(JSON.stringify(data), type);
}

/** A fresh writer for one streamed answer. */
export function createMessagesStreamWriter(initialIdentity: ResponseIdentity): IngressStreamWriter {
  let identity = initialIdentity;
  let started = false;
  let nextIndex = 0;
  let open: { index: number; block: OpenBlock } | undefined;
  /** Tool calls whose block is closed: Anthropic cannot reopen a block. */
  const closedTools = new Set<number>();
  let nativeFinishReason: string | null = null;
  let madeToolCalls = false;
  // The native path: held upstream events, blocks it opened, and the offset of its block indexes (not 0
  // only when an earlier attempt already streamed content under this message).
  let heldStart: Record<string, unknown> | undefined;
  let heldDelta: Record<string, unknown> | undefined;
  let heldStop: Record<string, unknown> | undefined;
  /** Blocks a relayed stream opened and did not close: index -> content block type. */
  const relayOpen = new Map<number, unknown>();
  let relayBase = 0;

  const messageStart = (): string => {
    if (started) return '';
    started = true;
    const id = createMessageId(identity.id);
    const upstreamMessage = heldStart?.message;
    if (heldStart !== undefined && isRecord(upstreamMessage)) {
      return sse('message_start', {
        ...heldStart,
        message: { ...upstreamMessage, id, model: identity.model },
      });
    }
    return sse('message_start', {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model: identity.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: 0,
          output_tokens: 0,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
      },
    });
  };

  const closeOpenBlocks = (): string => {
    let text = '';
    if (open !== undefined) {
      const { index, block } = open;
      // Anthropic ends every thinking block with its signature; only Anthropic can sign, so it is empty.
      if (block.kind === 'thinking') {
        text += sse('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'signature_delta', signature: '' },
        });
      }
      if (block.kind === 'tool') closedTools.add(block.toolIndex);
      text += sse('content_block_stop', { type: 'content_block_stop', index });
      open = undefined;
    }
    for (const index of [...relayOpen.keys()].sort((a, b) => a - b)) {
      text += sse('content_block_stop', { type: 'content_block_stop', index });
    }
    relayOpen.clear();
    return text;
  };

  /** Starts the message when needed, and a new block unless `block` continues the open one. */
  const enter = (block: OpenBlock, contentBlock: Record<string, unknown>): string => {
    // Converted content: whatever a native attempt left held belongs to an attempt that is over.
    if (!started) heldStart = undefined;
    heldDelta = undefined;
    heldStop = undefined;
    let text = messageStart();
    // Converted text continuing a relayed stream that broke inside a text block: the block goes on.
    const [relayed, ...others] = relayOpen;
    if (open === undefined && others.length === 0 && relayed?.[1] === 'text' && block.kind === 'text') {
      relayOpen.clear();
      open = { index: relayed[0], block };
      return text;
    }
    const current = open?.block;
    const same =
      current !== undefined &&
      current.kind === block.kind &&
      (current.kind !== 'tool' || (block.kind === 'tool' && current.toolIndex === block.toolIndex));
    if (same && relayOpen.size === 0) return text;
    text += closeOpenBlocks();
    open = { index: nextIndex, block };
    nextIndex += 1;
    text += sse('content_block_start', {
      type: 'content_block_start',
      index: open.index,
      content_block: contentBlock,
    });
    return text;
  };

  const delta = (delta: Record<string, unknown>): string =>
    sse('content_block_delta', { type: 'content_block_delta', index: open?.index ?? 0, delta });

  const onToolCallDelta = (event: StreamEvent & { type: 'tool-call-delta' }): string => {
    madeToolCalls = true;
    const current = open?.block;
    const isOpen = current?.kind === 'tool' && current.toolIndex === event.index;
    // Upstreams stream one tool call after another; a late piece of a closed call cannot be placed.
    if (!isOpen && closedTools.has(event.index)) return '';
    let text = '';
    if (!isOpen) {
      text += enter(
        { kind: 'tool', toolIndex: event.index },
        {
          type: 'tool_use',
          id: createToolUseId(event.id, identity.id, event.index),
          name: event.name ?? '',
          input: {},
        },
      );
    }
    if (event.argumentsDelta !== '') {
      text += delta({ type: 'input_json_delta', partial_json: event.argumentsDelta });
    }
    return text;
  };

  const relayContent = (type: string, data: Record<string, unknown>): string => {
    let text = '';
    if (open !== undefined) text += closeOpenBlocks();
    text += messageStart();
    let index = data.index;
    if (typeof index === 'number') {
      index += relayBase;
      nextIndex = Math.max(nextIndex, index + 1);
      if (type === 'content_block_start') {
        relayOpen.set(index, isRecord(data.content_block) ? data.content_block.type : undefined);
      }
      if (type === 'content_block_stop') relayOpen.delete(index);
    }
    return text + sse(type, relayBase === 0 ? data : { ...data, index });
  };

  return {
    open: () => '',

    event(event) {
      switch (event.type) {
        case 'text-delta':
          if (event.text === '') return '';
          return (
            enter({ kind: 'text' }, { type: 'text', text: '' }) +
            delta({ type: 'text_delta', text: event.text })
          );
        case 'reasoning-delta':
          if (event.text === '') return '';
          return (
            enter({ kind: 'thinking' }, { type: 'thinking', thinking: '', signature: '' }) +
            delta({ type: 'thinking_delta', thinking: event.text })
          );
        case 'tool-call-delta':
          return onToolCallDelta(event);
        case 'finish':
          nativeFinishReason = event.nativeFinishReason;
          return '';
        case 'response-metadata': {
          // Each upstream response sends its metadata once, first: after a rescue by another attempt,
          // tool calls count from 0 again and are new blocks.
          const text = open?.block.kind === 'tool' ? closeOpenBlocks() : '';
          closedTools.clear();
          return text;
        }
        // Usage is written once, whole, by finish(); errors end the stream through fail().
        case 'usage':
        case 'error':
          return '';
        default: {
          const unhandled: never = event;
          return unhandled;
        }
      }
    },

    relay(eventName, data) {
      if (!isRecord(data)) return '';
      const type = typeof data.type === 'string' ? data.type : eventName;
      switch (type) {
        case undefined:
        case 'error':
          return '';
        case 'message_start': {
          heldDelta = undefined;
          heldStop = undefined;
          if (!started) {
            heldStart = data;
            relayBase = 0;
            return '';
          }
          // A native attempt taking over a started message: its blocks follow the ones already sent.
          const text = closeOpenBlocks();
          relayBase = nextIndex;
          return text;
        }
        case 'message_delta':
          heldDelta = data;
          return '';
        case 'message_stop':
          heldStop = data;
          return '';
        case 'ping':
          return sse('ping', data);
        default:
          return relayContent(type, data);
      }
    },

    setModel(model, provider) {
      identity = { ...identity, model, provider };
    },

    finish(usage: Usage, cost: number, finishReason: FinishReason) {
      let text = messageStart() + closeOpenBlocks();
      const rendered = renderUsage(usage, cost);
      if (heldDelta !== undefined) {
        const upstreamUsage = isRecord(heldDelta.usage) ? heldDelta.usage : {};
        text += sse('message_delta', { ...heldDelta, usage: { ...upstreamUsage, ...rendered } });
      } else {
        text += sse('message_delta', {
          type: 'message_delta',
          delta: {
            stop_reason: mapStopReason(finishReason, nativeFinishReason, madeToolCalls),
            stop_sequence: null,
          },
          usage: rendered,
        });
      }
      return text + sse('message_stop', heldStop ?? { type: 'message_stop' });
    },

    fail(error: RouterError) {
      return formatSseMessage(renderErrorBody(error), 'error');
    },

    keepAlive: () => sse('ping', { type: 'ping' }),

    comment: (text) => formatSseComment(text),
  };
}

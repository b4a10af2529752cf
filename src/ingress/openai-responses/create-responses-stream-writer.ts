/**
 * A streamed answer as Responses server-sent events: `response.created` and `response.in_progress`, then
 * one output item at a time (reasoning summary, message text, tool calls), each opened with
 * `response.output_item.added` and closed with `response.output_item.done` carrying the whole item, and
 * last `response.completed` (or `.incomplete` / `.failed`) with the whole response and its usage. Codex
 * acts on `output_item.done` and fails a turn without `response.completed`; the SDK's stream helper
 * appends items in the order they are added, so output indexes only ever grow. Every event carries a
 * `sequence_number` counting from 0.
 */
import type { FinishReason, StreamEvent, Usage } from '../../core/chat-result.js';
import type { RouterError } from '../../core/errors.js';
import { KeptText } from '../../core/kept-text.js';
import { formatSseComment, formatSseMessage } from '../../providers/sse/format-sse.js';
import type { IngressStreamWriter, ResponseIdentity } from '../ingress-adapter.js';
import { createItemId } from './create-item-id.js';
import { createResponseObject, type ResponseObjectOptions } from './create-response-object.js';
import { decodeToolName } from './encode-tool-name.js';
import { describeError, mapErrorCode } from './map-error-code.js';
import { itemStatusOf, mapFinishReason } from './map-finish-reason.js';
import {
  type ItemStatus,
  messageItem,
  type OutputItem,
  outputTextPart,
  reasoningItem,
  toolCallItem,
  toolItemPrefix,
} from './render-output-items.js';
import { renderUsage } from './render-usage.js';

interface TextItem {
  kind: 'reasoning' | 'message';
  id: string;
  /**
   * Kept whole for the events that close the item and for `response.completed`. It grows by a delta per
   * chunk, so it is a `KeptText`, off the JavaScript heap; so are a call's arguments.
   */
  text: KeptText;
  status: ItemStatus;
}

interface ToolItem {
  kind: 'tool';
  id: string;
  callId: string;
  name: string;
  arguments: KeptText;
  status: ItemStatus;
}

type ItemState = TextItem | ToolItem;

class ResponsesStreamWriter implements IngressStreamWriter {
  #identity: ResponseIdentity;
  #sequence = 0;
  readonly #items: ItemState[] = [];
  /** The output index of the open reasoning or message item; tool calls stay open until the end. */
  #openText: number | undefined;
  /** Output index of each canonical tool-call index. */
  readonly #tools = new Map<number, number>();
  #ended = false;

  constructor(identity: ResponseIdentity) {
    this.#identity = identity;
  }

  open(): string {
    const response = createResponseObject(this.#identity, { status: 'in_progress', output: [], usage: null });
    return this.#frame('response.created', { response }) + this.#frame('response.in_progress', { response });
  }

  event(event: StreamEvent): string {
    if (this.#ended) return '';
    switch (event.type) {
      case 'text-delta':
        return this.#text('message', event.text);
      case 'reasoning-delta':
        return this.#text('reasoning', event.text);
      case 'tool-call-delta':
        return this.#toolDelta(event);
      // Usage and the finish reason arrive again in `finish`; an error is written by `fail`.
      case 'response-metadata':
      case 'usage':
      case 'finish':
      case 'error':
        return '';
    }
  }

  // No upstream speaks the Responses protocol, so the native path never reaches this writer.
  relay(): string {
    return '';
  }

  setModel(model: string, provider: string): void {
    this.#identity = { ...this.#identity, model, provider };
  }

  finish(usage: Usage, cost: number, finishReason: FinishReason): string {
    if (this.#ended) return '';
    this.#ended = true;
    const finish = mapFinishReason(finishReason);
    let out = this.#closeAll(itemStatusOf(finish.status));
    const options: ResponseObjectOptions = {
      status: finish.status,
      output: this.#snapshot(),
      usage: renderUsage(usage, cost),
    };
    if (finish.incompleteReason !== undefined) options.incompleteReason = finish.incompleteReason;
    if (finish.status === 'failed') {
      const error = { code: 'server_error', message: 'the model ended its answer with an error' };
      options.error = error;
      out += this.#frame('error', { ...error, param: null });
    }
    const response = createResponseObject(this.#identity, options);
    return out + this.#frame(`response.${finish.status}`, { response });
  }

  fail(error: RouterError): string {
    if (this.#ended) return '';
    this.#ended = true;
    // Open items are not closed: a tool call cut off mid-arguments must not look finished to the client.
    for (const item of this.#items) if (item.status === 'in_progress') item.status = 'incomplete';
    const failure = { code: mapErrorCode(error), message: describeError(error) };
    const response = createResponseObject(this.#identity, {
      status: 'failed',
      output: this.#snapshot(),
      usage: null,
      error: failure,
    });
    return this.#frame('error', { ...failure, param: null }) + this.#frame('response.failed', { response });
  }

  keepAlive(): string {
    return formatSseComment('PARETO PROCESSING');
  }

  comment(text: string): string {
    return formatSseComment(text);
  }

  #frame(type: string, payload: Record<string, unknown>): string {
    // Assigned, not spread between two members: on Node.js 20 `{ type, ...payload, sequence_number }`
    // gives every frame a hidden class of its own (bench/README.md, "Hidden classes per call").
    const frame: Record<string, unknown> = Object.assign({ type }, payload);
    frame.sequence_number = this.#sequence++;
    const data = JSON.stringify(frame);
    return formatSseMessage(data, type);
  }

  #text(kind: TextItem['kind'], delta: string): string {
    if (delta === '') return '';
    let out = '';
    let item = this.#openText === undefined ? undefined : this.#items[this.#openText];
    if (item?.kind !== kind) {
      out += this.#closeText('completed');
      out += this.#openTextItem(kind);
      item = this.#items[this.#openText as number] as TextItem;
    }
    item.text.add(delta);
    // The payloads are written out, not spread from a shared `{ item_id, output_index }`: with the spread
    // on this per-delta path, 2,000 streams promoted about 1 MB to the old generation at every scavenge,
    // without it 0.1 MB (bench/README.md, "What outlived its chunk").
    const outputIndex = this.#openText;
    if (kind === 'message') {
      return (
        out +
        this.#frame('response.output_text.delta', {
          item_id: item.id,
          output_index: outputIndex,
          content_index: 0,
          delta,
          logprobs: [],
        })
      );
    }
    return (
      out +
      this.#frame('response.reasoning_summary_text.delta', {
        item_id: item.id,
        output_index: outputIndex,
        summary_index: 0,
        delta,
      })
    );
  }

  #openTextItem(kind: TextItem['kind']): string {
    const index = this.#items.length;
    const id = createItemId(kind === 'message' ? 'msg' : 'rs', this.#identity.id, index);
    this.#items.push({ kind, id, text: new KeptText(), status: 'in_progress' });
    this.#openText = index;
    if (kind === 'message') {
      return (
        this.#frame('response.output_item.added', {
          output_index: index,
          item: messageItem(id, null, 'in_progress'),
        }) +
        this.#frame('response.content_part.added', {
          item_id: id,
          output_index: index,
          content_index: 0,
          part: outputTextPart(''),
        })
      );
    }
    return (
      this.#frame('response.output_item.added', { output_index: index, item: reasoningItem(id, '') }) +
      this.#frame('response.reasoning_summary_part.added', {
        item_id: id,
        output_index: index,
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      })
    );
  }

  #closeText(status: ItemStatus): string {
    const index = this.#openText;
    if (index === undefined) return '';
    this.#openText = undefined;
    const item = this.#items[index] as TextItem;
    item.status = status;
    const text = item.text.toString();
    if (item.kind === 'message') {
      const part = outputTextPart(text);
      return (
        this.#frame('response.output_text.done', {
          item_id: item.id,
          output_index: index,
          content_index: 0,
          text,
          logprobs: [],
        }) +
        this.#frame('response.content_part.done', {
          item_id: item.id,
          output_index: index,
          content_index: 0,
          part,
        }) +
        this.#frame('response.output_item.done', { output_index: index, item: this.#render(item) })
      );
    }
    const part = { type: 'summary_text', text };
    return (
      this.#frame('response.reasoning_summary_text.done', {
        item_id: item.id,
        output_index: index,
        summary_index: 0,
        text,
      }) +
      this.#frame('response.reasoning_summary_part.done', {
        item_id: item.id,
        output_index: index,
        summary_index: 0,
        part,
      }) +
      this.#frame('response.output_item.done', { output_index: index, item: this.#render(item) })
    );
  }

  #toolDelta(event: Extract<StreamEvent, { type: 'tool-call-delta' }>): string {
    let out = '';
    let index = this.#tools.get(event.index);
    if (index === undefined) {
      out += this.#closeText('completed');
      index = this.#items.length;
      const name = event.name ?? '';
      const id = createItemId(toolItemPrefix(name), this.#identity.id, index);
      // An upstream that names no call id still needs one the client can answer to.
      const callId = event.id ?? `call_${this.#identity.id}_${event.index}`;
      const item: ToolItem = {
        kind: 'tool',
        id,
        callId,
        name,
        arguments: new KeptText(),
        status: 'in_progress',
      };
      this.#items.push(item);
      this.#tools.set(event.index, index);
      out += this.#frame('response.output_item.added', { output_index: index, item: this.#render(item) });
    }
    const item = this.#items[index] as ToolItem;
    item.arguments.add(event.argumentsDelta);
    // Custom-tool input and shell commands sit inside JSON arguments; they are sent whole when the call ends.
    if (event.argumentsDelta !== '' && decodeToolName(item.name).kind === 'function') {
      out += this.#frame('response.function_call_arguments.delta', {
        item_id: item.id,
        output_index: index,
        delta: event.argumentsDelta,
      });
    }
    return out;
  }

  #closeTool(index: number, item: ToolItem, status: ItemStatus): string {
    item.status = status;
    const rendered = this.#render(item);
    let out = '';
    switch (rendered.type) {
      case 'function_call':
        out += this.#frame('response.function_call_arguments.done', {
          item_id: item.id,
          output_index: index,
          name: rendered.name,
          arguments: item.arguments.toString(),
        });
        break;
      case 'custom_tool_call': {
        const input = rendered.input as string;
        if (input !== '')
          out += this.#frame('response.custom_tool_call_input.delta', {
            item_id: item.id,
            output_index: index,
            delta: input,
          });
        out += this.#frame('response.custom_tool_call_input.done', {
          item_id: item.id,
          output_index: index,
          input,
        });
        break;
      }
    }
    return out + this.#frame('response.output_item.done', { output_index: index, item: rendered });
  }

  #closeAll(status: ItemStatus): string {
    let out = this.#closeText(status);
    for (const [index, item] of this.#items.entries()) {
      if (item.kind !== 'tool' || item.status !== 'in_progress') continue;
      // Agents run a tool call when its item is done; one cut short by the output cap must not run.
      if (status === 'completed') out += this.#closeTool(index, item, status);
      else item.status = 'incomplete';
    }
    return out;
  }

  #render(item: ItemState): OutputItem {
    switch (item.kind) {
      case 'reasoning':
        return reasoningItem(item.id, item.text.toString());
      case 'message':
        return messageItem(item.id, item.text.toString(), item.status);
      case 'tool':
        return toolCallItem(item.id, item.callId, item.name, item.arguments.toString(), item.status);
    }
  }

  #snapshot(): OutputItem[] {
    return this.#items.map((item) => this.#render(item));
  }
}

/** A fresh writer for one streamed answer. */
export function createResponsesStreamWriter(identity: ResponseIdentity): IngressStreamWriter {
  return new ResponsesStreamWriter(identity);
}

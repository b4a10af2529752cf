/**
 * The streamed answer as `streamGenerateContent?alt=sse` writes it: one GenerateContentResponse per SSE
 * `data:` line, no event names and no end marker (the stream simply closes).
 */
import type { FinishReason, StreamEvent, Usage } from '../../core/chat-result.js';
import type { RouterError } from '../../core/errors.js';
import { isRecord } from '../../core/is-record.js';
import { KeptText } from '../../core/kept-text.js';
import { findGoogleError } from '../../providers/gemini/map-error.js';
import { formatSseMessage } from '../../providers/sse/format-sse.js';
import type { IngressStreamWriter, ResponseIdentity } from '../ingress-adapter.js';
import { mapErrorEnvelope } from './map-error-envelope.js';
import { mapFinishReason } from './map-finish-reason.js';
import { mapUsageMetadata } from './map-usage-metadata.js';
import { parseToolArguments } from './parse-tool-arguments.js';

/**
 * Longest arguments text buffered for one call. The largest output caps are a few hundred thousand tokens,
 * about a megabyte of text; a call past this bound is reported as malformed rather than held in memory.
 */
export const maxCallArgumentsLength = 4 * 1024 * 1024;

/** A tool call being assembled from its argument pieces. */
interface PendingCall {
  index: number;
  id: string | undefined;
  name: string;
  /**
   * The arguments so far, off the JavaScript heap (see KeptText); undefined once they passed
   * `maxCallArgumentsLength`, and the call is then dropped as malformed.
   */
  argumentsText: KeptText | undefined;
}

/**
 * A writer for one streamed answer. Text and thoughts go out as they come, one chunk per delta; a function
 * call goes out whole (Gemini never streams a call's arguments), once the next call or the finish shows it
 * is complete; the last chunk carries the finish reason and the usage, which is only known at the end.
 * `responseId` is the router's generation id as is. Keep-alives write nothing: @google/genai releases up
 * to 1.2x match `^data: ` at the head of their buffer, so an SSE comment there stalls every later chunk.
 */
export function createGeminiStreamWriter(identity: ResponseIdentity): IngressStreamWriter {
  let model = identity.model;
  let pending: PendingCall | undefined;
  const malformedCalls: string[] = [];
  let nativeFinishReason: string | null = null;
  // The native path: the upstream's finishing chunk is held back so that finish() can add the cost to it.
  let upstreamFinished = false;
  let heldChunk: Record<string, unknown> | undefined;

  const write = (response: Record<string, unknown>) => formatSseMessage(JSON.stringify(response));

  const chunk = (parts: Record<string, unknown>[], close?: Record<string, unknown>, usage?: unknown) => {
    const response: Record<string, unknown> = {
      candidates: [{ content: { parts, role: 'model' }, ...close, index: 0 }],
    };
    if (usage !== undefined) response.usageMetadata = usage;
    response.modelVersion = model;
    response.responseId = identity.id;
    return write(response);
  };

  /** The pending call as a part, or undefined when its arguments are not a JSON object. */
  const takePendingCall = (): Record<string, unknown> | undefined => {
    const call = pending;
    pending = undefined;
    if (call === undefined) return undefined;
    const args =
      call.argumentsText === undefined ? undefined : parseToolArguments(call.argumentsText.toString());
    if (args === undefined || call.name === '') {
      malformedCalls.push(call.name === '' ? `call ${call.index}` : call.name);
      return undefined;
    }
    const functionCall: Record<string, unknown> = { name: call.name, args };
    // Ids are kept so the client's functionResponse names the call; one is made when the upstream gave none.
    functionCall.id = call.id ?? `call_${identity.id.replace(/[^A-Za-z0-9_-]/g, '')}_${call.index}`;
    return { functionCall };
  };

  const flushPendingCall = () => {
    const part = takePendingCall();
    return part === undefined ? '' : chunk([part]);
  };

  const takeHeldChunk = () => {
    const held = heldChunk;
    heldChunk = undefined;
    return held;
  };

  return {
    open: () => '',

    event(event: StreamEvent): string {
      switch (event.type) {
        case 'text-delta':
          if (event.text === '') return '';
          return flushPendingCall() + chunk([{ text: event.text }]);
        case 'reasoning-delta':
          if (event.text === '') return '';
          return flushPendingCall() + chunk([{ text: event.text, thought: true }]);
        case 'tool-call-delta': {
          let text = '';
          if (pending !== undefined && pending.index !== event.index) text = flushPendingCall();
          if (pending === undefined) {
            pending = {
              index: event.index,
              id: event.id,
              name: event.name ?? '',
              argumentsText: new KeptText(maxCallArgumentsLength),
            };
          } else {
            if (event.id !== undefined) pending.id = event.id;
            if (event.name !== undefined) pending.name = event.name;
          }
          const kept = pending.argumentsText;
          kept?.add(event.argumentsDelta);
          if (kept?.overflow) pending.argumentsText = undefined;
          return text;
        }
        case 'finish':
          nativeFinishReason = event.nativeFinishReason;
          return '';
        case 'response-metadata':
        case 'usage':
        case 'error':
          // Usage is written by finish(), errors by fail().
          return '';
        default: {
          const unknownEvent: never = event;
          void unknownEvent;
          return '';
        }
      }
    },

    relay(_event: string | undefined, data: unknown): string {
      // An in-stream error becomes the pipeline's failure, which fail() renders.
      if (!isRecord(data) || findGoogleError(data) !== undefined) return '';
      const rewritten = { ...data, modelVersion: model, responseId: identity.id };
      const held = takeHeldChunk();
      const before = held === undefined ? '' : write(held);
      upstreamFinished ||= hasFinished(data);
      if (upstreamFinished) {
        heldChunk = rewritten;
        return before;
      }
      return before + write(rewritten);
    },

    setModel(nextModel: string): void {
      model = nextModel;
    },

    finish(usage: Usage, cost: number, finishReason: FinishReason): string {
      const held = takeHeldChunk();
      if (held !== undefined) {
        const usageMetadata = isRecord(held.usageMetadata)
          ? { ...held.usageMetadata, cost }
          : mapUsageMetadata(usage, cost);
        return write({ ...held, usageMetadata });
      }
      // A call still pending came from converted events (a relayed stream never leaves one): it is sent
      // whole here, also after a relayed stream that was continued by a converted one.
      const part = takePendingCall();
      const close: Record<string, unknown> = {
        finishReason: mapFinishReason(finishReason, nativeFinishReason),
      };
      // Gemini reports a call it could not form as MALFORMED_FUNCTION_CALL, unless the output cap cut it.
      if (malformedCalls.length > 0 && finishReason !== 'length') {
        close.finishReason = 'MALFORMED_FUNCTION_CALL';
        close.finishMessage = `Malformed function call: the arguments of ${malformedCalls.join(', ')} are not a JSON object`;
      }
      // Gemini closes with an empty text part when the last chunk brings no new content.
      return chunk(part === undefined ? [{ text: '' }] : [part], close, mapUsageMetadata(usage, cost));
    },

    fail(error: RouterError): string {
      // A call still being assembled is incomplete; content already written stays with the client.
      pending = undefined;
      const held = takeHeldChunk();
      return (held === undefined ? '' : write(held)) + write({ ...mapErrorEnvelope(error) });
    },

    keepAlive: () => '',
  };
}

/** True when an upstream chunk ends the answer: a candidate's finish reason, or a refused prompt. */
function hasFinished(data: Record<string, unknown>): boolean {
  const candidates = data.candidates;
  const first = Array.isArray(candidates) ? candidates[0] : undefined;
  if (isRecord(first) && first.finishReason != null) return true;
  const feedback = data.promptFeedback;
  return isRecord(feedback) && feedback.blockReason != null;
}

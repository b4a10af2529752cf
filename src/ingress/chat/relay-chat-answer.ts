/**
 * The same-protocol fast path's answers on the chat-completions ingress: an OpenAI-compatible upstream's
 * completion or chunk relayed as its own text, with only the fields the router owns spliced in (`id`,
 * `model`, `provider`, `usage` as the router read it with the call's cost, no `system_fingerprint`), and
 * the OpenRouter members a plain OpenAI-style upstream leaves out added (`native_finish_reason`...). A body or chunk that the general path would
 * render differently (another finish reason once mapped, reasoning under `reasoning_content`, content
 * parts, tool calls without ids, several choices) is not relayed: the caller renders it the general way.
 */
import type { ChatResult, StreamEvent, Usage } from '../../core/chat-result.js';
import { isRecord } from '../../core/is-record.js';
import {
  type JsonMemberEdit,
  type JsonMemberEdits,
  spliceJsonObject,
  spliceOnlyElement,
} from '../../core/splice-json-object.js';
import { renderUsage } from '../../server/render-chat-response.js';
import type { ResponseIdentity } from '../ingress-adapter.js';

type JsonRecord = Record<string, unknown>;

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

/** The only choice of a body or chunk, when it has exactly one and it is choice 0. */
function onlyChoice(value: JsonRecord): JsonRecord | undefined {
  const choices = value.choices;
  if (!Array.isArray(choices) || choices.length !== 1) return undefined;
  const choice: unknown = choices[0];
  if (!isRecord(choice) || !(isAbsent(choice.index) || choice.index === 0)) return undefined;
  return choice;
}

/** Whether the upstream's message says exactly what the general path would render from `result`. */
function isRelayableCompletion(body: unknown, result: ChatResult): body is JsonRecord {
  if (!isRecord(body) || body.error !== undefined) return false;
  const choice = onlyChoice(body);
  if (choice === undefined || choice.finish_reason !== result.finishReason) return false;
  const message = choice.message;
  if (!isRecord(message) || (message.content ?? null) !== result.content) return false;
  if ((message.reasoning ?? null) !== result.reasoning || !isAbsent(message.function_call)) return false;
  const calls = message.tool_calls ?? [];
  if (!Array.isArray(calls) || calls.length !== result.toolCalls.length) return false;
  return result.toolCalls.every((expected, index) => {
    const call: unknown = calls[index];
    if (!isRecord(call) || call.id !== expected.id || !isRecord(call.function)) return false;
    return (
      call.function.name === expected.function.name && call.function.arguments === expected.function.arguments
    );
  });
}

/** Keeps a member as sent, or adds it with `fallback` (JSON text) where the upstream left it out. */
const orElse =
  (fallback: string): JsonMemberEdit =>
  (current) =>
    current ?? fallback;

/**
 * Splices `edits` into `text`, where a nested edit that cannot be made (it calls `fail`) gives up the
 * whole splice: undefined, and the answer is rendered the general way.
 */
function spliceAll(
  text: string,
  build: (fail: () => string | undefined) => JsonMemberEdits,
): string | undefined {
  let failed = false;
  const fail = (): undefined => {
    failed = true;
    return undefined;
  };
  const spliced = spliceJsonObject(text, build(fail));
  return failed ? undefined : spliced;
}

/** The relayed completion body, or undefined when it must be rendered the general way. */
export function relayCompletion(
  identity: ResponseIdentity,
  result: ChatResult,
  usage: Usage,
  cost: number,
  native: unknown,
  nativeText: string,
  routingMetadata: object | undefined,
): string | undefined {
  if (!isRelayableCompletion(native, result)) return undefined;
  return spliceAll(nativeText, (fail) => {
    // The members the OpenRouter shape always has, added where a plain OpenAI-style upstream leaves them out.
    const message = new Map([
      ['content', orElse('null')],
      ['refusal', orElse('null')],
      ['reasoning', orElse('null')],
    ]);
    const choice = new Map<string, JsonMemberEdit>([
      ['index', orElse('0')],
      ['logprobs', orElse('null')],
      ['native_finish_reason', orElse(JSON.stringify(result.nativeFinishReason))],
      [
        'message',
        (current) => (current === undefined ? fail() : (spliceJsonObject(current, message) ?? fail())),
      ],
    ]);
    const edits = new Map<string, JsonMemberEdit>([
      ['id', JSON.stringify(identity.id)],
      ['provider', JSON.stringify(identity.provider)],
      ['model', JSON.stringify(identity.model)],
      // The upstream's backend is not the caller's business; the hosted router answers null here too.
      ['system_fingerprint', 'null'],
      [
        'choices',
        (current) => (current === undefined ? fail() : (spliceOnlyElement(current, choice) ?? fail())),
      ],
      // The router's reading of the usage, with the cost: the same object the general path renders.
      ['usage', JSON.stringify(renderUsage(usage, cost))],
    ]);
    if (routingMetadata !== undefined) edits.set('openrouter_metadata', JSON.stringify(routingMetadata));
    return edits;
  });
}

/** Whether a content chunk says exactly what the general path would render from its events. */
function isRelayableChunk(chunk: JsonRecord, events: readonly StreamEvent[]): boolean {
  if (chunk.error !== undefined) return false;
  const choice = onlyChoice(chunk);
  if (choice === undefined) return false;
  const finish = events.find((event) => event.type === 'finish');
  if (!isAbsent(choice.finish_reason) && choice.finish_reason !== finish?.finishReason) return false;
  const delta = choice.delta;
  if (isAbsent(delta)) return true;
  if (!isRecord(delta)) return false;
  if (!(isAbsent(delta.content) || typeof delta.content === 'string')) return false;
  if (!(isAbsent(delta.reasoning) || typeof delta.reasoning === 'string')) return false;
  if (!(isAbsent(delta.reasoning_content) || delta.reasoning_content === '')) return false;
  const calls = delta.tool_calls;
  if (isAbsent(calls)) return true;
  if (!Array.isArray(calls)) return false;
  return calls.every(
    (call: unknown) =>
      isRecord(call) &&
      typeof call.index === 'number' &&
      (isAbsent(call.function) ||
        (isRecord(call.function) &&
          (isAbsent(call.function.arguments) || typeof call.function.arguments === 'string'))),
  );
}

/**
 * What to do with one relayed chunk: `hold` for a chunk without choices (the usage chunk, which `finish`
 * writes whole with the cost), the spliced chunk text, or `render` when the general path must render it.
 */
export function relayChunk(
  names: { id: string; model: string; provider: string },
  data: unknown,
  text: string,
  events: readonly StreamEvent[],
): { kind: 'hold' } | { kind: 'text'; text: string } | { kind: 'render' } {
  if (!isRecord(data)) return { kind: 'render' };
  const choices = data.choices;
  if (data.error === undefined && (isAbsent(choices) || (Array.isArray(choices) && choices.length === 0))) {
    return { kind: 'hold' };
  }
  if (!isRelayableChunk(data, events)) return { kind: 'render' };
  const finish = events.find((event) => event.type === 'finish');
  const spliced = spliceAll(text, (fail) => {
    const choice = new Map<string, JsonMemberEdit>([
      ['index', orElse('0')],
      ['finish_reason', orElse('null')],
      [
        'native_finish_reason',
        orElse(finish === undefined ? 'null' : JSON.stringify(finish.nativeFinishReason)),
      ],
      ['logprobs', orElse('null')],
    ]);
    const edits = new Map<string, JsonMemberEdit>([
      ['id', names.id],
      ['provider', names.provider],
      ['model', names.model],
      [
        'choices',
        (current) => (current === undefined ? fail() : (spliceOnlyElement(current, choice) ?? fail())),
      ],
    ]);
    // Usage riding on a content chunk is written once, with the cost, by the closing usage chunk.
    if (data.usage !== undefined) edits.set('usage', undefined);
    if (data.system_fingerprint !== undefined) edits.set('system_fingerprint', undefined);
    return edits;
  });
  return spliced === undefined ? { kind: 'render' } : { kind: 'text', text: spliced };
}

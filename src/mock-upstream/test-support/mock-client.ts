/**
 * Small clients for the fake upstream's own tests: POST JSON, read SSE events as they arrive, and keep
 * whatever arrived before a connection broke.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface PostResult {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: any;
}

/** POSTs `body` as JSON to `url` and reads the whole answer. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<PostResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export interface StreamEventRecord {
  event: string | undefined;
  data: string;
  /** The parsed data, or undefined when it is not JSON (`[DONE]`, a malformed chunk). */
  json: any;
}

export interface StreamResult {
  status: number;
  headers: Headers;
  raw: string;
  events: StreamEventRecord[];
  /** The error that ended the body early, if one did. */
  error: unknown;
  /** Milliseconds from the request to the response headers. */
  headersAfterMs: number;
  /** Milliseconds from the request to the first body byte, if any arrived. */
  firstByteAfterMs: number | undefined;
  /** Milliseconds from the request to the end of the body (or its failure). */
  endedAfterMs: number;
}

/** POSTs `body` and reads the streamed answer until it ends, breaks, or `signal` aborts. */
export async function postStream(url: string, body: unknown, signal?: AbortSignal): Promise<StreamResult> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  });
  const headersAfterMs = performance.now() - started;
  const events: StreamEventRecord[] = [];
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      let json: any;
      try {
        json = JSON.parse(message.data);
      } catch {
        json = undefined;
      }
      events.push({ event: message.event, data: message.data, json });
    },
  });
  let raw = '';
  let error: unknown;
  let firstByteAfterMs: number | undefined;
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body ?? []) {
      firstByteAfterMs ??= performance.now() - started;
      const text = decoder.decode(chunk as Uint8Array, { stream: true });
      raw += text;
      parser.feed(text);
    }
  } catch (caught) {
    error = caught;
  }
  return {
    status: response.status,
    headers: response.headers,
    raw,
    events,
    error,
    headersAfterMs,
    firstByteAfterMs,
    endedAfterMs: performance.now() - started,
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Streaming latency as a client sees it: for each streamed call, the time from sending the request to the
 * first content token, and the gaps between successive content chunks, stamped when each network chunk
 * arrives (not when it is parsed). Calls run one after another so each measures the system alone.
 */
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import { Agent, request } from 'undici';

const maxStreamBytes = 4 * 1024 * 1024;

function hasContent(data) {
  if (data === '[DONE]') return false;
  let parsed;
  try {
    parsed = JSON.parse(data);
  } catch {
    return false;
  }
  const content = parsed?.choices?.[0]?.delta?.content;
  return typeof content === 'string' && content.length > 0;
}

/** Runs one streamed call; resolves with its first-token time and chunk gaps in milliseconds. */
export async function measureOneStream({ dispatcher, url, headers, body, timeoutMs }) {
  const signal = AbortSignal.timeout(timeoutMs);
  const started = performance.now();
  const response = await request(url, { dispatcher, method: 'POST', headers, body, signal });
  if (response.statusCode !== 200) {
    const text = (await response.body.text()).slice(0, 300);
    throw new Error(`status ${response.statusCode}: ${text}`);
  }
  const arrivals = [];
  let arrivedAt = 0;
  let done = false;
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]') done = true;
      else if (hasContent(event.data)) arrivals.push(arrivedAt);
    },
  });
  let size = 0;
  for await (const chunk of response.body) {
    arrivedAt = performance.now();
    size += chunk.length;
    if (size > maxStreamBytes) throw new Error(`stream larger than ${maxStreamBytes} bytes`);
    parser.feed(chunk.toString('utf8'));
  }
  const gaps = [];
  for (let index = 1; index < arrivals.length; index += 1) gaps.push(arrivals[index] - arrivals[index - 1]);
  return {
    firstTokenMs: arrivals.length > 0 ? arrivals[0] - started : Number.NaN,
    gaps,
    contentChunks: arrivals.length,
    sawDone: done,
  };
}

/**
 * Runs `count` streamed calls one after another (after `warmup` unrecorded ones); collects every
 * first-token time and every inter-chunk gap. Stops early, with what it has, when `deadlineMs` passes.
 */
export async function measureStreams({
  url,
  headers,
  body,
  count,
  warmup = 2,
  timeoutMs = 30_000,
  deadlineMs,
}) {
  const dispatcher = new Agent({ connections: 4, keepAliveTimeout: 60_000 });
  const firstTokens = [];
  const gaps = [];
  const contentChunks = [];
  let errors = 0;
  let lastError = '';
  let incomplete = 0;
  const stopAt = performance.now() + (deadlineMs ?? Number.POSITIVE_INFINITY);
  try {
    for (let index = 0; index < count + warmup && performance.now() < stopAt; index += 1) {
      try {
        const result = await measureOneStream({ dispatcher, url, headers, body, timeoutMs });
        if (!result.sawDone) incomplete += 1;
        if (index < warmup) continue;
        firstTokens.push(result.firstTokenMs);
        gaps.push(...result.gaps);
        contentChunks.push(result.contentChunks);
      } catch (error) {
        errors += 1;
        lastError = error instanceof Error ? error.message : String(error);
      }
    }
  } finally {
    await dispatcher.close();
  }
  return { firstTokens, gaps, contentChunks, errors, lastError, incomplete };
}

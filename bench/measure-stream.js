/**
 * Streaming latency as a client sees it: for each streamed call, the time from sending the request to the
 * first content token, and the gaps between successive content chunks, stamped when each network chunk
 * arrives (not when it is parsed). Calls run one after another so each measures the system alone.
 */
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import { Agent, request } from 'undici';

const maxStreamBytes = 4 * 1024 * 1024;

/**
 * The content text of one SSE data line, or undefined when it carries none: a chat-completions chunk, an
 * Anthropic Messages `text_delta` or a Responses `response.output_text.delta`, so one reader times every
 * ingress protocol the router serves.
 */
function contentOf(data) {
  if (data === '[DONE]') return undefined;
  let parsed;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  const content =
    parsed?.choices?.[0]?.delta?.content ??
    (parsed?.type === 'content_block_delta' ? parsed.delta?.text : undefined) ??
    (parsed?.type === 'response.output_text.delta' ? parsed.delta : undefined);
  return typeof content === 'string' && content.length > 0 ? content : undefined;
}

/** True for the message that ends a stream normally, in any of the protocols `contentOf` reads. */
function isEnd(data) {
  return (
    data === '[DONE]' ||
    data.includes('"type":"message_stop"') ||
    data.includes('"type":"response.completed"')
  );
}

/**
 * Runs one streamed call; resolves with its first-token time and chunk gaps in milliseconds, and the
 * content text it delivered (so a caller can check the answer is the upstream's).
 */
export async function measureOneStream({ dispatcher, url, headers, body, timeoutMs }) {
  const signal = AbortSignal.timeout(timeoutMs);
  const started = performance.now();
  const response = await request(url, { dispatcher, method: 'POST', headers, body, signal });
  if (response.statusCode !== 200) {
    const text = (await response.body.text()).slice(0, 300);
    throw new Error(`status ${response.statusCode}: ${text}`);
  }
  const arrivals = [];
  let text = '';
  let arrivedAt = 0;
  let done = false;
  const parser = createParser({
    onEvent(event) {
      if (isEnd(event.data)) {
        done = true;
        return;
      }
      const content = contentOf(event.data);
      if (content === undefined) return;
      arrivals.push(arrivedAt);
      text += content;
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
    text,
    sawDone: done,
  };
}

function createSide() {
  return { firstTokens: [], gaps: [], contentChunks: [], errors: 0, lastError: '', incomplete: 0 };
}

/** Sends one non-streamed call and reads its answer; throws unless it is a 2xx. */
async function wake({ dispatcher, url, headers, body, timeoutMs }) {
  const response = await request(url, {
    dispatcher,
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.body.dump();
  if (response.statusCode < 200 || response.statusCode > 299) {
    throw new Error(`wake-up call answered ${response.statusCode}`);
  }
}

/**
 * Runs `count` streamed calls to `url` one after another (after `warmup` unrecorded ones), each directly
 * preceded by the same call to the upstream alone at `directUrl` when that is given: pairing the two
 * makes "added" time a difference between calls that saw the same machine state, as the latency
 * measurement does. Collects every first-token time and every inter-chunk gap, per side. Stops early,
 * with what it has, when `deadlineMs` passes.
 *
 * With `wakeBody`, every streamed call follows one non-streamed call with that body over the same
 * connection. Each side sits idle while the other streams, and on a virtual machine the first request
 * after some idle time pays for waking the processes it passes through (a millisecond or more per
 * process): that would be counted as the system's time to first token, and charged more to the system
 * than to the upstream alone because it has one more process to wake. A gateway serving traffic is
 * rarely idle, so both sides are measured warm.
 */
export async function measureStreams({
  url,
  directUrl,
  headers,
  body,
  wakeBody,
  count,
  warmup = 2,
  timeoutMs = 30_000,
  deadlineMs,
}) {
  // One connection per side, so the wake-up call warms the same socket the stream then uses, and
  // neither side ever waits for the other's connection.
  const systemPool = new Agent({ connections: 1, keepAliveTimeout: 60_000 });
  const directPool = new Agent({ connections: 1, keepAliveTimeout: 60_000 });
  const system = createSide();
  const direct = createSide();
  const once = async (side, dispatcher, target, record) => {
    try {
      if (wakeBody !== undefined) await wake({ dispatcher, url: target, headers, body: wakeBody, timeoutMs });
      const result = await measureOneStream({ dispatcher, url: target, headers, body, timeoutMs });
      if (!result.sawDone) side.incomplete += 1;
      if (!record) return;
      side.firstTokens.push(result.firstTokenMs);
      side.gaps.push(...result.gaps);
      side.contentChunks.push(result.contentChunks);
    } catch (error) {
      side.errors += 1;
      side.lastError = error instanceof Error ? error.message : String(error);
    }
  };
  const stopAt = performance.now() + (deadlineMs ?? Number.POSITIVE_INFINITY);
  try {
    for (let index = 0; index < count + warmup && performance.now() < stopAt; index += 1) {
      const record = index >= warmup;
      if (directUrl !== undefined) await once(direct, directPool, directUrl, record);
      await once(system, systemPool, url, record);
    }
  } finally {
    await Promise.all([systemPool.close(), directPool.close()]);
  }
  return directUrl === undefined ? { system } : { system, direct };
}

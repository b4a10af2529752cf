/**
 * Time to first token of a streamed call on each ingress protocol the router serves, against the same
 * router and upstream: chat completions, Anthropic Messages and OpenAI Responses, interleaved call by
 * call so all three see the same machine state. The figure that matters is each protocol's p50 minus
 * chat completions' p50: what its conversion adds.
 */
import { Agent } from 'undici';
import { measureThroughput } from './measure-load.js';
import { measureOneStream } from './measure-stream.js';
import { readTreeCpuSeconds } from './read-cpu.js';

const userText = 'Write a Python function add(a, b) that returns the sum of a and b.';
const systemText = 'You are a careful coding assistant.';

/** One streamed request body per ingress protocol, asking for the same thing. */
export function ingressStreamBodies() {
  return {
    chat: JSON.stringify({
      model: 'openrouter/pareto-code@0.8',
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 64,
      messages: [
        { role: 'system', content: systemText },
        { role: 'user', content: userText },
      ],
    }),
    messages: JSON.stringify({
      model: 'pareto-code@0.8',
      stream: true,
      max_tokens: 64,
      system: systemText,
      messages: [{ role: 'user', content: userText }],
    }),
    responses: JSON.stringify({
      model: 'pareto-code@0.8',
      stream: true,
      max_output_tokens: 64,
      instructions: systemText,
      input: userText,
    }),
  };
}

/** The router's path for each ingress protocol. */
export const ingressPaths = {
  chat: '/api/v1/chat/completions',
  messages: '/v1/messages',
  responses: '/v1/responses',
};

/** The streamed bodies without `stream`: one plain call per protocol, asking for the same thing. */
export function ingressPlainBodies() {
  const bodies = {};
  for (const [name, text] of Object.entries(ingressStreamBodies())) {
    const { stream: _stream, stream_options: _options, ...plain } = JSON.parse(text);
    bodies[name] = JSON.stringify(plain);
  }
  return bodies;
}

/**
 * The router's CPU time per plain call on each ingress: `rounds` rounds of a short load per protocol
 * (in an order that rotates), CPU read from /proc for the router's processes around each load. Returns
 * per protocol the median microseconds per call and req/s over the rounds.
 */
export async function measureIngressCpu({ baseUrl, headers, routerPid, rounds, seconds, connections = 8 }) {
  const bodies = ingressPlainBodies();
  const protocols = Object.keys(ingressPaths);
  const samples = Object.fromEntries(protocols.map((name) => [name, { cpu: [], rate: [], failed: 0 }]));
  for (let round = 0; round < rounds; round += 1) {
    const order = protocols.map((_, index) => protocols[(index + round) % protocols.length]);
    for (const name of order) {
      const before = readTreeCpuSeconds([routerPid]);
      const result = await measureThroughput({
        url: `${baseUrl}${ingressPaths[name]}`,
        headers,
        body: bodies[name],
        connections,
        durationSeconds: seconds,
      });
      const cpuSeconds = readTreeCpuSeconds([routerPid]) - before;
      const calls = result.ok;
      samples[name].failed += result.non2xx + result.errors + result.timeouts;
      if (calls > 0) {
        samples[name].cpu.push((cpuSeconds * 1e6) / calls);
        samples[name].rate.push(result.requestsPerSecond);
      }
    }
  }
  const median = (values) => {
    const sorted = [...values].sort((left, right) => left - right);
    return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)];
  };
  return Object.fromEntries(
    protocols.map((name) => [
      name,
      {
        cpuMicrosecondsPerCall: median(samples[name].cpu),
        requestsPerSecond: median(samples[name].rate),
        failed: samples[name].failed,
      },
    ]),
  );
}

/**
 * Runs `count` rounds (after `warmup` unrecorded ones); each round streams once per protocol over its
 * own warm connection, in an order that rotates from round to round. Returns per protocol the first-token times, errors and incomplete streams.
 */
export async function measureIngressStreams({ baseUrl, headers, count, warmup = 3, timeoutMs = 30_000 }) {
  const bodies = ingressStreamBodies();
  const protocols = Object.keys(ingressPaths);
  const pools = Object.fromEntries(
    protocols.map((name) => [name, new Agent({ connections: 1, keepAliveTimeout: 60_000 })]),
  );
  const sides = Object.fromEntries(
    protocols.map((name) => [name, { firstTokens: [], errors: 0, incomplete: 0, lastError: '' }]),
  );
  try {
    for (let round = 0; round < count + warmup; round += 1) {
      // Each round starts with the next protocol, so no protocol always runs first (or last) in a round.
      const order = protocols.map((_, index) => protocols[(index + round) % protocols.length]);
      for (const name of order) {
        const side = sides[name];
        try {
          const result = await measureOneStream({
            dispatcher: pools[name],
            url: `${baseUrl}${ingressPaths[name]}`,
            headers,
            body: bodies[name],
            timeoutMs,
          });
          if (!result.sawDone || result.contentChunks === 0) side.incomplete += 1;
          else if (round >= warmup) side.firstTokens.push(result.firstTokenMs);
        } catch (error) {
          side.errors += 1;
          side.lastError = error instanceof Error ? error.message : String(error);
        }
      }
    }
  } finally {
    await Promise.all(protocols.map((name) => pools[name].close()));
  }
  return sides;
}

/**
 * Time to first token of a streamed call on each ingress protocol the router serves, against the same
 * router and upstream: chat completions, Anthropic Messages and OpenAI Responses, interleaved call by
 * call so all three see the same machine state. The figure that matters is each protocol's p50 minus
 * chat completions' p50: what its conversion adds.
 */
import { Agent } from 'undici';
import { measureOneStream } from './measure-stream.js';

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

const paths = { chat: '/api/v1/chat/completions', messages: '/v1/messages', responses: '/v1/responses' };

/**
 * Runs `count` rounds (after `warmup` unrecorded ones); each round streams once per protocol over its
 * own warm connection, in an order that rotates from round to round. Returns per protocol the first-token times, errors and incomplete streams.
 */
export async function measureIngressStreams({ baseUrl, headers, count, warmup = 3, timeoutMs = 30_000 }) {
  const bodies = ingressStreamBodies();
  const protocols = Object.keys(paths);
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
            url: `${baseUrl}${paths[name]}`,
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

/**
 * Maps a request path to the protocol that serves it. OpenAI-shaped paths also answer under `/v1` and
 * `/api/v1` (so the fake stands in for OpenRouter); Gemini names the model and the streaming choice in
 * the path (`models/{model}:streamGenerateContent?alt=sse`).
 */
import { anthropicWire } from './anthropic-wire.js';
import { geminiWire } from './gemini-wire.js';
import { openaiWire } from './openai-wire.js';
import type { ProtocolWire, WireFlavour } from './protocol-wire.js';

export interface MockRoute {
  wire: ProtocolWire;
  flavour: WireFlavour;
  /** Gemini: the model named in the path. */
  pathModel: string | undefined;
  /** Gemini: `streamGenerateContent` was called. */
  pathStream: boolean;
  /** Gemini: `alt=sse` was asked (other protocols always stream SSE). */
  sse: boolean;
}

const openaiNative: MockRoute = {
  wire: openaiWire,
  flavour: 'native',
  pathModel: undefined,
  pathStream: false,
  sse: true,
};
const openaiOpenrouter: MockRoute = { ...openaiNative, flavour: 'openrouter' };
const anthropic: MockRoute = { ...openaiNative, wire: anthropicWire };

const staticRoutes = new Map<string, MockRoute>([
  ['/openai/v1/chat/completions', openaiNative],
  ['/v1/chat/completions', openaiNative],
  ['/api/v1/chat/completions', openaiOpenrouter],
  ['/anthropic/v1/messages', anthropic],
  ['/v1/messages', anthropic],
]);

const geminiPrefixes = ['/gemini/v1beta/models/', '/v1beta/models/'] as const;

/** The route for `path` (without the query), or undefined when nothing serves it. */
export function matchRoute(path: string, query: string): MockRoute | undefined {
  const route = staticRoutes.get(path);
  if (route !== undefined) return route;
  for (const prefix of geminiPrefixes) {
    if (path.startsWith(prefix)) return matchGemini(path.slice(prefix.length), query);
  }
  return undefined;
}

function matchGemini(rest: string, query: string): MockRoute | undefined {
  const colon = rest.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const action = rest.slice(colon + 1);
  if (action !== 'generateContent' && action !== 'streamGenerateContent') return undefined;
  let model: string;
  try {
    model = decodeURIComponent(rest.slice(0, colon));
  } catch {
    return undefined;
  }
  return {
    wire: geminiWire,
    flavour: 'native',
    pathModel: model,
    pathStream: action === 'streamGenerateContent',
    sse: query.length > 0 && new URLSearchParams(query).get('alt') === 'sse',
  };
}

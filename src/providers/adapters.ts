/** The adapter for each protocol: the only place that knows which protocols exist. */
import { anthropicAdapter } from './anthropic/index.js';
import { geminiAdapter } from './gemini/index.js';
import { openaiCompatibleAdapter } from './openai-compatible/index.js';
import type { ProtocolAdapter, ProtocolName } from './protocol-adapter.js';

const adapters: Readonly<Record<ProtocolName, ProtocolAdapter>> = {
  openai: openaiCompatibleAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
};

/** The adapter that speaks `protocol`. */
export function adapterFor(protocol: ProtocolName): ProtocolAdapter {
  return adapters[protocol];
}

/**
 * Demo mode: every upstream the index names points at the built-in fake upstream, each through its own
 * protocol, so a newcomer with no provider keys sees the whole path (routing, conversion, streaming,
 * cost) work. Everything it answers is labelled as a demo.
 */
import type { UpstreamConfig } from '../config/router-config.js';
import { upstreamPresets } from '../config/upstream-presets.js';

export interface DemoEndpoints {
  url: string;
  baseUrls: { openai: string; anthropic: string; gemini: string };
}

/** Upstream configurations that send every preset vendor to the fake upstream. */
export function demoUpstreams(mock: DemoEndpoints): UpstreamConfig[] {
  return upstreamPresets
    .filter((preset) => preset.keyless !== true)
    .map((preset) => ({
      name: preset.name,
      displayName: `${preset.displayName} (demo)`,
      protocol: preset.protocol,
      baseUrl: preset.passthrough === true ? `${mock.url}/api/v1` : mock.baseUrls[preset.protocol],
      apiKey: 'demo',
      // The fake upstream answers any name, so a pass-through would turn a mistyped model id into a
      // 200; the demo serves the index's models only, and an unknown id is a 400 as without the demo.
      passthrough: false,
      models: {},
    }));
}

/**
 * The demo's upstream order when none is configured: each vendor's own API before the aggregator, as a
 * real configuration ranks a pass-through upstream last (the demo's aggregator is not a pass-through).
 */
export function demoUpstreamPreference(): string[] {
  return upstreamPresets
    .filter((preset) => preset.keyless !== true && preset.passthrough !== true)
    .map((preset) => preset.name);
}

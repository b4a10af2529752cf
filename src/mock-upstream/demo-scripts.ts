/**
 * Scripts for demo mode: every model answers normally, at a pace that looks like a real model's and
 * differs from one model to the next (fixed per model id, so a demo looks the same every run).
 */
import type { ModelScript } from './model-script.js';

/** The demo script map: one `*` entry whose ranges give each model id its own latency and speed. */
export function demoScripts(): Record<string, ModelScript> {
  return {
    '*': {
      latencyMs: { min: 200, max: 600 },
      tokensPerSecond: { min: 80, max: 200 },
    },
  };
}

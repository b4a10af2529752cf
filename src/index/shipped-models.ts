/**
 * The curated lineup behind the shipped snapshots: which models form the benchmarked field, which are
 * shortlisted, the vendors' native API names, and the public figures the shared data files lack
 * (vendor launch tables, found and dated by hand). `build-shipped-snapshot.ts` combines this with the
 * OpenRouter catalog capture, the models.dev benchmark extract and the aider leaderboard.
 *
 * Every figure here names the page it was read from and the date of the announcement it restates.
 */
import type { BenchmarkResult, ModelCapabilities, ModelPricing, UpstreamRoute } from '../core/model-index.js';

export interface ShippedModelSpec {
  /** OpenRouter id, exactly as in the catalog capture (or as announced, for `offCatalogModels`). */
  id: string;
  shortlist: boolean;
  /** The vendor's own API and model name, where the vendor serves the model itself. */
  native?: UpstreamRoute;
  /** A public max-output figure where the catalog states none. */
  maxOutputTokens?: { value: number; source: string; date: string };
}

/** A figure found outside the shared data files. */
export interface ShippedFigure extends BenchmarkResult {
  model: string;
}

/** A model the 2026-07 catalog capture predates, described from the vendor's announcement. */
export interface OffCatalogModel {
  id: string;
  name: string;
  /** Release date (YYYY-MM-DD). */
  released: string;
  pricing: ModelPricing;
  contextLength: number;
  maxOutputTokens: number;
  capabilities: ModelCapabilities;
  sources: { field: string; source: string; date: string }[];
}

const openAiMiniRelease = 'https://pubt.io/view/B3DD377845CE13185BE14C4C82F8CB9639C7F005';
const deepSeekV4Table =
  'https://www.besthub.dev/articles/deepseek-v4-launch-open-source-model-beats-closed-source-leaders-in-coding-math-1-6-t-params-1-m-context-0a228d643703';
const deepSeekV4Flash = 'https://www.continuumlabs.ai/inference/models';
const kimiK26Card = 'https://replicate.com/moonshotai/kimi-k2.6/readme';
const kimiK26Comparison = 'https://kili-technology.com/blog/data-story-kimi-k2-6';
const gpt55Launch = 'https://megaoneai.com/spotlight/gpt-5-5-openai-release-spud-benchmarks/';
const opus47Launch =
  'https://www.besthub.dev/articles/why-opus-4-7-demands-a-workflow-overhaul-not-just-smarter-ai-82d9f05fa89a';
const agentRoundup = 'https://frankx.ai/research/agent-benchmarks';
const smallModelComparison = 'https://promptunit.ai/blog/gpt-5-4-mini-vs-flagship-routing';

/**
 * The field of the shipped snapshots. Shortlisted: current, priced and benchmarked coding models
 * (including the 13-model lineup). Not shortlisted: current coding models that widen the benchmarked
 * field (released from October 2025, still in the catalog), superseded versions among them.
 */
export const shippedModels: readonly ShippedModelSpec[] = [
  // The lineup.
  { id: 'openai/gpt-5.5', shortlist: true, native: { upstream: 'openai', model: 'gpt-5.5' } },
  {
    id: 'google/gemini-3.1-pro-preview',
    shortlist: true,
    native: { upstream: 'gemini', model: 'gemini-3.1-pro-preview' },
  },
  {
    id: 'anthropic/claude-opus-4.7',
    shortlist: true,
    native: { upstream: 'anthropic', model: 'claude-opus-4-7' },
  },
  {
    id: 'deepseek/deepseek-v4-pro',
    shortlist: true,
    native: { upstream: 'deepseek', model: 'deepseek-v4-pro' },
  },
  { id: 'openai/gpt-5.4-mini', shortlist: true, native: { upstream: 'openai', model: 'gpt-5.4-mini' } },
  {
    id: 'anthropic/claude-sonnet-4.6',
    shortlist: true,
    native: { upstream: 'anthropic', model: 'claude-sonnet-4-6' },
  },
  { id: 'moonshotai/kimi-k2.6', shortlist: true, native: { upstream: 'moonshot', model: 'kimi-k2.6' } },
  { id: 'x-ai/grok-4.3', shortlist: true, native: { upstream: 'xai', model: 'grok-4.3' } },
  {
    id: 'deepseek/deepseek-v4-flash',
    shortlist: true,
    native: { upstream: 'deepseek', model: 'deepseek-v4-flash' },
  },
  {
    id: 'anthropic/claude-haiku-4.5',
    shortlist: true,
    native: { upstream: 'anthropic', model: 'claude-haiku-4-5' },
  },
  {
    id: 'z-ai/glm-5.1',
    shortlist: true,
    native: { upstream: 'zai', model: 'glm-5.1' },
    maxOutputTokens: {
      value: 131_072,
      source: 'https://apxml.com/zh/models/glm-51 (128K maximum output)',
      date: '2026-04-07',
    },
  },
  { id: 'xiaomi/mimo-v2.5-pro', shortlist: true, native: { upstream: 'xiaomi', model: 'mimo-v2.5-pro' } },
  // No vendor-side name for the preview could be confirmed, so OpenRouter only.
  { id: 'qwen/qwen3.6-max-preview', shortlist: true },
  // Further current, priced, benchmarked coding models.
  {
    id: 'anthropic/claude-opus-4.8',
    shortlist: true,
    native: { upstream: 'anthropic', model: 'claude-opus-4-8' },
  },
  { id: 'openai/gpt-5.4', shortlist: true, native: { upstream: 'openai', model: 'gpt-5.4' } },
  { id: 'openai/gpt-5.4-nano', shortlist: true, native: { upstream: 'openai', model: 'gpt-5.4-nano' } },
  {
    id: 'google/gemini-3-flash-preview',
    shortlist: true,
    native: { upstream: 'gemini', model: 'gemini-3-flash-preview' },
  },
  { id: 'qwen/qwen3.6-27b', shortlist: true, native: { upstream: 'qwen', model: 'qwen3.6-27b' } },
  { id: 'qwen/qwen3.6-35b-a3b', shortlist: true, native: { upstream: 'qwen', model: 'qwen3.6-35b-a3b' } },
  // The wider field.
  {
    id: 'anthropic/claude-opus-4.6',
    shortlist: false,
    native: { upstream: 'anthropic', model: 'claude-opus-4-6' },
  },
  {
    id: 'anthropic/claude-opus-4.5',
    shortlist: false,
    native: { upstream: 'anthropic', model: 'claude-opus-4-5' },
  },
  { id: 'openai/gpt-5.3-codex', shortlist: false, native: { upstream: 'openai', model: 'gpt-5.3-codex' } },
  { id: 'openai/gpt-5.2', shortlist: false, native: { upstream: 'openai', model: 'gpt-5.2' } },
  { id: 'openai/gpt-5.2-codex', shortlist: false, native: { upstream: 'openai', model: 'gpt-5.2-codex' } },
  // Released after the catalog capture; not shortlisted while its OpenRouter id is unconfirmed.
  { id: 'z-ai/glm-5.2', shortlist: false, native: { upstream: 'zai', model: 'glm-5.2' } },
  { id: 'z-ai/glm-5', shortlist: false, native: { upstream: 'zai', model: 'glm-5' } },
  { id: 'z-ai/glm-4.7', shortlist: false, native: { upstream: 'zai', model: 'glm-4.7' } },
  { id: 'z-ai/glm-4.7-flash', shortlist: false, native: { upstream: 'zai', model: 'glm-4.7-flash' } },
  { id: 'moonshotai/kimi-k2.5', shortlist: false, native: { upstream: 'moonshot', model: 'kimi-k2.5' } },
  {
    id: 'moonshotai/kimi-k2-thinking',
    shortlist: false,
    native: { upstream: 'moonshot', model: 'kimi-k2-thinking' },
  },
  { id: 'minimax/minimax-m2.5', shortlist: false },
  { id: 'minimax/minimax-m2.1', shortlist: false },
  {
    id: 'qwen/qwen3.5-397b-a17b',
    shortlist: false,
    native: { upstream: 'qwen', model: 'qwen3.5-397b-a17b' },
  },
  {
    id: 'qwen/qwen3.5-122b-a10b',
    shortlist: false,
    native: { upstream: 'qwen', model: 'qwen3.5-122b-a10b' },
  },
  { id: 'qwen/qwen3.5-27b', shortlist: false, native: { upstream: 'qwen', model: 'qwen3.5-27b' } },
  { id: 'qwen/qwen3-coder-next', shortlist: false },
  { id: 'stepfun/step-3.5-flash', shortlist: false },
  { id: 'tencent/hy3-preview', shortlist: false },
  {
    id: 'mistralai/mistral-medium-3-5',
    shortlist: false,
    native: { upstream: 'mistral', model: 'mistral-medium-2604' },
  },
];

/** Models released after the catalog capture; their figures come from the announcement coverage. */
export const offCatalogModels: readonly OffCatalogModel[] = [
  {
    id: 'anthropic/claude-opus-4.8',
    name: 'Claude Opus 4.8',
    released: '2026-05-28',
    pricing: { input: 5, output: 25 },
    contextLength: 1_000_000,
    maxOutputTokens: 128_000,
    // Structured output is not claimed: no source for it was found, and a false "yes" would misroute.
    capabilities: { tools: true, structuredOutput: false, reasoning: true, imageInput: true },
    sources: [
      {
        field: 'pricing',
        source: 'https://wavespeed.ai/blog/es/ai-api-pricing/opus-4-8-token-usage/',
        date: '2026-05-28',
      },
      {
        field: 'contextLength',
        source:
          'https://groundy.com/articles/opus-4-8-batch-api-1m-context-300k-output-and-team-cost-controls/',
        date: '2026-05-28',
      },
      {
        field: 'maxOutputTokens',
        source:
          'https://groundy.com/articles/opus-4-8-batch-api-1m-context-300k-output-and-team-cost-controls/',
        date: '2026-05-28',
      },
      { field: 'capabilities', source: 'https://reapi.ai/docs/claude-opus-4-8', date: '2026-05-28' },
      {
        field: 'upstreams',
        source:
          'OpenRouter id assumed from its naming of earlier Opus versions; the 2026-07 capture predates the model',
        date: '2026-05-28',
      },
    ],
  },
  {
    id: 'z-ai/glm-5.2',
    name: 'GLM 5.2',
    released: '2026-06-13',
    pricing: { input: 1.4, output: 4.4 },
    contextLength: 1_000_000,
    maxOutputTokens: 131_072,
    capabilities: { tools: true, structuredOutput: true, reasoning: true, imageInput: false },
    sources: [
      { field: 'pricing', source: 'https://docs.empiriolabs.ai/models/glm-5-2', date: '2026-06-13' },
      {
        field: 'contextLength',
        source: 'https://api.treerouter.ai/en/blog/glm-5-2-moe-1m-context-cost-guide',
        date: '2026-06-13',
      },
      { field: 'maxOutputTokens', source: 'https://docs.empiriolabs.ai/models/glm-5-2', date: '2026-06-13' },
      { field: 'capabilities', source: 'https://docs.empiriolabs.ai/models/glm-5-2', date: '2026-06-13' },
      {
        field: 'upstreams',
        source:
          'OpenRouter id assumed from its naming of GLM 5.1; z.ai model name from https://distk.in/blog/glm-5-2-api-integration-guide-2026.html',
        date: '2026-06-13',
      },
    ],
  },
];

const vendor = 'vendor-reported at launch';

/** Public figures the shared data files lack, each with the page it was read from. */
export const shippedFigures: readonly ShippedFigure[] = [
  // OpenAI GPT-5.4 mini and nano release table (with GPT-5.4 for comparison).
  {
    model: 'openai/gpt-5.4',
    benchmark: 'SWE-Bench Pro',
    value: 57.7,
    metric: 'percent resolved',
    source: openAiMiniRelease,
    date: '2026-03-17',
    note: `${vendor}; xhigh; public set`,
  },
  {
    model: 'openai/gpt-5.4',
    benchmark: 'Terminal-Bench 2.0',
    value: 75.1,
    metric: 'percent resolved',
    source: openAiMiniRelease,
    date: '2026-03-17',
    note: `${vendor}; xhigh`,
  },
  {
    model: 'openai/gpt-5.4-mini',
    benchmark: 'SWE-Bench Pro',
    value: 54.4,
    metric: 'percent resolved',
    source: openAiMiniRelease,
    date: '2026-03-17',
    note: `${vendor}; xhigh; public set`,
  },
  {
    model: 'openai/gpt-5.4-mini',
    benchmark: 'Terminal-Bench 2.0',
    value: 60,
    metric: 'percent resolved',
    source: openAiMiniRelease,
    date: '2026-03-17',
    note: `${vendor}; xhigh`,
  },
  {
    model: 'openai/gpt-5.4-nano',
    benchmark: 'SWE-Bench Pro',
    value: 52.4,
    metric: 'percent resolved',
    source: openAiMiniRelease,
    date: '2026-03-17',
    note: `${vendor}; xhigh; public set`,
  },
  {
    model: 'openai/gpt-5.4-nano',
    benchmark: 'Terminal-Bench 2.0',
    value: 46.3,
    metric: 'percent resolved',
    source: openAiMiniRelease,
    date: '2026-03-17',
    note: `${vendor}; xhigh`,
  },
  {
    model: 'anthropic/claude-haiku-4.5',
    benchmark: 'Terminal-Bench 2.0',
    value: 41,
    metric: 'percent resolved',
    source: smallModelComparison,
    date: '2026-03-17',
    note: "as compared in OpenAI's GPT-5.4 mini release",
  },
  {
    model: 'google/gemini-3-flash-preview',
    benchmark: 'Terminal-Bench 2.0',
    value: 47.6,
    metric: 'percent resolved',
    source: smallModelComparison,
    date: '2026-03-17',
    note: "as compared in OpenAI's GPT-5.4 mini release",
  },
  // GPT-5.5 launch table.
  {
    model: 'openai/gpt-5.5',
    benchmark: 'Terminal-Bench 2.0',
    value: 82.7,
    metric: 'percent resolved',
    source: gpt55Launch,
    date: '2026-04-23',
    note: vendor,
  },
  {
    model: 'openai/gpt-5.5',
    benchmark: 'SWE-Bench Pro',
    value: 58.6,
    metric: 'percent resolved',
    source: gpt55Launch,
    date: '2026-04-23',
    note: vendor,
  },
  {
    model: 'anthropic/claude-opus-4.7',
    benchmark: 'Terminal-Bench 2.0',
    value: 69.4,
    metric: 'percent resolved',
    source: gpt55Launch,
    date: '2026-04-23',
    note: "as compared in OpenAI's GPT-5.5 launch table",
  },
  {
    model: 'google/gemini-3.1-pro-preview',
    benchmark: 'Terminal-Bench 2.0',
    value: 68.5,
    metric: 'percent resolved',
    source:
      'https://dev.to/kowshik_jallipalli_a7e0a5/gpt-55-just-dropped-heres-what-the-benchmarks-are-hiding-3ich',
    date: '2026-04-23',
    note: "as compared in OpenAI's GPT-5.5 launch table",
  },
  // Claude Opus 4.7 launch.
  {
    model: 'anthropic/claude-opus-4.7',
    benchmark: 'SWE-Bench Verified',
    value: 87.6,
    metric: 'percent resolved',
    source: opus47Launch,
    date: '2026-04-16',
    note: vendor,
  },
  {
    model: 'anthropic/claude-opus-4.7',
    benchmark: 'SWE-Bench Pro',
    value: 64.3,
    metric: 'percent resolved',
    source: opus47Launch,
    date: '2026-04-16',
    note: vendor,
  },
  // Claude Sonnet 4.6 and Haiku 4.5 launches.
  {
    model: 'anthropic/claude-sonnet-4.6',
    benchmark: 'SWE-Bench Verified',
    value: 79.6,
    metric: 'percent resolved',
    source: 'https://www.modelcards.net/documents/8',
    date: '2026-02-17',
    note: `${vendor} (system card)`,
  },
  {
    model: 'anthropic/claude-haiku-4.5',
    benchmark: 'SWE-Bench Verified',
    value: 73.3,
    metric: 'percent resolved',
    source: 'https://crafiq.ai/models/language/anthropic-claude-4-5-haiku-reasoning',
    date: '2025-10-15',
    note: vendor,
  },
  // Kimi K2.6 model card, and the competitors in its comparison table.
  {
    model: 'moonshotai/kimi-k2.6',
    benchmark: 'SWE-Bench Verified',
    value: 80.2,
    metric: 'percent resolved',
    source: kimiK26Card,
    date: '2026-04-20',
    note: vendor,
  },
  {
    model: 'moonshotai/kimi-k2.6',
    benchmark: 'SWE-Bench Pro',
    value: 58.6,
    metric: 'percent resolved',
    source: kimiK26Card,
    date: '2026-04-20',
    note: vendor,
  },
  {
    model: 'moonshotai/kimi-k2.6',
    benchmark: 'Terminal-Bench 2.0',
    value: 66.7,
    metric: 'percent resolved',
    source: kimiK26Card,
    date: '2026-04-20',
    note: vendor,
  },
  {
    model: 'moonshotai/kimi-k2.6',
    benchmark: 'LiveCodeBench',
    value: 89.6,
    metric: 'percent correct',
    source: kimiK26Card,
    date: '2026-04-20',
    note: `${vendor}; LiveCodeBench v6`,
  },
  {
    model: 'anthropic/claude-opus-4.6',
    benchmark: 'SWE-Bench Pro',
    value: 53.4,
    metric: 'percent resolved',
    source: kimiK26Comparison,
    date: '2026-04-20',
    note: 'as compared in the Kimi K2.6 model card (max effort)',
  },
  {
    model: 'google/gemini-3.1-pro-preview',
    benchmark: 'SWE-Bench Pro',
    value: 54.2,
    metric: 'percent resolved',
    source: kimiK26Comparison,
    date: '2026-04-20',
    note: 'as compared in the Kimi K2.6 model card (thinking high)',
  },
  // DeepSeek V4 technical report, and the competitors in its tables.
  {
    model: 'deepseek/deepseek-v4-pro',
    benchmark: 'SWE-Bench Verified',
    value: 80.6,
    metric: 'percent resolved',
    source: deepSeekV4Table,
    date: '2026-04-24',
    note: `${vendor}; V4-Pro-Max`,
  },
  {
    model: 'deepseek/deepseek-v4-pro',
    benchmark: 'Terminal-Bench 2.0',
    value: 67.9,
    metric: 'percent resolved',
    source: deepSeekV4Table,
    date: '2026-04-24',
    note: `${vendor}; V4-Pro-Max`,
  },
  {
    model: 'deepseek/deepseek-v4-pro',
    benchmark: 'LiveCodeBench',
    value: 93.5,
    metric: 'percent correct',
    source: deepSeekV4Table,
    date: '2026-04-24',
    note: `${vendor}; V4-Pro-Max`,
  },
  {
    model: 'deepseek/deepseek-v4-flash',
    benchmark: 'SWE-Bench Verified',
    value: 79,
    metric: 'percent resolved',
    source: deepSeekV4Flash,
    date: '2026-04-24',
    note: `${vendor}; V4-Flash-Max, from the technical report`,
  },
  {
    model: 'deepseek/deepseek-v4-flash',
    benchmark: 'Terminal-Bench 2.0',
    value: 56.9,
    metric: 'percent resolved',
    source: deepSeekV4Flash,
    date: '2026-04-24',
    note: `${vendor}; V4-Flash-Max, from the technical report`,
  },
  {
    model: 'deepseek/deepseek-v4-flash',
    benchmark: 'LiveCodeBench',
    value: 91.6,
    metric: 'percent correct',
    source: deepSeekV4Flash,
    date: '2026-04-24',
    note: `${vendor}; V4-Flash-Max, from the technical report`,
  },
  {
    model: 'anthropic/claude-opus-4.6',
    benchmark: 'SWE-Bench Verified',
    value: 80.8,
    metric: 'percent resolved',
    source: deepSeekV4Table,
    date: '2026-04-24',
    note: 'as compared in the DeepSeek V4 report',
  },
  {
    model: 'anthropic/claude-opus-4.6',
    benchmark: 'LiveCodeBench',
    value: 88.8,
    metric: 'percent correct',
    source: deepSeekV4Table,
    date: '2026-04-24',
    note: 'as compared in the DeepSeek V4 report',
  },
  {
    model: 'anthropic/claude-opus-4.6',
    benchmark: 'Terminal-Bench 2.0',
    value: 65.4,
    metric: 'percent resolved',
    source: deepSeekV4Flash,
    date: '2026-04-24',
    note: 'as compared in the DeepSeek V4 report',
  },
  {
    model: 'google/gemini-3.1-pro-preview',
    benchmark: 'SWE-Bench Verified',
    value: 80.6,
    metric: 'percent resolved',
    source: deepSeekV4Table,
    date: '2026-04-24',
    note: 'as compared in the DeepSeek V4 report',
  },
  {
    model: 'google/gemini-3.1-pro-preview',
    benchmark: 'LiveCodeBench',
    value: 91.7,
    metric: 'percent correct',
    source: deepSeekV4Table,
    date: '2026-04-24',
    note: 'as compared in the DeepSeek V4 report',
  },
  // Z.ai GLM-5.1 and GLM-5.
  {
    model: 'z-ai/glm-5.1',
    benchmark: 'SWE-Bench Pro',
    value: 58.4,
    metric: 'percent resolved',
    source: 'https://apxml.com/zh/models/glm-51',
    date: '2026-04-07',
    note: vendor,
  },
  {
    model: 'z-ai/glm-5.1',
    benchmark: 'Terminal-Bench 2.0',
    value: 63.5,
    metric: 'percent resolved',
    source: 'https://apxml.com/zh/models/glm-51',
    date: '2026-04-07',
    note: vendor,
  },
  {
    model: 'z-ai/glm-5',
    benchmark: 'Terminal-Bench 2.0',
    value: 61.1,
    metric: 'percent resolved',
    source: 'https://unsloth.ai/docs/models/tutorials/glm-5',
    date: '2026-02-11',
    note: vendor,
  },
  // Google Gemini 3 Flash (and GPT-5.2 as compared there).
  {
    model: 'google/gemini-3-flash-preview',
    benchmark: 'SWE-Bench Verified',
    value: 78,
    metric: 'percent resolved',
    source:
      'https://dailyfullstack.tech/blog/google-deploys-gemini-3-flash-78-swe-bench-score-3x-speed-boost',
    date: '2025-12-17',
    note: vendor,
  },
  {
    model: 'openai/gpt-5.2',
    benchmark: 'SWE-Bench Verified',
    value: 80,
    metric: 'percent resolved',
    source:
      'https://dailyfullstack.tech/blog/google-deploys-gemini-3-flash-78-swe-bench-score-3x-speed-boost',
    date: '2025-12-17',
    note: 'xhigh, as compared in the Gemini 3 Flash launch coverage',
  },
  // February 2026 agent-benchmark roundup (vendor figures as published at the GPT-5.3 Codex and Qwen3-Coder-Next launches).
  {
    model: 'openai/gpt-5.3-codex',
    benchmark: 'Terminal-Bench 2.0',
    value: 77.3,
    metric: 'percent resolved',
    source: agentRoundup,
    date: '2026-02',
    note: vendor,
  },
  {
    model: 'anthropic/claude-opus-4.5',
    benchmark: 'Terminal-Bench 2.0',
    value: 59.3,
    metric: 'percent resolved',
    source: agentRoundup,
    date: '2026-02',
    note: vendor,
  },
  {
    model: 'qwen/qwen3-coder-next',
    benchmark: 'SWE-Bench Verified',
    value: 70.6,
    metric: 'percent resolved',
    source: agentRoundup,
    date: '2026-02',
    note: vendor,
  },
  {
    model: 'qwen/qwen3-coder-next',
    benchmark: 'SWE-Bench Pro',
    value: 44.3,
    metric: 'percent resolved',
    source: agentRoundup,
    date: '2026-02',
    note: vendor,
  },
  // Z.ai GLM-5.2 release (after the catalog capture).
  {
    model: 'z-ai/glm-5.2',
    benchmark: 'SWE-Bench Pro',
    value: 62.1,
    metric: 'percent resolved',
    source: 'https://inphronesys.com/?p=2130',
    date: '2026-06-13',
    note: vendor,
  },
  {
    model: 'z-ai/glm-5.2',
    benchmark: 'Terminal-Bench 2.1',
    value: 81,
    metric: 'percent resolved',
    source: 'https://glean.smartcoder.ai/a/glm-5-2-built-for-long-horizon-tasks-nxfy5b',
    date: '2026-06-13',
    note: `${vendor} (z.ai announcement)`,
  },
  // Qwen3.6 35B-A3B release.
  {
    model: 'qwen/qwen3.6-35b-a3b',
    benchmark: 'SWE-Bench Verified',
    value: 73.4,
    metric: 'percent resolved',
    source: 'https://awesomeagents.ai/news/qwen-3-6-35b-a3b-open-source-coder/',
    date: '2026-04-16',
    note: vendor,
  },
  {
    model: 'qwen/qwen3.6-35b-a3b',
    benchmark: 'Terminal-Bench 2.0',
    value: 51.5,
    metric: 'percent resolved',
    source: 'https://awesomeagents.ai/news/qwen-3-6-35b-a3b-open-source-coder/',
    date: '2026-04-16',
    note: vendor,
  },
];

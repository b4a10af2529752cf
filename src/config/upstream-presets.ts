/**
 * Known upstream vendors as configuration: protocol, default base URL, and the environment variables the
 * vendors' own SDKs read. A vendor is enabled when its key variable is set (or, for local servers, its
 * base-URL variable). Adding a vendor is a row here, never code.
 */
import type { ProtocolName } from '../providers/protocol-adapter.js';

export interface UpstreamPreset {
  name: string;
  displayName: string;
  protocol: ProtocolName;
  baseUrl: string;
  /** Variables holding the key, first set one wins. */
  keyEnv: string[];
  /** Variable overriding the base URL. */
  baseUrlEnv: string;
  /** Serves any model id it is given (OpenRouter serves every index model under its OpenRouter id). */
  passthrough?: boolean;
  /** Local servers need no key: enabled when the base-URL variable is set. */
  keyless?: boolean;
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  headers?: Record<string, string>;
  /** Continues a trailing assistant turn (see `UpstreamConfig.prefill`); the protocol's default when absent. */
  prefill?: boolean;
}

export const upstreamPresets: readonly UpstreamPreset[] = [
  {
    name: 'openrouter',
    displayName: 'OpenRouter',
    protocol: 'openai',
    baseUrl: 'https://openrouter.ai/api/v1',
    keyEnv: ['OPENROUTER_API_KEY'],
    baseUrlEnv: 'OPENROUTER_BASE_URL',
    passthrough: true,
    headers: { 'x-title': 'pareto-router' },
    // OpenRouter sends a trailing assistant message on as a prefill to the models that take one.
    prefill: true,
  },
  {
    name: 'openai',
    displayName: 'OpenAI',
    protocol: 'openai',
    baseUrl: 'https://api.openai.com/v1',
    keyEnv: ['OPENAI_API_KEY'],
    baseUrlEnv: 'OPENAI_BASE_URL',
    maxTokensField: 'max_completion_tokens',
  },
  {
    name: 'anthropic',
    displayName: 'Anthropic',
    protocol: 'anthropic',
    baseUrl: 'https://api.anthropic.com/v1',
    keyEnv: ['ANTHROPIC_API_KEY'],
    baseUrlEnv: 'ANTHROPIC_BASE_URL',
  },
  {
    name: 'gemini',
    displayName: 'Google AI Studio',
    protocol: 'gemini',
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta',
    keyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
    baseUrlEnv: 'GEMINI_BASE_URL',
  },
  {
    name: 'deepseek',
    displayName: 'DeepSeek',
    protocol: 'openai',
    baseUrl: 'https://api.deepseek.com',
    keyEnv: ['DEEPSEEK_API_KEY'],
    baseUrlEnv: 'DEEPSEEK_BASE_URL',
  },
  {
    name: 'moonshot',
    displayName: 'Moonshot AI',
    protocol: 'openai',
    baseUrl: 'https://api.moonshot.ai/v1',
    keyEnv: ['MOONSHOT_API_KEY'],
    baseUrlEnv: 'MOONSHOT_BASE_URL',
  },
  {
    name: 'xai',
    displayName: 'xAI',
    protocol: 'openai',
    baseUrl: 'https://api.x.ai/v1',
    keyEnv: ['XAI_API_KEY'],
    baseUrlEnv: 'XAI_BASE_URL',
  },
  {
    name: 'zai',
    displayName: 'Z.AI',
    protocol: 'openai',
    baseUrl: 'https://api.z.ai/api/paas/v4',
    keyEnv: ['ZAI_API_KEY'],
    baseUrlEnv: 'ZAI_BASE_URL',
  },
  {
    name: 'xiaomi',
    displayName: 'Xiaomi',
    protocol: 'openai',
    baseUrl: 'https://api.xiaomimimo.com/v1',
    keyEnv: ['XIAOMI_API_KEY', 'MIMO_API_KEY'],
    baseUrlEnv: 'XIAOMI_BASE_URL',
  },
  {
    name: 'qwen',
    displayName: 'Alibaba Cloud',
    protocol: 'openai',
    baseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
    keyEnv: ['DASHSCOPE_API_KEY', 'QWEN_API_KEY'],
    baseUrlEnv: 'DASHSCOPE_BASE_URL',
  },
  {
    name: 'mistral',
    displayName: 'Mistral',
    protocol: 'openai',
    baseUrl: 'https://api.mistral.ai/v1',
    keyEnv: ['MISTRAL_API_KEY'],
    baseUrlEnv: 'MISTRAL_BASE_URL',
  },
  {
    name: 'groq',
    displayName: 'Groq',
    protocol: 'openai',
    baseUrl: 'https://api.groq.com/openai/v1',
    keyEnv: ['GROQ_API_KEY'],
    baseUrlEnv: 'GROQ_BASE_URL',
  },
  {
    name: 'together',
    displayName: 'Together',
    protocol: 'openai',
    baseUrl: 'https://api.together.xyz/v1',
    keyEnv: ['TOGETHER_API_KEY'],
    baseUrlEnv: 'TOGETHER_BASE_URL',
  },
  {
    name: 'fireworks',
    displayName: 'Fireworks',
    protocol: 'openai',
    baseUrl: 'https://api.fireworks.ai/inference/v1',
    keyEnv: ['FIREWORKS_API_KEY'],
    baseUrlEnv: 'FIREWORKS_BASE_URL',
  },
  {
    name: 'ollama',
    displayName: 'Ollama',
    protocol: 'openai',
    baseUrl: 'http://127.0.0.1:11434/v1',
    keyEnv: ['OLLAMA_API_KEY'],
    baseUrlEnv: 'OLLAMA_BASE_URL',
    keyless: true,
  },
  {
    name: 'vllm',
    displayName: 'vLLM',
    protocol: 'openai',
    baseUrl: 'http://127.0.0.1:8000/v1',
    keyEnv: ['VLLM_API_KEY'],
    baseUrlEnv: 'VLLM_BASE_URL',
    keyless: true,
  },
  {
    name: 'llamacpp',
    displayName: 'llama.cpp',
    protocol: 'openai',
    baseUrl: 'http://127.0.0.1:8080/v1',
    keyEnv: ['LLAMACPP_API_KEY'],
    baseUrlEnv: 'LLAMACPP_BASE_URL',
    keyless: true,
  },
];

/** The OpenAI chat-completions protocol adapter, for every OpenAI-compatible upstream. */
import type { ProtocolAdapter } from '../protocol-adapter.js';
import { convertResponse } from './convert-response.js';
import { createStreamConverter } from './convert-stream.js';
import { createNativeOpenaiRequest } from './create-native-openai-request.js';
import { createOpenaiRequest } from './create-openai-request.js';
import { mapError } from './map-error.js';

/**
 * Speaks OpenAI's `/chat/completions`, as served by OpenAI, OpenRouter, DeepSeek, Moonshot, xAI, Z.ai,
 * Xiaomi, Qwen, Mistral, Groq, Together, Fireworks, vLLM, Ollama and llama.cpp. What differs between them
 * (base URL, key, headers, `maxTokensField`) is endpoint configuration; the adapter never asks which
 * vendor it talks to.
 */
export const openaiCompatibleAdapter: ProtocolAdapter = {
  protocol: 'openai',
  buildRequest: createOpenaiRequest,
  buildNativeRequest: createNativeOpenaiRequest,
  parseResponse: convertResponse,
  createStreamConverter,
  mapError,
};

/** The Gemini `generateContent` protocol adapter. */
import type { ProtocolAdapter } from '../protocol-adapter.js';
import { convertResponse } from './convert-response.js';
import { createStreamConverter } from './convert-stream.js';
import { createGeminiRequest, createNativeGeminiRequest } from './create-gemini-request.js';
import { mapError } from './map-error.js';

export { geminiDefaultBaseUrl } from './create-gemini-request.js';

/** Speaks Google's Gemini API (`generateContent` and `streamGenerateContent?alt=sse`). */
export const geminiAdapter: ProtocolAdapter = {
  protocol: 'gemini',
  buildRequest: createGeminiRequest,
  buildNativeRequest: createNativeGeminiRequest,
  parseResponse: convertResponse,
  createStreamConverter,
  mapError,
};

/** The Anthropic Messages API protocol adapter. */
import type { ProtocolAdapter } from '../protocol-adapter.js';
import { convertResponse } from './convert-response.js';
import { createStreamConverter } from './convert-stream.js';
import { createAnthropicRequest, createNativeAnthropicRequest } from './create-anthropic-request.js';
import { mapError } from './map-error.js';

/** Speaks `POST /v1/messages` (Anthropic, and servers compatible with its Messages API). */
export const anthropicAdapter: ProtocolAdapter = {
  protocol: 'anthropic',
  buildRequest: createAnthropicRequest,
  buildNativeRequest: createNativeAnthropicRequest,
  parseResponse: convertResponse,
  createStreamConverter,
  mapError,
};

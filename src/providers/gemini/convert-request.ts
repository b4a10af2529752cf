/** A canonical chat request converted to a Gemini GenerateContentRequest body. */
import type { ChatRequest } from '../../core/chat-request.js';
import { convertGenerationConfig } from './convert-generation-config.js';
import { convertMessages } from './convert-messages.js';
import { convertTools } from './convert-tools.js';
import type { GeminiGenerateContentRequest } from './gemini-request-types.js';

/**
 * Converts `request` to a GenerateContentRequest. Settings Gemini cannot express are listed in `warnings`;
 * a request that cannot be converted at all (bad tool-call arguments, an unknown tool_call_id) throws an
 * `invalid_request` RouterError.
 */
export function convertRequest(request: ChatRequest): {
  body: GeminiGenerateContentRequest;
  warnings: string[];
} {
  const warnings: string[] = [];
  const { systemInstruction, contents } = convertMessages(request.messages, warnings);
  const body: GeminiGenerateContentRequest = { contents };
  if (systemInstruction !== undefined) body.systemInstruction = systemInstruction;
  const { tools, toolConfig } = convertTools(request, warnings);
  if (tools !== undefined) body.tools = tools;
  if (toolConfig !== undefined) body.toolConfig = toolConfig;
  const generationConfig = convertGenerationConfig(request, warnings);
  if (generationConfig !== undefined) body.generationConfig = generationConfig;
  return { body, warnings };
}

/** Chat messages converted to Gemini's `systemInstruction` and alternating `contents`. */
import type { AssistantMessage, ChatMessage, ContentPart, ToolMessage } from '../../core/chat-request.js';
import { contentText } from '../../core/chat-request.js';
import { RouterError } from '../../core/errors.js';
import { isRecord } from '../../core/is-record.js';
import { convertContentPart } from './convert-content-part.js';
import type { GeminiContent, GeminiPart } from './gemini-request-types.js';

/**
 * The value Gemini documents for skipping thought-signature validation. Gemini 3 rejects replayed function
 * calls that lack the signature it attached to them, and the canonical request has no field to carry
 * that signature back, so replayed calls carry this value instead.
 */
export const skipThoughtSignature = 'skip_thought_signature_validator';

export interface ConvertedMessages {
  systemInstruction: { parts: { text: string }[] } | undefined;
  contents: GeminiContent[];
}

/**
 * Converts chat messages: system and developer messages become the system instruction, user and tool
 * messages `user` turns, assistant messages `model` turns; consecutive turns of one role are merged.
 */
export function convertMessages(messages: ChatMessage[], warnings: string[]): ConvertedMessages {
  const systemParts: { text: string }[] = [];
  const contents: GeminiContent[] = [];
  const toolNamesById = new Map<string, string>();

  const append = (role: GeminiContent['role'], parts: GeminiPart[]) => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    // Gemini wants turns to alternate; all results of one round of parallel calls must share one turn.
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  for (const [index, message] of messages.entries()) {
    const location = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer': {
        if (contents.length > 0) {
          warnings.push(
            `${location}: ${message.role} message after the conversation started moved into systemInstruction`,
          );
        }
        for (const part of convertParts(message.content, location, warnings)) {
          if ('text' in part) {
            systemParts.push(part);
          } else {
            warnings.push(
              `${location}: non-text content in a ${message.role} message is not supported by Gemini; dropped`,
            );
          }
        }
        break;
      }
      case 'user':
        append('user', convertParts(message.content, location, warnings));
        break;
      case 'assistant':
        append('model', convertAssistant(message, location, warnings, toolNamesById));
        break;
      case 'tool':
        append('user', [convertToolResult(message, location, warnings, toolNamesById)]);
        break;
      default: {
        const unknownMessage: never = message;
        throw new RouterError(
          'invalid_request',
          `${location}: unknown role ${JSON.stringify((unknownMessage as { role: unknown }).role)}`,
        );
      }
    }
  }

  return {
    systemInstruction: systemParts.length === 0 ? undefined : { parts: systemParts },
    contents,
  };
}

function convertParts(
  content: string | ContentPart[] | null | undefined,
  location: string,
  warnings: string[],
): GeminiPart[] {
  if (content == null || content === '') return [];
  if (typeof content === 'string') return [{ text: content }];
  const parts: GeminiPart[] = [];
  for (const [index, part] of content.entries()) {
    const converted = convertContentPart(part, `${location}.content[${index}]`, warnings);
    if (converted !== undefined) parts.push(converted);
  }
  return parts;
}

function convertAssistant(
  message: AssistantMessage,
  location: string,
  warnings: string[],
  toolNamesById: Map<string, string>,
): GeminiPart[] {
  // The `reasoning` echo of earlier turns is not sent: Gemini keeps no use for replayed thought text.
  const parts = convertParts(message.content, location, warnings);
  for (const [index, toolCall] of (message.tool_calls ?? []).entries()) {
    const args = parseArguments(toolCall.function.arguments, toolCall.id, `${location}.tool_calls[${index}]`);
    toolNamesById.set(toolCall.id, toolCall.function.name);
    // Gemini validates the signature of the first function call of a step only.
    parts.push(
      index === 0
        ? { functionCall: { name: toolCall.function.name, args }, thoughtSignature: skipThoughtSignature }
        : { functionCall: { name: toolCall.function.name, args } },
    );
  }
  return parts;
}

function parseArguments(text: string, callId: string, location: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RouterError(
      'invalid_request',
      `${location}: arguments of tool call "${callId}" are not valid JSON`,
    );
  }
  if (!isRecord(value)) {
    throw new RouterError(
      'invalid_request',
      `${location}: arguments of tool call "${callId}" must be a JSON object`,
    );
  }
  return value;
}

function convertToolResult(
  message: ToolMessage,
  location: string,
  warnings: string[],
  toolNamesById: Map<string, string>,
): GeminiPart {
  const name = toolNamesById.get(message.tool_call_id) ?? message.name;
  if (name === undefined) {
    throw new RouterError(
      'invalid_request',
      `${location}: tool message answers tool_call_id "${message.tool_call_id}", which no earlier assistant message called`,
    );
  }
  if (Array.isArray(message.content) && message.content.some((part) => part.type !== 'text')) {
    warnings.push(`${location}: non-text content in a tool result is not supported by Gemini; dropped`);
  }
  const text = contentText(message.content);
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Plain text results are sent as they are.
  }
  // Gemini's `response` must be an object: a JSON object result is sent as is, anything else is wrapped.
  const response = isRecord(parsed) ? parsed : { result: parsed };
  return { functionResponse: { name, response } };
}

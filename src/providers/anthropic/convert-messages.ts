/**
 * Chat-completions messages converted to the Messages API's `system` and strictly alternating
 * user/assistant turns. System and developer messages move to the top-level `system`; tool results
 * become `tool_result` blocks in a user turn; consecutive turns of one role are merged, because
 * Anthropic requires alternation.
 */
import type {
  AssistantMessage,
  ChatMessage,
  ContentPart,
  ImageContentPart,
  TextContentPart,
  ToolMessage,
} from '../../core/chat-request.js';
import { RouterError } from '../../core/errors.js';
import type {
  AnthropicContentBlock,
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicTextBlock,
  AnthropicToolResultBlock,
  AnthropicToolUseBlock,
} from './anthropic-request-body.js';

export interface ConvertedMessages {
  system: string | AnthropicTextBlock[] | undefined;
  messages: AnthropicMessage[];
}

const imageMediaTypes: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const dataUrlPattern = /^data:([^;,]+)((?:;[^;,]*)*);base64,/i;

/**
 * Tool call ids must match `^[a-zA-Z0-9_-]+$` on Anthropic, while a conversation may carry ids another
 * vendor minted (`functions.read_file:0`). The same replacement applies to `tool_use` and `tool_result`,
 * so pairs still match.
 */
export function sanitizeToolCallId(id: string): string {
  const sanitized = id.replace(/[^a-zA-Z0-9_-]/g, '_');
  return sanitized.length === 0 ? 'tool_call' : sanitized;
}

function invalid(message: string): RouterError {
  return new RouterError('invalid_request', message, { retryable: false });
}

function isBlank(text: string): boolean {
  return text.trim().length === 0;
}

function textBlock(part: TextContentPart): AnthropicTextBlock {
  const block: AnthropicTextBlock = { type: 'text', text: part.text };
  if (part.cache_control !== undefined) block.cache_control = part.cache_control;
  return block;
}

function isTextPart(part: ContentPart): part is TextContentPart {
  return part.type === 'text' && typeof (part as TextContentPart).text === 'string';
}

function isImagePart(part: ContentPart): part is ImageContentPart {
  const image = (part as ImageContentPart).image_url;
  return (
    part.type === 'image_url' && typeof image === 'object' && image !== null && typeof image.url === 'string'
  );
}

function imageBlock(url: string, where: string): AnthropicImageBlock {
  if (url.startsWith('https://') || url.startsWith('http://')) {
    return { type: 'image', source: { type: 'url', url } };
  }
  if (url.startsWith('data:')) {
    const match = dataUrlPattern.exec(url);
    if (match === null) throw invalid(`${where}: an image data URL must be base64-encoded`);
    let mediaType = (match[1] ?? '').toLowerCase();
    if (mediaType === 'image/jpg') mediaType = 'image/jpeg';
    if (!imageMediaTypes.has(mediaType)) {
      throw invalid(`${where}: image type ${mediaType} is not supported (use JPEG, PNG, GIF or WebP)`);
    }
    return {
      type: 'image',
      source: { type: 'base64', media_type: mediaType, data: url.slice(match[0].length) },
    };
  }
  throw invalid(`${where}: an image URL must be https, http or a data URL`);
}

/** Text and image blocks of user or tool content; other parts are reported and left out. */
function convertParts(
  content: string | ContentPart[],
  where: string,
  warnings: string[],
): (AnthropicTextBlock | AnthropicImageBlock)[] {
  // Anthropic rejects text blocks that are empty or only whitespace.
  if (typeof content === 'string') return isBlank(content) ? [] : [{ type: 'text', text: content }];
  const blocks: (AnthropicTextBlock | AnthropicImageBlock)[] = [];
  content.forEach((part, index) => {
    if (isTextPart(part)) {
      if (!isBlank(part.text)) blocks.push(textBlock(part));
    } else if (isImagePart(part)) {
      blocks.push(imageBlock(part.image_url.url, `${where}.content[${index}]`));
    } else {
      warnings.push(`${where}.content[${index}]: content part type ${part.type} is not supported; left out`);
    }
  });
  return blocks;
}

function convertAssistant(
  message: AssistantMessage,
  where: string,
  warnings: string[],
): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = [];
  const content = message.content;
  if (typeof content === 'string') {
    if (!isBlank(content)) blocks.push({ type: 'text', text: content });
  } else if (Array.isArray(content)) {
    content.forEach((part, index) => {
      if (isTextPart(part)) {
        if (!isBlank(part.text)) blocks.push(textBlock(part));
      } else {
        warnings.push(
          `${where}.content[${index}]: ${part.type} parts in assistant messages are not supported; left out`,
        );
      }
    });
  }
  // `reasoning` from an earlier turn is not sent: Anthropic only accepts thinking blocks carrying the
  // signature it issued, which the chat-completions shape does not carry.
  message.tool_calls?.forEach((call, index) => {
    blocks.push(
      convertToolCall(call.id, call.function.name, call.function.arguments, `${where}.tool_calls[${index}]`),
    );
  });
  return blocks;
}

function convertToolCall(
  id: string,
  name: string,
  argumentsText: string,
  where: string,
): AnthropicToolUseBlock {
  let input: unknown;
  if (isBlank(argumentsText)) {
    // Some models emit empty arguments for a tool without parameters.
    input = {};
  } else {
    try {
      input = JSON.parse(argumentsText);
    } catch {
      throw invalid(`${where}: the arguments of tool call ${id} are not valid JSON`);
    }
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid(`${where}: the arguments of tool call ${id} must be a JSON object`);
  }
  return { type: 'tool_use', id: sanitizeToolCallId(id), name, input: input as Record<string, unknown> };
}

function convertToolResult(
  message: ToolMessage,
  where: string,
  warnings: string[],
): AnthropicToolResultBlock {
  const block: AnthropicToolResultBlock = {
    type: 'tool_result',
    tool_use_id: sanitizeToolCallId(message.tool_call_id),
  };
  if (typeof message.content === 'string') {
    if (!isBlank(message.content)) block.content = message.content;
  } else {
    const parts = convertParts(message.content, where, warnings);
    if (parts.length > 0) block.content = parts;
  }
  return block;
}

function systemBlocks(
  content: string | ContentPart[],
  where: string,
  warnings: string[],
): AnthropicTextBlock[] {
  if (typeof content === 'string') return isBlank(content) ? [] : [{ type: 'text', text: content }];
  const blocks: AnthropicTextBlock[] = [];
  content.forEach((part, index) => {
    if (isTextPart(part)) {
      if (!isBlank(part.text)) blocks.push(textBlock(part));
    } else {
      warnings.push(
        `${where}.content[${index}]: ${part.type} parts in system messages are not supported; left out`,
      );
    }
  });
  return blocks;
}

/** Anthropic wants tool results first in a user turn, before any text that follows them. */
function toolResultsFirst(content: AnthropicContentBlock[]): AnthropicContentBlock[] {
  const results = content.filter((block) => block.type === 'tool_result');
  if (results.length === 0 || results.length === content.length) return content;
  return [...results, ...content.filter((block) => block.type !== 'tool_result')];
}

/** Converts chat messages to `system` and alternating turns, reporting what it had to leave out. */
export function convertMessages(chatMessages: readonly ChatMessage[], warnings: string[]): ConvertedMessages {
  const system: AnthropicTextBlock[] = [];
  let systemIsOneString = true;
  const turns: AnthropicMessage[] = [];
  let conversationStarted = false;

  const append = (role: 'user' | 'assistant', blocks: AnthropicContentBlock[]): void => {
    if (blocks.length === 0) return;
    const last = turns.at(-1);
    if (last !== undefined && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };

  chatMessages.forEach((message, index) => {
    const where = `messages[${index}]`;
    const role = message.role;
    switch (role) {
      case 'system':
      case 'developer': {
        if (conversationStarted) {
          warnings.push(
            `${where}: a ${role} message after the conversation start was moved to the system prompt`,
          );
        }
        const blocks = systemBlocks(message.content, where, warnings);
        if (typeof message.content !== 'string' || system.length > 0) systemIsOneString = false;
        system.push(...blocks);
        return;
      }
      case 'user':
        conversationStarted = true;
        append('user', convertParts(message.content, where, warnings));
        return;
      case 'assistant':
        conversationStarted = true;
        append('assistant', convertAssistant(message, where, warnings));
        return;
      case 'tool':
        conversationStarted = true;
        append('user', [convertToolResult(message, where, warnings)]);
        return;
      default: {
        const unknownRole: never = role;
        throw invalid(`${where}: unknown role ${String(unknownRole)}`);
      }
    }
  });

  for (const turn of turns) {
    if (turn.role === 'user') turn.content = toolResultsFirst(turn.content);
  }
  // A final assistant turn is a prefill, which Anthropic rejects when it ends in whitespace.
  const last = turns.at(-1);
  const lastBlock = last?.role === 'assistant' ? last.content.at(-1) : undefined;
  if (lastBlock?.type === 'text') lastBlock.text = lastBlock.text.trimEnd();

  if (turns.length === 0)
    throw invalid('messages: there is no user or assistant message with content to send');
  const firstSystem = system[0];
  let convertedSystem: string | AnthropicTextBlock[] | undefined;
  if (firstSystem === undefined) convertedSystem = undefined;
  else if (systemIsOneString && system.length === 1) convertedSystem = firstSystem.text;
  else convertedSystem = system;
  return { system: convertedSystem, messages: turns };
}

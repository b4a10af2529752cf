import type { ChatRequest } from './chat-request.js';

// Roughly four characters a token for English and code across the common tokenizers; the estimate only
// decides whether a prompt fits a context window, where a real tokenizer per model would cost more than
// the decision is worth. Images count as a flat 1,000 tokens each.
const charactersPerToken = 4;
const tokensPerMessage = 4;
const tokensPerImage = 1000;

/** A fast, deterministic estimate of a request's prompt tokens, for the context-length constraint. */
export function estimatePromptTokens(request: Pick<ChatRequest, 'messages' | 'tools'>): number {
  let characters = 0;
  let tokens = 0;
  for (const message of request.messages) {
    tokens += tokensPerMessage;
    const content = message.content;
    if (typeof content === 'string') characters += content.length;
    else if (Array.isArray(content)) {
      for (const part of content) {
        if (part.type === 'text' && typeof part.text === 'string') characters += part.text.length;
        else if (part.type === 'image_url') tokens += tokensPerImage;
      }
    }
    if (message.role === 'assistant' && message.tool_calls !== undefined) {
      for (const call of message.tool_calls)
        characters += call.function.name.length + call.function.arguments.length;
    }
  }
  if (request.tools !== undefined && request.tools.length > 0)
    characters += JSON.stringify(request.tools).length;
  return tokens + Math.ceil(characters / charactersPerToken);
}

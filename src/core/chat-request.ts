/**
 * The canonical chat request. It is the OpenAI / OpenRouter chat-completions wire shape, typed: that is
 * what clients send, so the OpenAI-compatible adapter forwards it almost untouched and only the Anthropic
 * and Gemini adapters convert. Fields the router does not know stay in the object and are forwarded to
 * OpenAI-compatible upstreams as they came.
 */

export interface TextContentPart {
  type: 'text';
  text: string;
  /** Anthropic-style cache breakpoint, accepted by OpenRouter on content parts. */
  cache_control?: { type: 'ephemeral'; ttl?: string };
}

export interface ImageContentPart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}

/** Content parts the router does not convert (audio, files...) are kept and forwarded when possible. */
export interface OtherContentPart {
  type: string;
  [key: string]: unknown;
}

export type ContentPart = TextContentPart | ImageContentPart | OtherContentPart;

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface SystemMessage {
  role: 'system' | 'developer';
  content: string | ContentPart[];
  name?: string;
}

export interface UserMessage {
  role: 'user';
  content: string | ContentPart[];
  name?: string;
}

export interface AssistantMessage {
  role: 'assistant';
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  /** OpenRouter's field for the model's reasoning text, sent back in multi-turn conversations. */
  reasoning?: string | null;
}

export interface ToolMessage {
  role: 'tool';
  content: string | ContentPart[];
  tool_call_id: string;
  name?: string;
}

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

export interface FunctionTool {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean;
  };
}

export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: { name: string; schema?: Record<string, unknown>; strict?: boolean; description?: string };
    };

/** OpenRouter's unified reasoning setting. */
export interface ReasoningSetting {
  effort?: 'xhigh' | 'high' | 'medium' | 'low' | 'minimal' | 'none';
  max_tokens?: number;
  exclude?: boolean;
  enabled?: boolean;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  stop?: string | string[];
  seed?: number;
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  reasoning?: ReasoningSetting;
  user?: string;
  /** Any other field: forwarded to OpenAI-compatible upstreams unchanged, ignored by the others. */
  [key: string]: unknown;
}

/** The output-token cap a request asked for, whichever of the two OpenAI names it used. */
export function requestedMaxTokens(request: ChatRequest): number | undefined {
  return request.max_completion_tokens ?? request.max_tokens;
}

/** The stop sequences of a request as a list. */
export function stopSequences(request: ChatRequest): string[] {
  if (request.stop === undefined) return [];
  return typeof request.stop === 'string' ? [request.stop] : request.stop;
}

/** Concatenated text of a message's content, ignoring non-text parts. */
export function contentText(content: string | ContentPart[] | null | undefined): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  let text = '';
  for (const part of content) {
    if (part.type === 'text' && typeof (part as TextContentPart).text === 'string') {
      text += (part as TextContentPart).text;
    }
  }
  return text;
}

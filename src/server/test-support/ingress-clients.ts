/**
 * One description per ingress protocol of how a plain client speaks it: where to POST, how to write a
 * one-turn body, and how to read the answer, the stream and the error envelope back. The conformance
 * suite runs the same cases through each, so every ingress keeps the same promises.
 */

export interface IngressCall {
  path: string;
  body: Record<string, unknown>;
}

export interface StreamReading {
  /** The answer text the stream added up to. */
  text: string;
  /** The model the stream named. */
  model: string | undefined;
  /** The protocol's in-band error, when the stream carried one. */
  error: string | undefined;
  /** The stream reached the protocol's normal end (usage and the terminator). */
  completed: boolean;
  /** Output tokens the stream reported at its end. */
  outputTokens: number | undefined;
}

export interface IngressClient {
  name: 'chat' | 'messages' | 'responses' | 'gemini';
  call(model: string, text: string, stream: boolean): IngressCall;
  /** The answer text, model and output tokens of a non-streamed answer. */
  read(json: any): { text: string; model: string; outputTokens: number };
  readStream(messages: { event: string | undefined; data: string }[]): StreamReading;
  /** True when `json` is this protocol's error envelope. */
  isEnvelope(json: any): boolean;
  /** Bodies malformed in ways only this protocol has (unknown block types, unmatched tool results). */
  invalidBodies: readonly [label: string, body: Record<string, unknown>][];
}

function parseAll(messages: { event: string | undefined; data: string }[]): any[] {
  return messages.filter((message) => message.data !== '[DONE]').map((message) => JSON.parse(message.data));
}

export const chatClient: IngressClient = {
  name: 'chat',
  call: (model, text, stream) => ({
    path: '/api/v1/chat/completions',
    body: { model, stream, messages: [{ role: 'user', content: text }] },
  }),
  read: (json) => ({
    text: json.choices[0].message.content,
    model: json.model,
    outputTokens: json.usage.completion_tokens,
  }),
  readStream(messages) {
    const chunks = parseAll(messages);
    const error = chunks.find((chunk) => chunk.error !== undefined)?.error?.message;
    const usage = chunks.find((chunk) => chunk.usage !== undefined)?.usage;
    return {
      text: chunks.map((chunk) => chunk.choices?.[0]?.delta?.content ?? '').join(''),
      model: chunks[0]?.model,
      error,
      completed: usage !== undefined && messages.at(-1)?.data === '[DONE]',
      outputTokens: usage?.completion_tokens,
    };
  },
  isEnvelope: (json) => typeof json?.error?.code === 'number' && typeof json.error.message === 'string',
  invalidBodies: [
    ['an unknown role', { model: 'pareto-code', messages: [{ role: 'robot', content: 'x' }] }],
    ['no messages', { model: 'pareto-code', messages: [] }],
  ],
};

export const messagesClient: IngressClient = {
  name: 'messages',
  call: (model, text, stream) => ({
    path: '/v1/messages',
    body: { model, stream, max_tokens: 1024, messages: [{ role: 'user', content: text }] },
  }),
  read: (json) => ({
    text: json.content
      .filter((block: any) => block.type === 'text')
      .map((block: any) => block.text)
      .join(''),
    model: json.model,
    outputTokens: json.usage.output_tokens,
  }),
  readStream(messages) {
    const events = parseAll(messages);
    const delta = events.filter((event) => event.type === 'message_delta').at(-1);
    return {
      text: events
        .filter((event) => event.type === 'content_block_delta' && event.delta.type === 'text_delta')
        .map((event) => event.delta.text)
        .join(''),
      model: events.find((event) => event.type === 'message_start')?.message?.model,
      error: events.find((event) => event.type === 'error')?.error?.message,
      completed: events.at(-1)?.type === 'message_stop',
      outputTokens: delta?.usage?.output_tokens,
    };
  },
  isEnvelope: (json) =>
    json?.type === 'error' && typeof json.error?.type === 'string' && typeof json.error.message === 'string',
  invalidBodies: [
    [
      'an unknown content block type',
      {
        model: 'pareto-code',
        max_tokens: 10,
        messages: [{ role: 'user', content: [{ type: 'hologram', data: 'x' }] }],
      },
    ],
    [
      'a tool_result with no matching tool_use',
      {
        model: 'pareto-code',
        max_tokens: 10,
        messages: [
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_nope', content: 'x' }] },
        ],
      },
    ],
    ['no max_tokens', { model: 'pareto-code', messages: [{ role: 'user', content: 'x' }] }],
  ],
};

export const responsesClient: IngressClient = {
  name: 'responses',
  call: (model, text, stream) => ({ path: '/v1/responses', body: { model, stream, input: text } }),
  read: (json) => ({
    text: json.output
      .filter((item: any) => item.type === 'message')
      .flatMap((item: any) => item.content)
      .filter((part: any) => part.type === 'output_text')
      .map((part: any) => part.text)
      .join(''),
    model: json.model,
    outputTokens: json.usage.output_tokens,
  }),
  readStream(messages) {
    const events = parseAll(messages);
    const completed = events.find((event) => event.type === 'response.completed');
    const failed = events.find((event) => event.type === 'response.failed');
    return {
      text: events
        .filter((event) => event.type === 'response.output_text.delta')
        .map((event) => event.delta)
        .join(''),
      model: events.find((event) => event.type === 'response.created')?.response?.model,
      error: failed?.response?.error?.message,
      completed: completed !== undefined,
      outputTokens: completed?.response?.usage?.output_tokens,
    };
  },
  isEnvelope: (json) => typeof json?.error?.message === 'string' && 'type' in json.error,
  invalidBodies: [
    ['an unknown input item type', { model: 'pareto-code', input: [{ type: 'hologram', data: 'x' }] }],
    [
      'a function_call_output with no matching call',
      { model: 'pareto-code', input: [{ type: 'function_call_output', call_id: 'call_nope', output: 'x' }] },
    ],
    [
      'previous_response_id (nothing is stored)',
      { model: 'pareto-code', input: 'x', previous_response_id: 'resp_1' },
    ],
  ],
};

export const geminiClient: IngressClient = {
  name: 'gemini',
  call: (model, text, stream) => ({
    path: `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
    body: { contents: [{ role: 'user', parts: [{ text }] }] },
  }),
  read: (json) => ({
    text: json.candidates[0].content.parts
      .filter((part: any) => typeof part.text === 'string' && part.thought !== true)
      .map((part: any) => part.text)
      .join(''),
    model: json.modelVersion,
    outputTokens: json.usageMetadata.candidatesTokenCount,
  }),
  readStream(messages) {
    const chunks = parseAll(messages);
    const last = chunks.filter((chunk) => chunk.candidates !== undefined).at(-1);
    return {
      text: chunks
        .flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? [])
        .filter((part: any) => typeof part.text === 'string' && part.thought !== true)
        .map((part: any) => part.text)
        .join(''),
      model: chunks[0]?.modelVersion,
      error: chunks.find((chunk) => chunk.error !== undefined)?.error?.message,
      completed: last?.candidates?.[0]?.finishReason !== undefined && last?.usageMetadata !== undefined,
      outputTokens: last?.usageMetadata?.candidatesTokenCount,
    };
  },
  isEnvelope: (json) =>
    typeof json?.error?.code === 'number' &&
    typeof json.error.message === 'string' &&
    typeof json.error.status === 'string',
  invalidBodies: [
    ['an unknown part kind', { contents: [{ role: 'user', parts: [{ hologram: 'x' }] }] }],
    [
      'a functionResponse with no earlier call',
      {
        contents: [
          { role: 'user', parts: [{ functionResponse: { name: 'ls', response: { output: 'x' } } }] },
        ],
      },
    ],
  ],
};

export const ingressClients: readonly IngressClient[] = [
  chatClient,
  messagesClient,
  responsesClient,
  geminiClient,
];

/** POSTs a body to the router; returns status, headers and the parsed JSON (or the raw text). */
export async function postJson(
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: any; text: string }> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** POSTs and splits the SSE answer into messages (event name and data; comments dropped). */
export async function postSse(
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; messages: { event: string | undefined; data: string }[] }> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const raw = await response.text();
  const messages: { event: string | undefined; data: string }[] = [];
  for (const block of raw.split(/\r?\n\r?\n/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) messages.push({ event, data: data.join('\n') });
  }
  return { status: response.status, headers: response.headers, messages };
}

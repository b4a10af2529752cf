/**
 * The Response object around an answer's output, as the non-streamed body and inside the stream's
 * lifecycle events. The adapter sees the answer, not the request, so request echoes (`tools`,
 * `temperature`, `instructions`...) carry the API's defaults rather than what the caller sent.
 */
import type { ResponseIdentity } from '../ingress-adapter.js';
import { createResponseId } from './create-item-id.js';
import type { IncompleteReason, ResponseStatus } from './map-finish-reason.js';
import type { OutputItem } from './render-output-items.js';
import type { renderUsage } from './render-usage.js';

/** The parts of a Response object that change with the answer's state. */
export interface ResponseObjectOptions {
  status: ResponseStatus;
  output: OutputItem[];
  usage: ReturnType<typeof renderUsage> | null;
  error?: { code: string; message: string };
  incompleteReason?: IncompleteReason;
}

/** The Response object for generation `identity` in the given state. */
export function createResponseObject(identity: ResponseIdentity, options: ResponseObjectOptions) {
  return {
    id: createResponseId(identity.id),
    object: 'response',
    created_at: identity.created,
    // OpenRouter's SDK requires these keys (null allowed) and rejects a Response without them.
    completed_at: options.status === 'completed' ? Math.floor(Date.now() / 1000) : null,
    status: options.status,
    background: false,
    error: options.error ?? null,
    incomplete_details: options.incompleteReason === undefined ? null : { reason: options.incompleteReason },
    instructions: null,
    max_output_tokens: null,
    model: identity.model,
    output: options.output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: null,
    frequency_penalty: null,
    presence_penalty: null,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: null,
    truncation: 'disabled',
    usage: options.usage,
    user: null,
    metadata: {},
    provider: identity.provider,
  };
}

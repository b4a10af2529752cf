/** Tool call ids for Gemini function calls, which usually come without one. */
import type { GeminiFunctionCall } from './gemini-response-schema.js';

/** Longest piece of the response id kept in a generated tool call id. */
const maxResponseIdLength = 32;

/**
 * The id of the `index`-th function call of a response: the upstream's own id when it sent one, otherwise
 * `call_<responseId>_<index>`. The response id keeps ids unique across the turns of a conversation (a
 * bare `call_0` in every turn would collide when the history is later sent to a protocol that requires
 * unique ids); `call_<index>` is the fallback when the response has no id.
 */
export function createToolCallId(
  functionCall: GeminiFunctionCall,
  responseId: string | null | undefined,
  index: number,
): string {
  if (functionCall.id != null && functionCall.id !== '') return functionCall.id;
  const responsePart = (responseId ?? '').replace(/[^A-Za-z0-9_-]/g, '').slice(0, maxResponseIdLength);
  return responsePart === '' ? `call_${index}` : `call_${responsePart}_${index}`;
}

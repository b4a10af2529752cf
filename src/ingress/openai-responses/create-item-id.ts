/**
 * Ids of a rendered response, all derived from the router's generation id so they are stable within a
 * response and unique across responses. The response id is `resp_` + the generation id: strip the prefix
 * (or read the `x-generation-id` header) to look the call up in `/api/v1/generation`.
 */

/** Prefixes OpenAI uses for each kind of output item. */
export type ItemIdPrefix = 'rs' | 'msg' | 'fc' | 'ctc' | 'lsh';

/** The Responses id of the answer to generation `generationId`. */
export function createResponseId(generationId: string): string {
  return `resp_${generationId}`;
}

/** The id of the output item at `outputIndex`: unique within the response by its index. */
export function createItemId(prefix: ItemIdPrefix, generationId: string, outputIndex: number): string {
  return `${prefix}_${generationId}_${outputIndex}`;
}

/**
 * The `id` of an answer: `msg_` and the router's generation id (`msg_gen-1733500000-...`). The prefix is
 * the one Anthropic's ids carry; the generation id after it is the key of
 * `GET /api/v1/generation?id=<generation id>` and is also sent as the `x-generation-id` header.
 */

/** The Messages `id` for a generation id. */
export function createMessageId(generationId: string): string {
  return `msg_${generationId}`;
}

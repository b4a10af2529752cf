/**
 * The `id` of a tool_use block rendered from a canonical tool call. Anthropic accepts only
 * `^[a-zA-Z0-9_-]+$` in tool ids and Claude Code sends them back in its next request, which may go to an
 * Anthropic upstream natively; so ids minted by other providers (`functions.read_file:0`) are rewritten
 * the same way the upstream adapter rewrites them, and a missing id is made from the generation id.
 */
import { sanitizeToolCallId } from '../../providers/anthropic/convert-messages.js';

/** An Anthropic-valid tool_use id for the tool call at `index` of the generation `generationId`. */
export function createToolUseId(id: string | undefined, generationId: string, index: number): string {
  if (id === undefined || id === '') return sanitizeToolCallId(`toolu_${generationId}_${index}`);
  return sanitizeToolCallId(id);
}

/**
 * The one place Server-Sent Events text is written. Data is written on a single `data:` line, which is
 * valid because JSON.stringify never emits a raw newline.
 */

/** One SSE message carrying `data` (already serialized), optionally with an event name. */
export function formatSseMessage(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}

/** An SSE comment line, ignored by clients; used as a keep-alive while the upstream thinks. */
export function formatSseComment(text: string): string {
  return `: ${text}\n\n`;
}

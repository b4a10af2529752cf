/**
 * How a stream rescue is reported: the request log's `settings.rescue`, and the SSE comment written
 * just before a stream's closing frames (where the protocol allows comments).
 */
import type { RescueReport } from '../executor/execute-chat.js';

/** The request log's record of a rescue. */
export function rescueSettings(rescue: RescueReport): Record<string, unknown> {
  return {
    from_model: rescue.from.model,
    from_upstream: rescue.from.upstream,
    error: rescue.from.error,
    by_model: rescue.by?.model ?? null,
    by_upstream: rescue.by?.upstream ?? null,
    attempts: rescue.attempts,
  };
}

/** One line of `key=value` pairs, for the stream comment `: x-pareto-rescue ...`. */
export function rescueComment(rescue: RescueReport): string {
  const by = rescue.by === undefined ? 'to=none' : `to=${rescue.by.model} via=${rescue.by.upstream}`;
  return `x-pareto-rescue from=${rescue.from.model} upstream=${rescue.from.upstream} error=${rescue.from.error} ${by} attempts=${rescue.attempts}`;
}

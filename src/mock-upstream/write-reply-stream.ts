/**
 * Writes a stream's frames at a model's pace and applies the stream faults at the chunk they name.
 * Frames that are due are batched into one write; pacing uses one timer at a time, and back-pressure is
 * honoured by waiting for `drain`.
 */
import type { Exchange } from './exchange.js';
import type { StreamFrame } from './protocol-wire.js';

/** How a stream ends early: the socket closes, the stream goes silent, or an in-stream error ends it. */
export interface StreamStop {
  kind: 'cut' | 'stall' | 'midstream_error';
  /** Content chunks sent before the stop; beyond the last chunk, the stop comes before the finish. */
  afterChunks: number;
}

export interface StreamJob {
  frames: readonly StreamFrame[];
  /** Pacing; 0 or less sends every frame at once. */
  tokensPerSecond: number;
  /** Delay between the headers and the first frame. */
  firstFrameDelayMs: number;
  stop: StreamStop | undefined;
  /** Inject `malformedText` after this many content chunks. */
  malformedAtChunk: number | undefined;
  malformedText: string;
  midstreamErrorText: string;
  /** Leave out `done` frames (the `no_done` fault). */
  dropDone: boolean;
}

/** Streams `job` into the exchange's response, whose head is already set. */
export function writeReplyStream(exchange: Exchange, job: StreamJob): void {
  const { response } = exchange;
  const { frames, stop } = job;
  const paced = job.tokensPerSecond > 0 && Number.isFinite(job.tokensPerSecond);
  let index = 0;
  let contentSent = 0;
  let tokensSent = 0;
  let contentOver = false;
  let malformedSent = job.malformedAtChunk === undefined;
  let startedAt = 0;

  const step = (): void => {
    if (exchange.ended) return;
    let batch = '';
    while (index < frames.length) {
      const frame = frames[index]!;
      // Faults apply before a content chunk, and once at the end of the content for counts beyond it.
      const atEnd = frame.kind !== 'content' && frame.kind !== 'frame' && !contentOver;
      if (frame.kind === 'content' || atEnd) {
        if (atEnd) contentOver = true;
        if (!malformedSent && (atEnd || contentSent >= job.malformedAtChunk!)) {
          malformedSent = true;
          batch += job.malformedText;
        }
        if (stop !== undefined && (atEnd || contentSent >= stop.afterChunks)) {
          finishEarly(exchange, stop, batch, job.midstreamErrorText);
          return;
        }
      }
      if (frame.kind === 'content' && paced) {
        const dueAt = startedAt + ((tokensSent + frame.tokens) * 1000) / job.tokensPerSecond;
        const wait = dueAt - performance.now();
        if (wait >= 1) {
          if (batch.length > 0 && !response.write(batch)) {
            response.once('drain', step);
            return;
          }
          exchange.after(wait, step);
          return;
        }
      }
      index += 1;
      if (frame.kind === 'content') {
        contentSent += 1;
        tokensSent += frame.tokens;
      }
      if (frame.kind === 'done' && job.dropDone) continue;
      batch += frame.text;
    }
    response.end(batch);
  };

  const start = (): void => {
    startedAt = performance.now();
    step();
  };
  if (job.firstFrameDelayMs > 0) {
    response.flushHeaders();
    exchange.after(job.firstFrameDelayMs, start);
  } else {
    start();
  }
}

function finishEarly(
  exchange: Exchange,
  stop: StreamStop,
  pending: string,
  midstreamErrorText: string,
): void {
  const { response } = exchange;
  switch (stop.kind) {
    case 'cut':
      exchange.cut(pending);
      return;
    case 'stall':
      // Silent from here on, connection open: only the client or close() ends it.
      if (pending.length > 0) response.write(pending);
      else response.flushHeaders();
      return;
    case 'midstream_error':
      response.end(pending + midstreamErrorText);
      return;
  }
}

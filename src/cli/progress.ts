/**
 * Progress on stderr for steps that can take more than a second: drawn with cli-progress, only on a
 * terminal, and only once the step has run for a second, so quick runs and pipes print nothing extra.
 */
import { SingleBar } from 'cli-progress';

export interface Spinner {
  stop: () => void;
}

/** An indeterminate bar (`label [====    ] 3s`) for a step whose length is unknown. */
export function startSpinner(
  terminal: boolean,
  label: string,
  stream: NodeJS.WritableStream = process.stderr,
): Spinner {
  if (!terminal) return { stop: () => undefined };
  let bar: SingleBar | undefined;
  let ticks = 0;
  const timer = setInterval(() => {
    if (bar === undefined) {
      bar = new SingleBar({
        format: `${label} [{bar}] {duration}s`,
        stream,
        hideCursor: true,
        clearOnComplete: true,
        // The caller decided this is a terminal (the stream may not say so behind a wrapper).
        noTTYOutput: true,
      });
      bar.start(10, 0);
    }
    ticks = (ticks + 1) % 11;
    bar.update(ticks);
  }, 1_000);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      bar?.stop();
    },
  };
}

/** Runs `work` with a spinner that stops however the work ends. */
export async function withSpinner<Result>(
  terminal: boolean,
  label: string,
  work: () => Promise<Result>,
): Promise<Result> {
  const spinner = startSpinner(terminal, label);
  try {
    return await work();
  } finally {
    spinner.stop();
  }
}

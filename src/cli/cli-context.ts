/**
 * What a command needs from the outside world: where to write, whether to colour, how to load a
 * snapshot, how to read and write files. `main` builds it from the process; tests pass their own.
 */
import { open, writeFile } from 'node:fs/promises';
import type { IndexSnapshot } from '../core/model-index.js';
import { loadSnapshot } from '../index/snapshot-store.js';

export interface SnapshotRequest {
  version?: string;
  dataDir?: string;
}

export interface CliContext {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Colour in tables: only when stdout is a terminal and NO_COLOR is unset. */
  colour: boolean;
  /** Progress bars on stderr: only when stderr is a terminal. */
  progress: boolean;
  loadSnapshot: (request: SnapshotRequest) => Promise<IndexSnapshot>;
  /** Reads a UTF-8 file of at most `maxBytes`; rejects with the Node.js error or a RangeError. */
  readTextFile: (path: string, maxBytes: number) => Promise<string>;
  writeTextFile: (path: string, text: string) => Promise<void>;
  environment: Readonly<Record<string, string | undefined>>;
  /** The clock, in epoch milliseconds: `--since 1h` and key creation times are read from it. */
  now: () => number;
}

/** Reads a UTF-8 file, refusing files larger than `maxBytes` before reading them. */
export async function readCappedTextFile(path: string, maxBytes: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) {
      throw new RangeError(`${path} is ${size} bytes; the limit is ${maxBytes}`);
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

let pipeGuardInstalled = false;

/**
 * `pareto-router models | head` closes stdout early; the write then fails with EPIPE, and an unhandled
 * stream error would print a stack trace. Output nobody reads is not a failure, so it is dropped.
 */
function ignoreClosedStdout(): void {
  if (pipeGuardInstalled) return;
  pipeGuardInstalled = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    process.stderr.write(`pareto-router: cannot write to stdout: ${error.message}\n`);
    process.exitCode = 1;
  });
}

/** The context of a real run: process streams, the snapshot store, the file system. */
export function createProcessContext(): CliContext {
  ignoreClosedStdout();
  const noColour = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return {
    stdout: (text) => {
      process.stdout.write(text);
    },
    stderr: (text) => {
      process.stderr.write(text);
    },
    colour: process.stdout.isTTY === true && !noColour,
    progress: process.stderr.isTTY === true,
    loadSnapshot: (request) => loadSnapshot(request),
    readTextFile: readCappedTextFile,
    writeTextFile: (path, text) => writeFile(path, text, 'utf8'),
    environment: process.env,
    now: () => Date.now(),
  };
}

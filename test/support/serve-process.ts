/**
 * `pareto-router serve` as a child process of a test, on the built bin: started against an upstream and a
 * data directory, optionally as another user, with its output captured for assertions.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { binPath, rootDir } from './built-bin.js';

export interface ServeOptions {
  dataDir: string;
  /** Base URL of the OpenAI-compatible upstream, e.g. `${mock.url}/api/v1`; none with `demo`. */
  upstreamUrl?: string;
  /** `serve --demo`: the built-in fake upstream answers. */
  demo?: boolean;
  /** Run the bin as a program (through its shell line, as `npx pareto-router` does), not with `node bin`. */
  asProgram?: boolean;
  /** Run as this user and group (the test must be root to use them). */
  uid?: number;
  gid?: number;
  logLevel?: string;
  /** More `serve` arguments (`--workers 2`...). */
  args?: string[];
  /** More environment variables (DATABASE_URL, REDIS_URL...). */
  env?: Record<string, string>;
  /** Give `--data-dir` before the command name (`pareto-router --data-dir DIR serve`). */
  dataDirFirst?: boolean;
  /** HOME of the child (default: the data directory). */
  home?: string;
  /** Options for node itself, before the bin (not with `asProgram`). */
  nodeArgs?: string[];
}

export interface ServeProcess {
  child: ChildProcess;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

export interface RunningServe extends ServeProcess {
  url: string;
}

/** Spawns `serve` on a free port; nothing is awaited. */
export function spawnServe(options: ServeOptions): ServeProcess {
  const demo = options.demo ? ['--demo'] : [];
  const extra = options.args ?? [];
  const args = options.dataDirFirst
    ? ['--data-dir', options.dataDir, 'serve', '--port', '0', ...demo, ...extra]
    : ['serve', '--port', '0', '--data-dir', options.dataDir, ...demo, ...extra];
  const child = spawn(
    options.asProgram ? binPath : process.execPath,
    options.asProgram ? args : [...(options.nodeArgs ?? []), binPath, ...args],
    {
      cwd: rootDir,
      env: {
        PATH: process.env.PATH,
        HOME: options.home ?? options.dataDir,
        OPENROUTER_API_KEY: 'sk-or-test-0123456789abcdef',
        ...(options.upstreamUrl === undefined ? {} : { OPENROUTER_BASE_URL: options.upstreamUrl }),
        PARETO_ROUTER_LOG_LEVEL: options.logLevel ?? 'warn',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (data: Buffer) => {
    stdout += data.toString();
  });
  child.stderr?.on('data', (data: Buffer) => {
    stderr += data.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** Spawns `serve` and resolves once it listens; rejects with its output when it exits first. */
export function startServe(options: ServeOptions): Promise<RunningServe> {
  const serve = spawnServe(options);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      serve.child.kill('SIGKILL');
      reject(new Error(`serve did not start:\n${serve.stderr()}`));
    }, 30_000);
    serve.child.stderr?.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(serve.stderr());
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ ...serve, url: match[1] });
      }
    });
    serve.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${serve.stderr()}`));
    });
  });
}

/** One plain call to `openrouter/pareto-code`; resolves with the status and the generation id. */
export async function callRouter(url: string): Promise<{ status: number; id: string | undefined }> {
  const response = await fetch(`${url}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
    body: JSON.stringify({
      model: 'openrouter/pareto-code',
      messages: [{ role: 'user', content: 'Write a function that adds two numbers.' }],
    }),
  });
  const json = (await response.json()) as { id?: unknown };
  return { status: response.status, id: typeof json.id === 'string' ? json.id : undefined };
}

#!/usr/bin/env node
// A plain Node.js program, so npm's shims run it on Linux, macOS and Windows alike.
//
// `serve` runs best with two V8 options a running process can no longer change, each measured with
// `npm run bench` (bench/README.md, "The bin and its V8 options"): a 4 MB young-generation semi-space
// instead of V8's 16 MB, which under load otherwise fills with mostly garbage (28 MB less peak RSS
// on Node.js 20, 72 MB on 24), and two V8 helper threads instead of four. Where Node.js can replace the running process
// (process.execve: Linux and macOS, Node.js 22.15 and later), `serve` restarts itself once with them,
// in the same process id. Elsewhere (Windows, Node.js 20) it runs without; NODE_OPTIONS gives the same:
// NODE_OPTIONS="--max-semi-space-size=4 --v8-pool-size=2". An option already set in NODE_OPTIONS or on
// node's command line wins (with both set, nothing restarts).
const tuning = [
  [/--max[-_]semi[-_]space[-_]size/, '--max-semi-space-size=4'],
  [/--v8[-_]pool[-_]size/, '--v8-pool-size=2'],
];
const given = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`;
const missing = tuning.filter(([pattern]) => !pattern.test(given)).map(([, option]) => option);
if (
  missing.length > 0 &&
  process.argv.slice(2).includes('serve') &&
  process.platform !== 'win32' && // execve exists there too, but throws
  typeof process.execve === 'function'
) {
  process.execve(
    process.execPath,
    [process.execPath, ...process.execArgv, ...missing, ...process.argv.slice(1)],
    process.env,
  );
}

const { main } = await import('../dist/cli/main.js');

main(process.argv).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`pareto-router: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);

#!/bin/sh
":" //; o=; case " $NODE_OPTIONS " in *semi[-_]space*) ;; *) o=--max-semi-space-size=4 ;; esac; case " $NODE_OPTIONS " in *v8[-_]pool[-_]size*) ;; *) o="$o --v8-pool-size=2" ;; esac; exec node $o "$0" "$@"
// The line above is read by sh only (to node it is a string and a comment). Run as a program, the file
// starts node with options a running process can no longer change, each measured with `npm run bench`
// (README, "Performance"): a 4 MB young-generation semi-space instead of V8's 16 MB, which under load
// otherwise fills with 32 MB of mostly garbage (about 30 MB less peak RSS, for some 5% of throughput,
// within run-to-run noise), and two V8 helper threads instead of four, enough for a heap of this size
// (about 5 MB less). An option of the same name in NODE_OPTIONS wins; `node bin/pareto-router.js` skips
// the line altogether.
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`pareto-router: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);

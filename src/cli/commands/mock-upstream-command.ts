import type { Command } from 'commander';
import { demoScripts, startMockUpstream } from '../../mock-upstream/index.js';
import { UsageError } from '../usage-error.js';

interface MockUpstreamCommandOptions {
  port?: string;
  host?: string;
  instant?: boolean;
}

/** Adds `mock-upstream` to the program. */
export function registerMockUpstreamCommand(program: Command): void {
  program
    .command('mock-upstream')
    .description(
      'start the fake upstream: canned coding answers over the OpenAI, Anthropic and Gemini protocols, with scriptable faults',
    )
    .option('--port <port>', 'port to listen on (default 8090; 0 picks a free one)')
    .option('--host <host>', 'address to bind (default 127.0.0.1)')
    .option('--instant', 'answer at once instead of at a model-like pace')
    .action(async (options: MockUpstreamCommandOptions) => {
      const port = options.port === undefined ? 8090 : Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`--port must be an integer 0..65535, got "${options.port}"`);
      }
      const mock = await startMockUpstream({
        port,
        host: options.host ?? '127.0.0.1',
        ...(options.instant === true ? {} : { scripts: demoScripts() }),
      });
      const out = (line: string) => process.stdout.write(`${line}\n`);
      out(`fake upstream (not a real model) listening on ${mock.url}`);
      out(`  OpenAI-compatible: ${mock.baseUrls.openai}`);
      out(`  Anthropic:         ${mock.baseUrls.anthropic}`);
      out(`  Gemini:            ${mock.baseUrls.gemini}`);
      out(`  OpenRouter-style:  ${mock.url}/api/v1`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          mock.close().then(resolve, resolve);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}

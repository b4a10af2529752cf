import type { Command } from 'commander';

/** Adds `mock-upstream` to the program. */
export function registerMockUpstreamCommand(program: Command): void {
  program
    .command('mock-upstream')
    .description('start the fake upstream that speaks the OpenAI, Anthropic and Gemini protocols')
    .action(() => {
      throw new Error('mock-upstream is not available yet');
    });
}

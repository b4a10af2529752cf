/**
 * The `pareto-router` command line. `main` never lets an exception escape as a stack trace: every
 * failure becomes one line on stderr, `pareto-router: <what was wrong>`, and an exit status of 2 for a
 * usage error (bad flag, bad value, missing file) or 1 for anything else.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isRouterError } from '../core/errors.js';
import { type CliContext, createProcessContext } from './cli-context.js';
import { parseSnapshotVersion } from './parse-option-values.js';
import { ReportedFailure, UsageError } from './usage-error.js';

export const usageExitCode = 2;
export const failureExitCode = 1;

/** The package version, read from package.json next to `src/` and `dist/` alike. */
export function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'version' in parsed) {
      const version = (parsed as { version: unknown }).version;
      if (typeof version === 'string') return version;
    }
  } catch {
    // A missing or unreadable package.json must not stop the CLI; the version is informational.
  }
  return '0.0.0';
}

type Registration = (program: Command, context: CliContext) => Promise<void>;

// Each command's module is imported only when needed: `serve` pulls in the whole server and the
// provider adapters, which would double the start-up time of `route --json` for nothing.
const commandRegistrations: ReadonlyArray<readonly [string, Registration]> = [
  ['serve', async (program) => (await import('./commands/serve-command.js')).registerServeCommand(program)],
  [
    'models',
    async (program, context) =>
      (await import('./commands/models-command.js')).registerModelsCommand(program, context),
  ],
  [
    'route',
    async (program, context) =>
      (await import('./commands/route-command.js')).registerRouteCommand(program, context),
  ],
  [
    'frontier',
    async (program, context) =>
      (await import('./commands/frontier-command.js')).registerFrontierCommand(program, context),
  ],
  [
    'forecast',
    async (program, context) =>
      (await import('./commands/forecast-command.js')).registerForecastCommand(program, context),
  ],
  [
    'keys',
    async (program, context) =>
      (await import('./commands/keys-command.js')).registerKeysCommand(program, context),
  ],
  [
    'logs',
    async (program, context) =>
      (await import('./commands/logs-command.js')).registerLogsCommand(program, context),
  ],
  [
    'spend',
    async (program, context) =>
      (await import('./commands/spend-command.js')).registerSpendCommand(program, context),
  ],
  [
    'index',
    async (program, context) =>
      (await import('./commands/index-command.js')).registerIndexCommand(program, {
        stdout: context.stdout,
        stderr: context.stderr,
      }),
  ],
  [
    'doctor',
    async (program, context) =>
      (await import('./commands/doctor-command.js')).registerDoctorCommand(program, context),
  ],
  [
    'mock-upstream',
    async (program) =>
      (await import('./commands/mock-upstream-command.js')).registerMockUpstreamCommand(program),
  ],
];

const programOptionsWithValue = new Set(['--snapshot', '--data-dir']);

/**
 * The command an argument list names (`route` in `pareto-router --snapshot 2026-05 route --json`), or
 * undefined when it names none, asks for help or the version, or names an unknown one.
 */
export function commandNameOf(argumentsAfterScript: readonly string[]): string | undefined {
  for (let position = 0; position < argumentsAfterScript.length; position++) {
    const argument = argumentsAfterScript[position] as string;
    if (programOptionsWithValue.has(argument)) {
      position += 1;
      continue;
    }
    if (argument.startsWith('-')) {
      if (argument.includes('=') && programOptionsWithValue.has(argument.slice(0, argument.indexOf('='))))
        continue;
      return undefined;
    }
    return commandRegistrations.some(([name]) => name === argument) ? argument : undefined;
  }
  return undefined;
}

/**
 * Builds the program, writing through `context`. With `commandName`, only that command is registered
 * (the others' modules are not even loaded); without it, all are, for help and for suggestions.
 */
export async function createProgram(context: CliContext, commandName?: string): Promise<Command> {
  const program = new Command('pareto-router');
  program
    .description(
      'A self-hostable, OpenRouter-compatible coding-model router: name a quality bar, get the cheapest model that clears it.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    // Program options only before the command name: `serve --snapshot X` must reach serve's own option.
    .enablePositionalOptions()
    .option('--snapshot <version>', 'index snapshot to use (default: the latest)', parseSnapshotVersion)
    .option(
      '--data-dir <dir>',
      'data directory: imported snapshots, the request log and keys (env PARETO_ROUTER_DATA_DIR)',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout(text),
      writeErr: (text) => context.stderr(text),
      // main prints commander's errors itself, as one line with the program's prefix.
      outputError: () => undefined,
    })
    .showHelpAfterError(false);
  // Registered after exitOverride and configureOutput: subcommands copy those settings when created.
  for (const [name, register] of commandRegistrations) {
    if (commandName === undefined || commandName === name) await register(program, context);
  }
  return program;
}

/** Reduces any message to one line: newlines (commander's "Did you mean") become spaces. */
export function oneLine(message: string): string {
  return message
    .replace(/^error: /, '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

/** The exit status and the stderr line for anything a command threw. */
export function describeFailure(error: unknown): { exitCode: number; message: string | null } {
  if (error instanceof CommanderError) {
    // Help and version exit 0; help shown because no command was given has already been written.
    if (error.exitCode === 0) return { exitCode: 0, message: null };
    if (error.code === 'commander.help') return { exitCode: usageExitCode, message: null };
    return { exitCode: usageExitCode, message: oneLine(error.message) };
  }
  if (error instanceof UsageError) return { exitCode: usageExitCode, message: oneLine(error.message) };
  if (error instanceof ReportedFailure) return { exitCode: failureExitCode, message: null };
  if (isRouterError(error)) return { exitCode: failureExitCode, message: oneLine(error.message) };
  if (error instanceof Error) return { exitCode: failureExitCode, message: oneLine(error.message) };
  return { exitCode: failureExitCode, message: oneLine(String(error)) };
}

/**
 * Runs the CLI on `argv` as Node.js passes it (`[node, script, ...arguments]`) and resolves to the exit
 * status. `context` replaces parts of the process context (tests capture output this way).
 */
export async function main(argv: string[], context: Partial<CliContext> = {}): Promise<number> {
  const fullContext: CliContext = { ...createProcessContext(), ...context };
  try {
    const program = await createProgram(fullContext, commandNameOf(argv.slice(2)));
    await program.parseAsync(argv, { from: 'node' });
    return 0;
  } catch (error) {
    const failure = describeFailure(error);
    if (failure.message !== null) fullContext.stderr(`pareto-router: ${failure.message}\n`);
    return failure.exitCode;
  }
}

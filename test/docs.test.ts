/**
 * The documentation checked against the code. Every fenced block of README.md and docs/*.md is run or
 * checked here (the `js` client samples by test/readme-snippets.test.ts), or listed in `notRun` with the
 * reason: shell commands run offline through the bin, the README's curl call and the failover
 * walk-through run against real routers, YAML examples load as configuration, the CSV example imports,
 * JSON examples parse. README.md stays a front door under 16 KB that links every docs page; every
 * relative link resolves; the one settings table of docs/configuration.md matches, both ways, the
 * environment variables the code reads, the flags of the program and of `serve`, and the keys of the
 * config file's schema; the synopses of docs/cli.md and docs/index.md name exactly the flags each command
 * accepts; docs/frontier.svg is what `frontier --svg` draws for the shipped snapshot.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgram } from '../src/cli/main.js';
import { configFileSchema, loadConfig, readConfigFile } from '../src/config/load-config.js';
import { type MockUpstream, startMockUpstream } from '../src/mock-upstream/index.js';
import { demoUpstreamPreference, demoUpstreams } from '../src/server/demo-upstreams.js';
import { type RunningRouter, startRouter } from '../src/server/start-router.js';
import { gatewayConfig } from '../src/server/test-support/gateway-fixture.js';
import { binPath, ensureBuilt, rootDir } from './support/built-bin.js';

interface Block {
  file: string;
  language: string;
  text: string;
  firstLine: string;
}

const docFiles = [
  'README.md',
  ...readdirSync(join(rootDir, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

function read(file: string): string {
  return readFileSync(join(rootDir, file), 'utf8');
}

/** Every fenced code block of a markdown file. */
function blocksOf(file: string): Block[] {
  return [...read(file).matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((match) => {
    const text = match[2] as string;
    return { file, language: match[1] as string, text, firstLine: text.split('\n')[0] as string };
  });
}

const blocks = docFiles.flatMap(blocksOf);

/**
 * A shell block as the commands a reader would type: `\` continuations and indented continuation lines
 * joined, trailing comments dropped.
 */
function commandsOf(text: string): string[] {
  const commands: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const previous = commands.at(-1);
    if (previous !== undefined && (previous.endsWith('\\') || /^\s/.test(line))) {
      commands[commands.length - 1] = `${previous.replace(/\\$/, '').trimEnd()} ${line.trim()}`;
    } else {
      commands.push(line.trim());
    }
  }
  return commands.map((command) => command.replace(/\s+#\s.*$/, '').trim());
}

/**
 * Blocks and commands not run here, each with the reason. `match` is the start of a block's first line
 * (then the whole block) or of one command of a shell block.
 */
const notRun: ReadonlyArray<{ file: string; match: string; reason: string }> = [
  {
    file: 'README.md',
    match: 'npm install && npm start -- --demo',
    reason:
      'the quickstart: `serve --demo` is run by test/serve-demo.test.ts, `npm test` is this suite itself',
  },
  { file: 'README.md', match: 'export OPENROUTER_API_KEY=...', reason: 'needs a real provider key' },
  {
    file: 'docs/agents.md',
    match: '[openrouter/]pareto-code',
    reason: 'a grammar, not a command; the names are parsed by src/core tests',
  },
  { file: 'docs/agents.md', match: 'export ANTHROPIC_BASE_URL=', reason: 'needs Claude Code installed' },
  { file: 'docs/agents.md', match: 'model = "pareto-code@balanced"', reason: 'Codex CLI configuration' },
  { file: 'docs/agents.md', match: 'PARETO_ROUTER_KEY=unused codex', reason: 'needs Codex CLI installed' },
  { file: 'docs/agents.md', match: 'export GOOGLE_GEMINI_BASE_URL=', reason: 'needs Gemini CLI installed' },
  { file: 'docs/agents.md', match: 'opencode run', reason: 'needs opencode installed' },
  { file: 'docs/agents.md', match: 'export OPENAI_BASE_URL=', reason: 'needs Qwen Code installed' },
  {
    file: 'docs/cli.md',
    match: 'npx pareto-router serve',
    reason:
      'a server that runs until stopped: run by test/serve-demo.test.ts and test/serve-shutdown.test.ts',
  },
  {
    file: 'docs/cli.md',
    match: 'npx pareto-router forecast',
    reason: 'synopses whose values are placeholders (N, S, R); forecast is run by its own command tests',
  },
  {
    file: 'docs/cli.md',
    match: 'npx pareto-router keys create --name NAME',
    reason: 'NAME is a placeholder; docs/operations.md runs `keys create --name ci-agents ...`',
  },
  {
    file: 'docs/cli.md',
    match: 'npx pareto-router keys revoke ID',
    reason: 'ID is a placeholder; revoke is run by src/cli/commands/keys-command.test.ts',
  },
  {
    file: 'docs/cli.md',
    match: 'npx pareto-router keys update ID',
    reason: 'ID is a placeholder; update is run by src/cli/commands/keys-command.test.ts',
  },
  {
    file: 'docs/cli.md',
    match: 'npx pareto-router logs --restore LOGFILE',
    reason: 'LOGFILE is a placeholder; restore is run by src/cli/commands/logs-command.test.ts',
  },
  {
    file: 'docs/cli.md',
    match: 'npx pareto-router doctor',
    reason:
      'exits 1 without provider keys; its checks run against the fake upstream in src/cli/commands/doctor-command.test.ts',
  },
  {
    file: 'docs/cli.md',
    match: 'npm ci',
    reason:
      'installs from the registry and builds; test/packed-tarball.test.ts installs the package, CI runs npm ci',
  },
  {
    file: 'docs/cli.md',
    match: 'npm pack',
    reason:
      'run by test/packed-tarball.test.ts (on Node.js 22.13 and later, with the npm registry reachable)',
  },
  {
    file: 'docs/cli.md',
    match: 'NODE_OPTIONS=',
    reason: 'a server that runs until stopped; the options it passes are checked by test/cli.test.ts',
  },
  {
    file: 'docs/cli.md',
    match: 'npx pareto-router mock-upstream',
    reason: 'a server that runs until stopped; the fake upstream serves most of this suite',
  },
  {
    file: 'docs/index.md',
    match: 'npx pareto-router index refresh',
    reason: 'reaches openrouter.ai; refresh runs against a local catalog in index-command.test.ts',
  },
  {
    file: 'docs/index.md',
    match: 'pareto-router: could not fetch the OpenRouter catalog',
    reason: 'an example of an error line, not a command',
  },
  {
    file: 'docs/index.md',
    match: 'npx pareto-router index import FILE',
    reason: 'FILE is a placeholder; the csv block below is imported by this test',
  },
  {
    file: 'docs/operations.md',
    match: 'npx pareto-router keys revoke key_...',
    reason: 'key_... is a placeholder; revoke is run by src/cli/commands/keys-command.test.ts',
  },
  {
    file: 'docs/operations.md',
    match: 'npx pareto-router serve --workers 4',
    reason: 'a server that runs until stopped; workers run in test/worker-request-writes.test.ts',
  },
  {
    file: 'docs/scale-out.md',
    match: 'export DATABASE_URL=',
    reason:
      'a fleet needs a PostgreSQL and a Redis of the reader; test/fleet.test.ts runs three routers on them',
  },
  {
    file: 'docs/scale-out.md',
    match: 'export REDIS_URL=',
    reason: 'see the line above',
  },
  {
    file: 'docs/scale-out.md',
    match: 'export PARETO_ROUTER_MASTER_KEY=',
    reason: 'see the line above',
  },
  {
    file: 'docs/scale-out.md',
    match: 'npx pareto-router serve --host 0.0.0.0',
    reason:
      'a server that runs until stopped; test/fleet.test.ts starts three with REDIS_URL and DATABASE_URL',
  },
  {
    file: 'docs/routing.md',
    match: 'blended = (input_price',
    reason: 'a formula; the blended price is computed by src/core tests',
  },
];

function notRunEntry(file: string, text: string) {
  return notRun.find((entry) => entry.file === file && text.startsWith(entry.match));
}

const notRunUsed = new Set<(typeof notRun)[number]>();

function isListedNotRun(file: string, text: string): boolean {
  const entry = notRunEntry(file, text);
  if (entry !== undefined) notRunUsed.add(entry);
  return entry !== undefined;
}

/** Removes `[optional]` groups, innermost first, so a synopsis becomes its shortest runnable form. */
function withoutOptionalParts(command: string): string {
  let result = command;
  for (;;) {
    const next = result.replace(/\s*\[[^[\]]*\]/g, '');
    if (next === result) return result.replace(/\s+/g, ' ').trim();
    result = next;
  }
}

function runBin(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [binPath, ...args],
      { timeout: 60_000, env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** Splits a command line into words, keeping '...' and "..." together. */
function wordsOf(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map(
    (match) => (match[1] ?? match[2] ?? match[3]) as string,
  );
}

let dataDir: string;
let program: Command;

/** The curl samples need curl, as a reader does. */
const hasCurl = spawnSync('curl', ['--version']).status === 0;
const noCurlNote = 'curl is not installed: the curl samples of README.md and docs/failover.md are not run';
if (!hasCurl) console.warn(`skipped: ${noCurlNote}`);

beforeAll(async () => {
  await ensureBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'pareto-docs-'));
  program = await createProgram({
    stdout: () => undefined,
    stderr: () => undefined,
    colour: false,
    loadSnapshot: () => Promise.reject(new Error('not used')),
    readTextFile: () => Promise.reject(new Error('not used')),
    writeTextFile: () => Promise.reject(new Error('not used')),
    environment: {},
    now: () => 0,
  });
  // The store exists, as after a first `serve`: `keys list`, `logs` and `spend` read it.
  const setup = await runBin(['keys', 'create', '--name', 'docs-test'], { PARETO_ROUTER_DATA_DIR: dataDir });
  expect(setup.code, setup.stderr).toBe(0);
}, 180_000);

afterAll(() => {
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('README.md as the front door', () => {
  it('is under 16 KB', () => {
    expect(Buffer.byteLength(read('README.md'))).toBeLessThan(16 * 1024);
  });

  it('links every docs page', () => {
    const readme = read('README.md');
    const missing = docFiles.filter((file) => file !== 'README.md' && !readme.includes(`](${file}`));
    expect(missing).toEqual([]);
  });
});

/** GitHub's anchor for a heading. */
function slugOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = read(file).replace(/^```[\s\S]*?^```$/gm, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => slugOf(match[1] as string)));
}

describe('links', () => {
  it.each([...docFiles, 'bench/README.md'])('every relative link of %s resolves', (file) => {
    const text = read(file).replace(/^```[\s\S]*?^```$/gm, '');
    const directory = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.';
    const broken: string[] = [];
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1] as string;
      if (/^[a-z]+:/.test(target)) continue;
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const targetFile = path === '' ? file : join(directory, path).replace(/^\.\//, '');
      let anchors: Set<string>;
      try {
        anchors = anchorsOf(targetFile);
      } catch {
        broken.push(`${target} (no such file)`);
        continue;
      }
      if (anchor !== undefined && !anchors.has(anchor)) broken.push(`${target} (no such heading)`);
    }
    expect(broken).toEqual([]);
  });
});

describe('code blocks', () => {
  it('every block is run or checked by a test, or listed as not run with a reason', () => {
    const unhandled: string[] = [];
    for (const block of blocks) {
      if (isListedNotRun(block.file, block.firstLine)) continue;
      if (['js', 'json', 'yaml', 'csv'].includes(block.language)) continue;
      if (block.language === 'sh') {
        for (const command of commandsOf(block.text)) {
          if (isListedNotRun(block.file, command)) continue;
          if (command.startsWith('npx pareto-router ') || command.startsWith('curl ')) continue;
          if (block.file === 'docs/failover.md' && /^\w+=\S+ .*npx pareto-router serve &$/.test(command))
            continue;
          unhandled.push(`${block.file}: ${command}`);
        }
        continue;
      }
      unhandled.push(`${block.file}: \`\`\`${block.language} ${block.firstLine}`);
    }
    expect(unhandled).toEqual([]);
  });

  it('every js block is a client sample that test/readme-snippets.test.ts runs', () => {
    for (const block of blocks.filter((candidate) => candidate.language === 'js')) {
      expect(block.text, `${block.file}: ${block.firstLine}`).toMatch(/console\.log\(.*\); \/\/ .+$/m);
    }
  });

  it.each(
    blocks.filter((block) => block.language === 'json').map((block) => [block.file, block.firstLine, block]),
  )('%s: the json example %s parses', (_file, _line, block) => {
    expect(() => JSON.parse((block as Block).text)).not.toThrow();
  });

  it.each(
    blocks.filter((block) => block.language === 'yaml').map((block) => [block.file, block.firstLine, block]),
  )('%s: the YAML example %s is a valid configuration file', (_file, _line, block) => {
    const path = join(dataDir, 'example.yaml');
    writeFileSync(path, (block as Block).text, 'utf8');
    expect(() => readConfigFile(path)).not.toThrow();
    expect(() => loadConfig({ configPath: path, env: {} })).not.toThrow();
  });

  it('the csv example imports', async () => {
    const csv = blocks.filter((block) => block.language === 'csv');
    expect(csv.length).toBeGreaterThan(0);
    for (const block of csv) {
      const directory = mkdtempSync(join(dataDir, 'csv-'));
      const path = join(directory, 'figures.csv');
      writeFileSync(path, block.text, 'utf8');
      const result = await runBin(['index', 'import', path, '--data-dir', directory], {});
      // The one note on stderr is the record count (results go to stdout, notes to stderr).
      expect(result.stderr).toMatch(/^(processed \d+ record\(s\)\n)?$/);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/2026-/);
    }
  }, 60_000);

  const runnable = blocks
    .filter((block) => block.language === 'sh')
    .flatMap((block) => commandsOf(block.text).map((command) => ({ file: block.file, block, command })))
    .filter(({ file, block, command }) => {
      return (
        command.startsWith('npx pareto-router ') &&
        !command.endsWith('&') &&
        notRunEntry(file, block.firstLine) === undefined &&
        notRunEntry(file, command) === undefined
      );
    })
    .map(({ file, command }) => [file, command, withoutOptionalParts(command)] as const);

  it.each(runnable)(
    '%s: `%s` runs offline and exits 0',
    async (_file, _command, shortest) => {
      const words = wordsOf(shortest).slice(2);
      expect(
        words.filter((word) => /^[A-Z][A-Z_]*$/.test(word)),
        'no placeholder left',
      ).toEqual([]);
      const result = await runBin(words, { PARETO_ROUTER_DATA_DIR: dataDir });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toBe('');
    },
    60_000,
  );

  it('lists nothing as not run that the docs no longer hold', () => {
    for (const block of blocks) {
      isListedNotRun(block.file, block.firstLine);
      if (block.language === 'sh')
        for (const command of commandsOf(block.text)) isListedNotRun(block.file, command);
    }
    expect(notRun.filter((entry) => !notRunUsed.has(entry)).map((entry) => entry.match)).toEqual([]);
  });
});

describe('the README curl call', () => {
  let mock: MockUpstream;
  let router: RunningRouter;
  let routerDir: string;

  beforeAll(async () => {
    mock = await startMockUpstream({ host: '127.0.0.1', port: 0 });
    const config = gatewayConfig(mock);
    routerDir = config.dataDir;
    router = await startRouter(
      { ...config, upstreams: demoUpstreams(mock), upstreamPreference: demoUpstreamPreference() },
      { logLevel: 'silent' },
    );
  }, 60_000);

  afterAll(async () => {
    await router?.close(100);
    await mock?.close();
    if (routerDir !== undefined) rmSync(routerDir, { recursive: true, force: true });
  });

  it.skipIf(!hasCurl)('answers with the model and cost the README names', async () => {
    const curlBlocks = blocks.filter(
      (block) => block.language === 'sh' && block.firstLine.startsWith('curl ') && block.file === 'README.md',
    );
    expect(curlBlocks).toHaveLength(1);
    const command = commandsOf((curlBlocks[0] as Block).text)[0] as string;
    const words = wordsOf(command.replaceAll('http://127.0.0.1:8080', router.url));
    const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(words[0] as string, words.slice(1), { timeout: 30_000 }, (error, stdout) =>
        resolve({ code: error === null ? 0 : 1, stdout }),
      );
    });
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout) as { model: string; provider: string; usage: { cost: number } };
    const readme = read('README.md');
    expect(readme).toContain(`\`"model": "${answer.model}"\``);
    expect(readme).toContain(`\`"provider": "${answer.provider}"\``);
    expect(readme).toContain(`\`"cost": ${answer.usage.cost}\``);
  });
});

/** The cells of one column of the first markdown table under a heading, by the column's header. */
function tableColumn(file: string, heading: string, column: string): string[] {
  const text = read(file);
  const start = text.indexOf(`\n${heading}\n`);
  expect(start, `${file} has the heading ${heading}`).toBeGreaterThan(-1);
  const lines = text.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const table: string[][] = [];
  for (const line of lines.slice(first)) {
    if (!line.startsWith('|')) break;
    table.push(
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  const index = (table[0] as string[]).indexOf(column);
  expect(index, `the table has a column "${column}"`).toBeGreaterThan(-1);
  return table.slice(2).map((row) => row[index] ?? '');
}

function backticked(cells: readonly string[]): string[] {
  return cells.flatMap((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string));
}

/** The environment variables the code reads: the loader's reads, recorded, and direct reads elsewhere. */
function environmentVariablesRead(): Set<string> {
  const read = new Set<string>();
  const recording = new Proxy({} as NodeJS.ProcessEnv, {
    get(_target, name) {
      if (typeof name === 'string') read.add(name);
      return undefined;
    },
  });
  loadConfig({ env: recording });
  const sourceFiles = (directory: string): string[] =>
    readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) return entry.name === 'test-support' ? [] : sourceFiles(path);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
    });
  for (const file of sourceFiles(join(rootDir, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\b(?:env|environment)\.([A-Z][A-Z0-9_]+)\b/g))
      read.add(match[1] as string);
  }
  return read;
}

function longFlags(command: Command): string[] {
  return command.options.map((option) => option.long).filter((flag): flag is string => flag !== undefined);
}

function subcommand(path: readonly string[]): Command {
  let current = program;
  for (const name of path) {
    const next = current.commands.find((candidate) => candidate.name() === name);
    expect(next, `command ${path.join(' ')}`).toBeDefined();
    current = next as Command;
  }
  return current;
}

describe('docs/configuration.md against the code', () => {
  const file = 'docs/configuration.md';
  const heading = '## All settings';

  it('names exactly the environment variables the config loader and the rest of the code read', () => {
    const documented = new Set(
      backticked(tableColumn(file, heading, 'environment variable')).filter((name) =>
        /^[A-Z][A-Z0-9_]+$/.test(name),
      ),
    );
    const read = environmentVariablesRead();
    expect([...read].filter((name) => !documented.has(name)).sort(), 'read but not documented').toEqual([]);
    expect([...documented].filter((name) => !read.has(name)).sort(), 'documented but never read').toEqual([]);
  });

  it('names exactly the flags of the program and of `serve`', () => {
    const documented = new Set(
      backticked(tableColumn(file, heading, 'flag')).flatMap((cell) =>
        [...cell.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((match) => match[1] as string),
      ),
    );
    const accepted = new Set([...longFlags(program), ...longFlags(subcommand(['serve']))]);
    accepted.delete('--version');
    expect(
      [...accepted].filter((flag) => !documented.has(flag)).sort(),
      'accepted but not documented',
    ).toEqual([]);
    expect(
      [...documented].filter((flag) => !accepted.has(flag)).sort(),
      'documented but not accepted',
    ).toEqual([]);
  });
});

/** The leaf keys of a zod schema, dotted (`routing.tierCutoffs.high`, `upstreams[].name`); records are leaves. */
function schemaKeys(schema: unknown, prefix = ''): string[] {
  const definition = (schema as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  if (definition.type === 'optional') return schemaKeys(definition.innerType, prefix);
  if (definition.type === 'array') {
    const entries = schemaKeys(definition.element, `${prefix}[]`);
    return entries.length === 1 && entries[0] === `${prefix}[]` ? [prefix] : entries;
  }
  if (definition.type !== 'object') return [prefix];
  return Object.entries(definition.shape as Record<string, unknown>).flatMap(([name, value]) =>
    schemaKeys(value, prefix === '' ? name : `${prefix}.${name}`),
  );
}

/**
 * The YAML keys a cell names: `routing.blendRatio.input`, `.output` (relative to the key before) and
 * `upstreams[]`: `name`, `baseUrl` (fields of the list's entries).
 */
function yamlKeysOf(cell: string): string[] {
  const keys: string[] = [];
  let base = '';
  for (const token of backticked([cell])) {
    if (token.includes(' ')) continue;
    let key = token;
    if (token.startsWith('.')) key = `${base.slice(0, base.lastIndexOf('.'))}${token}`;
    else if (base.endsWith('[]') && !token.includes('.')) key = `${base}.${token}`;
    if (token.endsWith('[]')) base = token;
    else {
      if (!base.endsWith('[]')) base = key;
      keys.push(key);
    }
  }
  return keys;
}

describe('the YAML keys of docs/configuration.md against the file schema', () => {
  it('names exactly the keys the config file accepts', () => {
    const documented = new Set(
      tableColumn('docs/configuration.md', '## All settings', 'YAML key').flatMap((cell) =>
        cell.includes('entry') ? [] : yamlKeysOf(cell),
      ),
    );
    const accepted = new Set(schemaKeys(configFileSchema));
    expect([...accepted].filter((key) => !documented.has(key)).sort(), 'accepted but not documented').toEqual(
      [],
    );
    expect([...documented].filter((key) => !accepted.has(key)).sort(), 'documented but not accepted').toEqual(
      [],
    );
  });
});

describe('command synopses against the command definitions', () => {
  /** Flags named for each command path by the `npx pareto-router ...` lines of docs/cli.md and docs/index.md. */
  function documentedFlags(): Map<string, Set<string>> {
    const flags = new Map<string, Set<string>>();
    for (const block of blocks.filter(
      (candidate) =>
        candidate.language === 'sh' &&
        (candidate.file === 'docs/cli.md' || candidate.file === 'docs/index.md'),
    )) {
      for (const command of commandsOf(block.text)) {
        if (!command.startsWith('npx pareto-router ')) continue;
        const words = wordsOf(command).slice(2);
        const path: string[] = [];
        let current = program;
        for (const word of words) {
          const next = current.commands.find((candidate) => candidate.name() === word);
          if (next === undefined) break;
          path.push(word);
          current = next;
        }
        const key = path.join(' ');
        const set = flags.get(key) ?? new Set<string>();
        for (const match of command.matchAll(/(?:^|[\s[|])(--[a-z][a-z-]*)/g)) set.add(match[1] as string);
        flags.set(key, set);
      }
    }
    return flags;
  }

  function leafCommands(command: Command, path: string[] = []): string[][] {
    if (command.commands.length === 0) return [path];
    return command.commands.flatMap((sub) => leafCommands(sub, [...path, sub.name()]));
  }

  it('every command has a synopsis, and each names exactly the flags it accepts', () => {
    const documented = documentedFlags();
    const global = new Set(longFlags(program));
    const problems: string[] = [];
    for (const path of leafCommands(program)) {
      const key = path.join(' ');
      const accepted = new Set(longFlags(subcommand(path)));
      const named = documented.get(key);
      if (named === undefined) {
        problems.push(`${key}: no synopsis`);
        continue;
      }
      for (const flag of accepted) {
        if (!named.has(flag) && !global.has(flag)) problems.push(`${key}: ${flag} not in the synopsis`);
      }
      for (const flag of named) {
        if (!accepted.has(flag) && !global.has(flag)) problems.push(`${key}: ${flag} is not accepted`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('docs/frontier.svg', () => {
  it('is what `frontier --svg` draws for the shipped snapshot', async () => {
    const directory = mkdtempSync(join(dataDir, 'frontier-'));
    const svg = join(directory, 'frontier.svg');
    const result = await runBin(
      ['frontier', '--snapshot', '2026-11', '--data-dir', directory, '--svg', svg],
      {},
    );
    expect(result.code, result.stderr).toBe(0);
    expect(
      readFileSync(svg, 'utf8'),
      'regenerate with: node bin/pareto-router.js frontier --snapshot 2026-11 --data-dir $(mktemp -d) --svg docs/frontier.svg',
    ).toBe(read('docs/frontier.svg'));
  }, 60_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function curl(words: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('curl', words.slice(1), { timeout: 30_000 }, (error, stdout) =>
      error === null ? resolve(stdout) : reject(error),
    );
  });
}

async function waitUntilAnswering(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`nothing answered at ${url}`);
}

describe('the failover walk-through of docs/failover.md', () => {
  const children: ChildProcess[] = [];

  afterAll(() => {
    for (const child of children) child.kill('SIGTERM');
  });

  it.skipIf(!hasCurl)(
    'runs as written (on free ports) and the answer comes from the model the text names',
    async () => {
      const block = blocks.find(
        (candidate) => candidate.file === 'docs/failover.md' && candidate.firstLine.includes('mock-upstream'),
      );
      expect(block).toBeDefined();
      const mockPort = String(await freePort());
      const routerPort = String(await freePort());
      const directory = mkdtempSync(join(dataDir, 'failover-'));
      let headers = '';
      for (const written of commandsOf((block as Block).text)) {
        const command = written.replaceAll('8090', mockPort).replaceAll('8080', routerPort);
        const words = wordsOf(command.replace(/\s*&$/, ''));
        const env: Record<string, string> = {
          PATH: process.env.PATH ?? '',
          PARETO_ROUTER_DATA_DIR: directory,
        };
        while (/^[A-Z_]+=/.test(words[0] as string)) {
          const [name, ...value] = (words.shift() as string).split('=');
          env[name as string] = value.join('=');
        }
        if (words[0] === 'npx' && words[1] === 'pareto-router') {
          expect(command.endsWith('&'), `${written} runs in the background`).toBe(true);
          // `serve` takes its port from PORT, as the default 8080 is in use elsewhere.
          const child = spawn(process.execPath, [binPath, ...words.slice(2)], {
            env: { ...env, PORT: routerPort },
            stdio: 'ignore',
          });
          children.push(child);
          const port = words[2] === 'serve' ? routerPort : mockPort;
          await waitUntilAnswering(`http://127.0.0.1:${port}/health`);
        } else if (words[0] === 'curl') {
          headers = await curl(words);
        } else {
          throw new Error(`not a command this walk-through knows: ${written}`);
        }
      }
      const named =
        /The answer comes from the first fallback, `([^`]+)`, with `x-pareto-attempts: (\d+)`/.exec(
          read('docs/failover.md'),
        );
      expect(named, 'the text names the answering model').not.toBeNull();
      expect(headers).toMatch(/^HTTP\/1\.1 200/);
      expect(headers).toContain(`x-pareto-model: ${named?.[1]}`);
      expect(headers).toContain(`x-pareto-attempts: ${named?.[2]}`);
    },
    60_000,
  );
});

/**
 * The client samples of README.md and docs/*.md, run as a reader would run them: each `js` block is taken
 * as written, pointed at a router (the shipped snapshot, every vendor preset on the built-in fake
 * upstream, as `serve --demo` does) instead of 127.0.0.1:8080, and run by node. What it prints must be
 * what the comment on its `console.log` line says.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockUpstream, startMockUpstream } from '../src/mock-upstream/index.js';
import { demoUpstreams } from '../src/server/demo-upstreams.js';
import { type RunningRouter, startRouter } from '../src/server/start-router.js';
import { gatewayConfig } from '../src/server/test-support/gateway-fixture.js';
import { rootDir } from './support/built-bin.js';

/** The `js` code blocks of a markdown text. */
function jsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((match) => match[1] as string);
}

function run(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { timeout: 30_000, env: {} }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

let mock: MockUpstream;
let router: RunningRouter;
let directory: string;

/** Every `js` block of README.md and docs/*.md, with the file it is in. */
const snippets: ReadonlyArray<readonly [string, string]> = [
  'README.md',
  ...readdirSync(join(rootDir, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
].flatMap((file) =>
  jsBlocks(readFileSync(join(rootDir, file), 'utf8')).map((snippet) => [file, snippet] as const),
);

beforeAll(async () => {
  mock = await startMockUpstream({ host: '127.0.0.1', port: 0 });
  const config = gatewayConfig(mock);
  directory = config.dataDir;
  // No `snapshot` option: the router loads the shipped snapshot, as `serve` does.
  router = await startRouter({ ...config, upstreams: demoUpstreams(mock) }, { logLevel: 'silent' });
  // The snippet runs from a folder of its own that sees this checkout's packages, as in a project.
  await symlink(join(rootDir, 'node_modules'), join(directory, 'node_modules'), 'dir');
}, 60_000);

afterAll(async () => {
  await router?.close(100);
  await mock?.close();
  if (directory !== undefined) await rm(directory, { recursive: true, force: true });
});

describe('client samples in the docs', () => {
  it('the README has the openai sample', () => {
    expect(
      snippets.filter(([file, snippet]) => file === 'README.md' && snippet.includes("from 'openai'")),
    ).toHaveLength(1);
  });

  it.each(
    snippets.map(
      ([file, snippet]) => [file, /^import .* from '([^']+)';$/m.exec(snippet)?.[1] ?? '?', snippet] as const,
    ),
  )('%s: the %s sample runs and prints what its comment says', async (file, client, snippet) => {
    expect(snippet).toMatch(/'http:\/\/127\.0\.0\.1:8080(\/api\/v1)?'/);
    const expected = /console\.log\(.*\); \/\/ (.+)$/m.exec(snippet)?.[1];
    expect(expected, 'the console.log line says what it prints').toBeDefined();
    const path = join(directory, `snippet-${file.replace(/\W+/g, '-')}-${client.replace(/\W+/g, '-')}.mjs`);
    await writeFile(path, snippet.replaceAll('http://127.0.0.1:8080', router.url), 'utf8');
    const result = await run(path);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${expected}\n`);
  });
});

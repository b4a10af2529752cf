import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RouterError } from '../core/errors.js';
import { nextVersion, refreshCatalog } from './refresh-catalog.js';
import { loadSnapshot } from './snapshot-store.js';
import { hasSharedData, sharedDataDir, testModel, testSnapshot } from './test-support/shared-data.js';

/** The shared capture when present (else a one-model stand-in), plus one newer entry carrying a coding index. */
function catalogBody(): string {
  const captured = hasSharedData
    ? (JSON.parse(readFileSync(join(sharedDataDir, 'openrouter-models-2026-07.json'), 'utf8')) as {
        data: unknown[];
      })
    : {
        data: [
          {
            id: 'openai/gpt-5.5',
            name: 'OpenAI: GPT-5.5',
            context_length: 1050000,
            architecture: { input_modalities: ['text', 'image'] },
            pricing: { prompt: '0.000005', completion: '0.00003', input_cache_read: '0.0000005' },
            top_provider: { max_completion_tokens: 128000 },
            supported_parameters: ['tools', 'response_format', 'reasoning'],
          },
        ],
      };
  captured.data.push({
    id: 'example/new-coder',
    name: 'Example: New Coder',
    context_length: 131072,
    architecture: { input_modalities: ['text'] },
    pricing: { prompt: '0.0000002', completion: '0.0000008' },
    top_provider: { max_completion_tokens: 32768 },
    supported_parameters: ['tools'],
    benchmarks: {
      artificial_analysis: { coding_index: 44.4, agentic_index: null, intelligence_index: null },
      design_arena: [],
    },
  });
  return JSON.stringify(captured);
}

let server: Server;
let baseUrl: string;
let lastHeaders: IncomingHttpHeaders = {};
let failWith: number | undefined;
const body = catalogBody();

beforeAll(async () => {
  server = createServer((request, response) => {
    lastHeaders = request.headers;
    if (failWith !== undefined) {
      response.writeHead(failWith, { 'content-type': 'application/json' });
      response.end('{"error":{"code":503,"message":"down"}}');
      return;
    }
    if (request.url !== '/api/v1/models') {
      response.writeHead(404);
      response.end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let root: string;
let shippedDir: string;
let dataDir: string;
const base = testSnapshot('2026-11', [
  testModel('openai/gpt-5.5', {
    name: 'GPT-5.5',
    pricing: { input: 6, output: 36 },
    benchmarks: [
      { benchmark: 'SWE-Bench Pro', value: 58.6, source: 'https://example.org/launch', date: '2026-04-23' },
    ],
  }),
  testModel('local/only', { name: 'Not in the catalog' }),
]);

beforeEach(async () => {
  failWith = undefined;
  root = await mkdtemp(join(tmpdir(), 'pareto-refresh-'));
  shippedDir = join(root, 'shipped');
  dataDir = join(root, 'data');
  await mkdir(shippedDir);
  await writeFile(join(shippedDir, '2026-11.json'), JSON.stringify(base));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('refreshCatalog', () => {
  it('updates prices of known models, keeps their benchmarks and adds benchmarked newcomers', async () => {
    const result = await refreshCatalog({
      now: new Date('2026-12-15T10:00:00Z'),
      dataDir,
      shippedDir,
      baseUrl,
      apiKey: 'sk-test',
      env: {},
    });
    expect(result.snapshot.version).toBe('2026-12');
    expect(result.baseVersion).toBe('2026-11');
    expect(result.path).toBe(join(dataDir, 'snapshots', '2026-12.json'));
    expect(lastHeaders.authorization).toBe('Bearer sk-test');

    const refreshed = await loadSnapshot({ dataDir, shippedDir });
    expect(refreshed.version).toBe('2026-12');
    const gpt = refreshed.models.find((model) => model.id === 'openai/gpt-5.5');
    expect(gpt?.pricing).toEqual({ input: 5, output: 30, cacheRead: 0.5 });
    expect(gpt?.name).toBe('GPT-5.5');
    expect(gpt?.benchmarks).toEqual(base.models[0]?.benchmarks);
    expect(gpt?.sources).toContainEqual({
      field: 'pricing',
      source: `${baseUrl}/models`,
      date: '2026-12-15',
    });
    expect(refreshed.models.find((model) => model.id === 'local/only')).toEqual(base.models[1]);

    const newcomer = refreshed.models.find((model) => model.id === 'example/new-coder');
    expect(newcomer).toMatchObject({ shortlist: false, pricing: { input: 0.2, output: 0.8 } });
    expect(newcomer?.benchmarks[0]).toMatchObject({
      benchmark: 'Artificial Analysis Coding Index',
      value: 44.4,
    });
    // Catalog models without a coding index are not added.
    expect(refreshed.models).toHaveLength(3);
    expect(result.added).toEqual(['example/new-coder']);
  });

  it('numbers a second refresh of the month, and reads the base URL from the environment', async () => {
    await refreshCatalog({
      now: new Date('2026-12-15T10:00:00Z'),
      dataDir,
      shippedDir,
      env: { OPENROUTER_BASE_URL: baseUrl },
    });
    const second = await refreshCatalog({
      now: new Date('2026-12-20T10:00:00Z'),
      dataDir,
      shippedDir,
      env: { OPENROUTER_BASE_URL: `${baseUrl}/` },
    });
    expect(second.snapshot.version).toBe('2026-12.1');
    expect(second.baseVersion).toBe('2026-12');
    expect(lastHeaders.authorization).toBeUndefined();
  });

  it('offline: a clear error naming the URL and the snapshot kept, and nothing written', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await refreshCatalog({
      now: new Date('2026-12-15T10:00:00Z'),
      dataDir,
      shippedDir,
      baseUrl: `http://127.0.0.1:${port}/api/v1`,
      env: {},
      timeoutMs: 5_000,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RouterError);
    expect((error as RouterError).code).toBe('import_failed');
    expect((error as RouterError).message).toMatch(
      new RegExp(
        `^could not fetch the OpenRouter catalog from http://127\\.0\\.0\\.1:${port}/api/v1/models: .+; kept snapshot 2026-11$`,
      ),
    );
    expect((error as RouterError).message).not.toContain('\n');
    await expect(readdir(join(dataDir, 'snapshots'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await loadSnapshot({ dataDir, shippedDir })).version).toBe('2026-11');
  });

  it('an HTTP error or a body that is not a catalog writes nothing either', async () => {
    failWith = 503;
    await expect(
      refreshCatalog({ now: new Date('2026-12-15T10:00:00Z'), dataDir, shippedDir, baseUrl, env: {} }),
    ).rejects.toThrow(
      `could not fetch the OpenRouter catalog from ${baseUrl}/models: HTTP 503 Service Unavailable; kept snapshot 2026-11`,
    );
    failWith = undefined;
    await expect(
      refreshCatalog({
        now: new Date('2026-12-15T10:00:00Z'),
        dataDir,
        shippedDir,
        baseUrl: `${baseUrl}/nothing-here`,
        env: {},
      }),
    ).rejects.toThrow(/HTTP 404 Not Found; kept snapshot 2026-11$/);
    await expect(readdir(join(dataDir, 'snapshots'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('nextVersion', () => {
  it('uses the month of the clock, then the next free suffix', () => {
    const now = new Date('2026-12-31T23:59:59Z');
    expect(nextVersion(now, ['2026-11'])).toBe('2026-12');
    expect(nextVersion(now, ['2026-12'])).toBe('2026-12.1');
    expect(nextVersion(now, ['2026-12', '2026-12.1', '2026-12.7'])).toBe('2026-12.8');
  });
});

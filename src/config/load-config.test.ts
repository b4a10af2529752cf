import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

const writeConfig = (text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'pareto-config-')), 'config.yaml');
  writeFileSync(path, text);
  return path;
};

describe('loadConfig', () => {
  it('runs on 127.0.0.1:8080 with no upstream when nothing is set', () => {
    const config = loadConfig({ env: {} });
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8080);
    expect(config.upstreams).toEqual([]);
    expect(config.bodyLimitBytes).toBe(32 * 1024 * 1024);
  });

  it('enables vendors from the SDKs’ own variables, with base-URL overrides', () => {
    const config = loadConfig({
      env: {
        OPENROUTER_API_KEY: 'sk-or-1',
        OPENROUTER_BASE_URL: 'http://127.0.0.1:9999/api/v1/',
        ANTHROPIC_API_KEY: 'sk-ant-1',
        GEMINI_API_KEY: 'g-1',
        OLLAMA_BASE_URL: 'http://127.0.0.1:11434/v1',
        PORT: '9000',
      },
    });
    const byName = Object.fromEntries(config.upstreams.map((upstream) => [upstream.name, upstream]));
    expect(Object.keys(byName).sort()).toEqual(['anthropic', 'gemini', 'ollama', 'openrouter']);
    expect(byName.openrouter?.baseUrl).toBe('http://127.0.0.1:9999/api/v1');
    expect(byName.openrouter?.passthrough).toBe(true);
    expect(byName.anthropic?.protocol).toBe('anthropic');
    expect(byName.ollama?.apiKey).toBeUndefined();
    expect(config.port).toBe(9000);
  });

  it('reads a YAML file with custom upstreams and keys from named variables', () => {
    const path = writeConfig(`
port: 7000
upstreams:
  - name: local-vllm
    protocol: openai
    baseUrl: http://127.0.0.1:8000/v1
    apiKeyEnv: MY_VLLM_KEY
    models:
      qwen/qwen3.6-27b: Qwen/Qwen3.6-27B
timeouts:
  firstByteMs: 5000
routing:
  tierCutoffs: { high: 0.7, medium: 0.4 }
  policy: bands
`);
    const config = loadConfig({ configPath: path, env: { MY_VLLM_KEY: 'k' } });
    expect(config.port).toBe(7000);
    expect(config.upstreams[0]).toMatchObject({
      name: 'local-vllm',
      apiKey: 'k',
      models: { 'qwen/qwen3.6-27b': 'Qwen/Qwen3.6-27B' },
    });
    expect(config.timeouts.firstByteMs).toBe(5000);
    expect(config.timeouts.streamIdleMs).toBe(60_000);
    expect(config.tierCutoffs).toEqual({ high: 0.7, medium: 0.4 });
    expect(config.routingPolicy).toBe('bands');
    expect(loadConfig({ env: {} }).routingPolicy).toBe('pareto');
  });

  it.each([
    ['an unknown field', 'prot: 1\n', /prot/],
    ['a wrong type', 'port: "eighty"\n', /port/],
    ['broken YAML', 'port: [1,\n', /not valid YAML/],
    [
      'a custom upstream without protocol',
      'upstreams:\n  - name: x\n    baseUrl: http://a.b\n',
      /protocol and baseUrl/,
    ],
    ['an unknown routing policy', 'routing:\n  policy: cheapest\n', /routing\.policy/],
    [
      'inverted cut-offs',
      'routing:\n  tierCutoffs: { high: 0.2, medium: 0.5 }\n',
      /medium must not be above/,
    ],
  ])('fails with one line naming the problem for %s', (_name, text, message) => {
    const path = writeConfig(text);
    expect(() => loadConfig({ configPath: path, env: {} })).toThrow(message);
  });

  it('lets environment variables override the file, and command-line overrides both', () => {
    const path = writeConfig('host: 10.0.0.1\nport: 7000\ndataDir: /from/file\nsnapshot: "2026-05"\n');
    const fromEnv = loadConfig({
      configPath: path,
      env: {
        HOST: '127.0.0.2',
        PORT: '7100',
        PARETO_ROUTER_DATA_DIR: '/from/env',
        PARETO_ROUTER_SNAPSHOT: '2026-11',
      },
    });
    expect([fromEnv.host, fromEnv.port, fromEnv.dataDir, fromEnv.snapshotVersion]).toEqual([
      '127.0.0.2',
      7100,
      '/from/env',
      '2026-11',
    ]);
    const fromFile = loadConfig({ configPath: path, env: {} });
    expect([fromFile.host, fromFile.port, fromFile.dataDir, fromFile.snapshotVersion]).toEqual([
      '10.0.0.1',
      7000,
      '/from/file',
      '2026-05',
    ]);
    const fromFlags = loadConfig({ configPath: path, env: { PORT: '7100' }, overrides: { port: 7200 } });
    expect(fromFlags.port).toBe(7200);
  });

  it('switches the same-protocol fast path by PARETO_ROUTER_FAST_PATH over the file', () => {
    expect(loadConfig({ env: {} }).fastPath).toBeUndefined();
    const path = writeConfig('fastPath: false\n');
    expect(loadConfig({ configPath: path, env: {} }).fastPath).toBe(false);
    expect(loadConfig({ configPath: path, env: { PARETO_ROUTER_FAST_PATH: 'on' } }).fastPath).toBe(true);
    expect(loadConfig({ env: { PARETO_ROUTER_FAST_PATH: 'OFF' } }).fastPath).toBe(false);
    expect(() => loadConfig({ env: { PARETO_ROUTER_FAST_PATH: 'sometimes' } })).toThrow(
      'PARETO_ROUTER_FAST_PATH must be on or off, got "sometimes"',
    );
  });

  it('reads the failover settings, with defaults for what the file leaves out', () => {
    const path = writeConfig(`
timeouts:
  firstTokenMs: 30000
  learned: { multiplier: 4, floorMs: 5000 }
rescue: { maxAttempts: 1 }
circuitBreaker: { reopenMaxMs: 10000 }
upstreams:
  - name: anthropic
    prefill: false
  - name: my-vllm
    protocol: openai
    baseUrl: http://127.0.0.1:8000/v1
    prefill: true
`);
    const config = loadConfig({ configPath: path, env: { OPENROUTER_API_KEY: 'k' } });
    expect(config.timeouts.firstTokenMs).toBe(30_000);
    expect(config.timeouts.learned).toEqual({
      enabled: true,
      multiplier: 4,
      floorMs: 5_000,
      defaultMs: 10_000,
      minSamples: 10,
    });
    expect(config.rescue).toEqual({ enabled: true, maxAttempts: 1 });
    expect(config.circuitBreaker).toEqual({
      failureThreshold: 5,
      openMs: 10_000,
      reopenBaseMs: 2_000,
      reopenMaxMs: 10_000,
    });
    const byName = Object.fromEntries(config.upstreams.map((upstream) => [upstream.name, upstream]));
    expect(byName.anthropic?.prefill).toBe(false);
    expect(byName['my-vllm']?.prefill).toBe(true);
    expect(byName.openrouter?.prefill).toBe(true);
  });

  it('rejects a bad PORT variable', () => {
    expect(() => loadConfig({ env: { PORT: 'abc' } })).toThrow(/PORT/);
  });
});

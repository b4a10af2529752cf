import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockUpstream, startMockUpstream } from '../../mock-upstream/index.js';
import { createApiKeyRecord } from '../../store/api-key.js';
import { runCli } from '../test-support/cli-fixture.js';
import { createTemporaryDataDir, withFixtureStore } from '../test-support/request-log-fixture.js';
import type { DoctorReport } from './doctor-command.js';

const goodKey = 'sk-good-0123456789';

let upstream: MockUpstream;
/** A port nothing listens on: an upstream that is down. */
let deadPort: number;
let data: { dataDir: string; remove: () => Promise<void> };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  upstream = await startMockUpstream({
    acceptedKeys: [goodKey],
    scripts: { 'anthropic/claude-sonnet-4.5': {}, 'openai/gpt-5': {} },
  });
  deadPort = await freePort();
  data = await createTemporaryDataDir();
});

afterAll(async () => {
  await upstream?.close();
  await data?.remove();
});

/** OpenRouter up with a good key, Anthropic refusing its key, OpenAI down. */
function threeUpstreams(): Record<string, string> {
  return {
    OPENROUTER_API_KEY: goodKey,
    OPENROUTER_BASE_URL: `${upstream.url}/api/v1`,
    ANTHROPIC_API_KEY: 'sk-ant-wrong-0123456789',
    ANTHROPIC_BASE_URL: upstream.baseUrls.anthropic,
    OPENAI_API_KEY: goodKey,
    OPENAI_BASE_URL: `http://127.0.0.1:${deadPort}/v1`,
  };
}

async function doctor(args: string[], environment: Record<string, string>) {
  const run = await runCli(['doctor', '--data-dir', data.dataDir, '--timeout', '3000', ...args], {
    environment,
  });
  return run;
}

function checkOf(report: DoctorReport, name: string) {
  const check = report.checks.find((entry) => entry.name === name);
  if (check === undefined) throw new Error(`no check ${name} in ${JSON.stringify(report.checks)}`);
  return check;
}

describe('doctor against the fake upstream', () => {
  it('tells the upstream that answers from the one refusing the key and the one that is down', async () => {
    const run = await doctor(['--json'], threeUpstreams());
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as DoctorReport;
    expect(report.status).toBe('fail');
    expect(checkOf(report, 'upstream:openrouter')).toMatchObject({ status: 'ok', fix: null });
    const refused = checkOf(report, 'upstream:anthropic');
    expect(refused.status).toBe('fail');
    expect(refused.detail).toMatch(/refuses the key \(HTTP 401\)/);
    expect(refused.fix).toMatch(/replace the key of anthropic/);
    const down = checkOf(report, 'upstream:openai');
    expect(down.status).toBe('fail');
    expect(down.detail).toMatch(/does not answer: ECONNREFUSED/);
    // OpenRouter serves every index model, so the whole shortlist stays servable.
    expect(checkOf(report, 'shortlist').status).toBe('ok');
    expect(report.shortlist.length).toBeGreaterThan(0);
    expect(report.shortlist.every((entry) => entry.upstreams.includes('openrouter'))).toBe(true);
    expect(report.shortlist.some((entry) => entry.upstreams.includes('anthropic'))).toBe(false);
    // The keys never appear in the report.
    expect(run.stdout).not.toContain(goodKey);
    expect(run.stdout).not.toContain('sk-ant-wrong');
  });

  it('prints each finding with its fix, and exits 1 when a check failed', async () => {
    const run = await doctor([], threeUpstreams());
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^ok +upstream:openrouter +OpenRouter at .* accepts the key$/m);
    expect(run.stdout).toMatch(/^FAIL +upstream:anthropic +.*refuses the key/m);
    expect(run.stdout).toMatch(/^ +fix: replace the key of anthropic/m);
    expect(run.stdout).toMatch(/^FAIL +upstream:openai +.*does not answer/m);
    expect(run.stdout).toContain('serve will not work as configured');
  });

  it('with only the refusing upstream, no shortlist model is servable', async () => {
    const { ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL } = threeUpstreams();
    const run = await doctor(['--json'], {
      ANTHROPIC_API_KEY: ANTHROPIC_API_KEY as string,
      ANTHROPIC_BASE_URL: ANTHROPIC_BASE_URL as string,
    });
    const report = JSON.parse(run.stdout) as DoctorReport;
    expect(checkOf(report, 'shortlist')).toMatchObject({ status: 'fail' });
    expect(checkOf(report, 'shortlist').detail).toMatch(/^0\/\d+ shortlist models servable/);
  });

  it('with the good key everywhere that answers, everything is ok and the exit is 0', async () => {
    const run = await doctor([], {
      OPENROUTER_API_KEY: goodKey,
      OPENROUTER_BASE_URL: `${upstream.url}/api/v1`,
      ANTHROPIC_API_KEY: goodKey,
      ANTHROPIC_BASE_URL: upstream.baseUrls.anthropic,
    });
    expect(run.stdout).toContain('everything serve needs is in place');
    expect(run.exitCode).toBe(0);
  });

  it('takes --data-dir before the command name too', async () => {
    const environment = { OPENROUTER_API_KEY: goodKey, OPENROUTER_BASE_URL: `${upstream.url}/api/v1` };
    const after = await runCli(['doctor', '--data-dir', data.dataDir, '--json'], { environment });
    const before = await runCli(['--data-dir', data.dataDir, 'doctor', '--json'], { environment });
    expect(before).toEqual(after);
    expect(after.stdout).toContain(data.dataDir);
  });
});

describe('doctor on the setup itself', () => {
  it('a configuration that does not load fails, and the other checks are skipped', async () => {
    const run = await doctor(['--json'], { PORT: 'eighty' });
    expect(run.exitCode).toBe(1);
    const report = JSON.parse(run.stdout) as DoctorReport;
    expect(checkOf(report, 'config')).toMatchObject({ status: 'fail' });
    expect(checkOf(report, 'config').detail).toMatch(/PORT/);
    expect(checkOf(report, 'bind').status).toBe('skip');
  });

  it('reads the gateway keys and warns about a public bind without one', async () => {
    const environment = { OPENROUTER_API_KEY: goodKey, OPENROUTER_BASE_URL: `${upstream.url}/api/v1` };
    const open = JSON.parse(
      (await doctor(['--json'], { ...environment, HOST: '0.0.0.0' })).stdout,
    ) as DoctorReport;
    expect(checkOf(open, 'bind')).toMatchObject({ status: 'warn' });
    expect(checkOf(open, 'bind').fix).toMatch(/keys create/);
    const keyed = await createTemporaryDataDir();
    try {
      await withFixtureStore(keyed.dataDir, (store) =>
        store.createKey(createApiKeyRecord({ name: 'ci' }, Date.now()).record),
      );
      const run = await runCli(['doctor', '--data-dir', keyed.dataDir, '--json'], {
        environment: { ...environment, HOST: '0.0.0.0' },
      });
      const report = JSON.parse(run.stdout) as DoctorReport;
      expect(checkOf(report, 'database').detail).toMatch(/1 active gateway key$/);
      expect(checkOf(report, 'bind')).toMatchObject({ status: 'ok' });
      expect(checkOf(report, 'bind').detail).toMatch(/gateway keys required \(1 active\)/);
      expect(run.exitCode).toBe(0);
    } finally {
      await keyed.remove();
    }
  });

  it('a bad --timeout is a usage error', async () => {
    const run = await runCli(['doctor', '--timeout', 'soon'], { environment: {} });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^pareto-router: --timeout must be/);
  });
});

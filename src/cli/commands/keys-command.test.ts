import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../store/api-key.js';
import { runCli } from '../test-support/cli-fixture.js';
import {
  createTemporaryDataDir,
  day,
  fixtureNow,
  withFixtureStore,
} from '../test-support/request-log-fixture.js';
import type { KeyCreateReport, KeyListReport, KeyRevokeReport, KeyUpdateReport } from './keys-command.js';

const keyPattern = /pr-[A-Za-z0-9_-]{43}/g;

let dataDir: string;
let remove: () => Promise<void>;

beforeEach(async () => {
  ({ dataDir, remove } = await createTemporaryDataDir());
});

afterEach(async () => {
  await remove();
});

const now = () => fixtureNow;
const keys = (...args: string[]) => runCli(['keys', ...args, '--data-dir', dataDir], { now });

async function createKey(...args: string[]): Promise<KeyCreateReport> {
  const run = await keys('create', ...args, '--json');
  expect(run.stderr).toBe('store the key now: it will not be shown again\n');
  expect(run.exitCode).toBe(0);
  return JSON.parse(run.stdout) as KeyCreateReport;
}

/** Every byte the store wrote (the database and its WAL), as text. */
async function storedBytes(): Promise<string> {
  const names = await readdir(dataDir);
  const contents = await Promise.all(names.map((name) => readFile(join(dataDir, name), 'latin1')));
  return contents.join('\n');
}

function oneErrorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

describe('keys create', () => {
  it('prints the key once with a warning, and stores only its hash', async () => {
    const run = await keys('create', '--name', 'ci-bot', '--limit-daily', '5', '--excluded-models', 'x-ai/*');
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    const printed = run.stdout.match(keyPattern) ?? [];
    expect(printed).toHaveLength(1);
    const key = printed[0] as string;
    expect(run.stdout).toContain('Store it now: it will not be shown again.');
    expect(run.stdout).toMatch(/^created key key_[a-z0-9]{12} "ci-bot"$/m);
    expect(run.stdout).toContain('  daily limit: $5.00');
    expect(run.stdout).toContain('  excluded models: x-ai/*');
    expect(run.stdout).toContain('This is the first key of this store');

    const stored = await withFixtureStore(dataDir, (store) => store.listKeys());
    expect(stored).toHaveLength(1);
    expect(stored[0]?.hash).toBe(hashApiKey(key));
    expect(stored[0]?.createdAt).toBe(fixtureNow);
    expect(stored[0]?.limitDailyUsd).toBe(5);
    expect(stored[0]?.excludedModels).toEqual(['x-ai/*']);
    const bytes = await storedBytes();
    expect(bytes).not.toContain(key);
    expect(bytes).not.toContain(key.slice(3));
    expect(bytes).toContain(hashApiKey(key));
  });

  it('--json holds the key and the record, never the hash', async () => {
    const report = await createKey(
      '--name',
      'agents',
      '--min-coding-score',
      '0.8',
      '--prevent-overrides',
      '--allowed-models',
      'anthropic/*,openai/gpt-5*',
      '--allowed-models',
      'google/*',
      '--limit-monthly',
      '100.5',
      '--limit-total',
      '1000',
      '--rate-limit',
      '60',
    );
    expect(report.key).toMatch(/^pr-[A-Za-z0-9_-]{43}$/);
    expect(report.record).toEqual({
      id: expect.stringMatching(/^key_[a-z0-9]{12}$/),
      name: 'agents',
      label: `pr-${report.key.slice(3, 11)}...`,
      prefix: report.key.slice(3, 11),
      defaultMinCodingScore: 0.8,
      preventOverrides: true,
      allowedModels: ['anthropic/*', 'openai/gpt-5*', 'google/*'],
      excludedModels: [],
      limitDailyUsd: null,
      limitMonthlyUsd: 100.5,
      limitTotalUsd: 1000,
      rateLimitPerMinute: 60,
      createdAt: new Date(fixtureNow).toISOString(),
      revokedAt: null,
    });
    expect(JSON.stringify(report)).not.toContain(hashApiKey(report.key));
  });

  it('says nothing about open mode for a second key', async () => {
    await createKey('--name', 'first');
    const run = await keys('create', '--name', 'second');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).not.toContain('first key');
  });

  it.each([
    [['--limit-daily', '-5'], /--limit-daily <usd>.*'-5' is invalid.*>= 0/],
    [['--limit-monthly', '1e12'], /--limit-monthly <usd>.*'1e12' is invalid.*at most 1000000000 USD/],
    [['--limit-total', 'lots'], /--limit-total <usd>.*'lots' is invalid/],
    [['--rate-limit', '1.5'], /--rate-limit <per-minute>.*'1\.5' is invalid.*integer/],
    [['--rate-limit', '99999999'], /--rate-limit.*at most 10000000/],
    [['--min-coding-score', '2'], /--min-coding-score <score>.*'2' is invalid.*0\.\.1/],
    [['--allowed-models', 'a,,b'], /--allowed-models <list>.*'a,,b' is invalid/],
    [['--bogus'], /unknown option '--bogus'/],
  ])('refuses %j with one line and exit 2, storing nothing', async (flags, pattern) => {
    const run = await keys('create', '--name', 'x', ...flags);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(oneErrorLine(run.stderr)).toMatch(pattern);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('refuses a blank name and a missing one', async () => {
    const blank = await keys('create', '--name', '  ');
    expect(blank.exitCode).toBe(2);
    expect(oneErrorLine(blank.stderr)).toMatch(/^pareto-router: --name must be a non-empty string/);
    const missing = await keys('create');
    expect(missing.exitCode).toBe(2);
    expect(oneErrorLine(missing.stderr)).toMatch(/required option '--name <name>' not specified/);
  });

  it('an unusable data directory is one line and exit 2', async () => {
    const file = join(dataDir, 'not-a-directory');
    await writeFile(file, 'x');
    const run = await runCli(['keys', 'create', '--name', 'x', '--data-dir', file], { now });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(oneErrorLine(run.stderr)).toMatch(/data directory .*not-a-directory.* is not usable/);
  });
});

describe('keys list', () => {
  it('shows id, name, label and limits, never the key or its hash', async () => {
    const first = await createKey('--name', 'ci-bot', '--limit-daily', '5', '--rate-limit', '60');
    const second = await createKey('--name', 'dashboard', '--min-coding-score', '0.5');
    const run = await keys('list');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('2 keys (2 active)');
    const lines = run.stdout.split('\n');
    const ciLine = lines.find((line) => line.includes(first.record.id)) ?? '';
    expect(ciLine).toMatch(
      new RegExp(
        `^${first.record.id}\\s+ci-bot\\s+pr-${first.record.prefix}\\.\\.\\.\\s+-\\s+allowed\\s+any\\s+\\$5\\.00\\s+-\\s+-\\s+60\\s+2026-11-20 12:00:00Z\\s+active$`,
      ),
    );
    expect(lines.some((line) => line.startsWith(second.record.id) && line.includes('0.5'))).toBe(true);
    for (const secret of [first.key, second.key, hashApiKey(first.key), hashApiKey(second.key)]) {
      expect(run.stdout).not.toContain(secret);
    }

    const json = await keys('list', '--json');
    const report = JSON.parse(json.stdout) as KeyListReport;
    // Both were created at the same instant, so only the set is certain, not the order.
    expect(report.keys.map((key) => key.name).sort()).toEqual(['ci-bot', 'dashboard']);
    expect(report.keys.find((key) => key.id === first.record.id)).toEqual(first.record);
    expect(json.stdout).not.toContain(first.key);
    expect(json.stdout).not.toContain(hashApiKey(first.key));
    expect(json.stdout).not.toContain('"hash"');
  });

  it('on a data directory the router never used: exit 1, nothing created', async () => {
    const missing = join(dataDir, 'typo');
    const run = await runCli(['keys', 'list', '--data-dir', missing], { now });
    expect(run.exitCode).toBe(1);
    expect(oneErrorLine(run.stderr)).toMatch(/no request log at .*typo.*pareto-router\.db/);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('on an empty store says how to make a key', async () => {
    await withFixtureStore(dataDir, async () => undefined);
    const run = await keys('list');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('no keys yet: `pareto-router keys create --name NAME` makes one\n');
  });

  it('reads the data directory from --config', async () => {
    const created = await createKey('--name', 'from-config');
    const configPath = join(dataDir, 'router.yaml');
    await writeFile(configPath, `dataDir: ${JSON.stringify(dataDir)}\n`);
    const run = await runCli(['keys', 'list', '--json', '--config', configPath], { now });
    expect(run.exitCode).toBe(0);
    expect((JSON.parse(run.stdout) as KeyListReport).keys.map((key) => key.id)).toEqual([created.record.id]);
    const broken = await runCli(['keys', 'list', '--config', join(dataDir, 'missing.yaml')], { now });
    expect(broken.exitCode).toBe(2);
    expect(oneErrorLine(broken.stderr)).toMatch(/cannot read config .*missing\.yaml/);
  });
});

describe('keys revoke', () => {
  it('revokes a key once and says so when asked again', async () => {
    const created = await createKey('--name', 'ci-bot');
    const run = await keys('revoke', created.record.id);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(
      `revoked key ${created.record.id} ("ci-bot", pr-${created.record.prefix}...)`,
    );
    const stored = await withFixtureStore(dataDir, (store) => store.getKey(created.record.id));
    expect(stored?.revokedAt).toBe(fixtureNow);

    const again = await runCli(['keys', 'revoke', created.record.id, '--json', '--data-dir', dataDir], {
      now: () => fixtureNow + day,
    });
    expect(again.exitCode).toBe(0);
    const report = JSON.parse(again.stdout) as KeyRevokeReport;
    expect(report.alreadyRevoked).toBe(true);
    expect(report.record.revokedAt).toBe(new Date(fixtureNow).toISOString());
    const text = await keys('revoke', created.record.id);
    expect(text.stdout).toMatch(/was already revoked at 2026-11-20 12:00:00Z; nothing changed/);

    const list = await keys('list');
    expect(list.stdout).toContain('1 key (0 active)');
    expect(list.stdout).toContain('revoked 2026-11-20 12:00:00Z');
  });

  it('an unknown id is one line and a non-zero exit', async () => {
    await createKey('--name', 'ci-bot');
    const run = await keys('revoke', 'key_doesnotexist');
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(oneErrorLine(run.stderr)).toBe(
      'pareto-router: unknown key id "key_doesnotexist": `pareto-router keys list` shows the ids',
    );
  });
});

describe('keys update', () => {
  it('changes only the flags given and lists the changes', async () => {
    const created = await createKey('--name', 'ci-bot', '--limit-daily', '5', '--rate-limit', '60');
    const run = await keys(
      'update',
      created.record.id,
      '--limit-daily',
      'none',
      '--limit-monthly',
      '50',
      '--prevent-overrides',
    );
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`updated key ${created.record.id} ("ci-bot"):`);
    expect(run.stdout).toContain('  daily limit: $5.00 -> none');
    expect(run.stdout).toContain('  monthly limit: none -> $50.00');
    expect(run.stdout).toContain('  caller overrides: allowed -> prevented');
    const stored = await withFixtureStore(dataDir, (store) => store.getKey(created.record.id));
    expect(stored).toMatchObject({
      name: 'ci-bot',
      limitDailyUsd: null,
      limitMonthlyUsd: 50,
      rateLimitPerMinute: 60,
      preventOverrides: true,
      hash: hashApiKey(created.key),
    });

    const json = await keys('update', created.record.id, '--allow-overrides', '--name', 'renamed', '--json');
    const report = JSON.parse(json.stdout) as KeyUpdateReport;
    expect(report.changed).toEqual(['name', 'preventOverrides']);
    expect(report.record.name).toBe('renamed');
    expect(report.record.preventOverrides).toBe(false);
  });

  it('refuses an update that changes nothing, conflicting flags and unknown ids', async () => {
    const created = await createKey('--name', 'ci-bot');
    const empty = await keys('update', created.record.id);
    expect(empty.exitCode).toBe(2);
    expect(oneErrorLine(empty.stderr)).toMatch(/changes nothing; give at least one of --name/);
    const conflict = await keys('update', created.record.id, '--prevent-overrides', '--allow-overrides');
    expect(conflict.exitCode).toBe(2);
    expect(oneErrorLine(conflict.stderr)).toMatch(/cannot be used with/);
    const unknown = await keys('update', 'key_doesnotexist', '--limit-daily', '1');
    expect(unknown.exitCode).toBe(1);
    expect(oneErrorLine(unknown.stderr)).toMatch(/unknown key id "key_doesnotexist"/);
  });
});

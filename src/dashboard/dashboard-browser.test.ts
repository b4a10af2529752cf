/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core (no browser download).
 * Skips, saying why, where no Chromium is installed. Screenshots go to test-artifacts/ (not committed).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, postChat, startGateway } from '../server/test-support/gateway-fixture.js';

const executablePath = process.env.PARETO_ROUTER_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(executablePath);
if (!haveChromium) {
  console.warn(
    `dashboard browser test skipped: no Chromium at ${executablePath} (install Debian's "chromium" package or set PARETO_ROUTER_CHROMIUM)`,
  );
}
const artifacts = join(process.cwd(), 'test-artifacts');
const masterKey = 'browser-master-key-0123456789abcdef';

async function launch(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'pareto-router-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The frontier chart's current option, read from ECharts in the page. */
function chartSeries(page: Page): Promise<{ id: string; type: string; points: number }[]> {
  return page.evaluate(() => {
    const library = (globalThis as any).echarts;
    const chart = library.getInstanceByDom((globalThis as any).document.getElementById('frontier-chart'));
    const option = chart?.getOption();
    return (option?.series ?? []).map((series: any) => ({
      id: String(series.id),
      type: String(series.type),
      points: Array.isArray(series.data) ? series.data.length : 0,
    }));
  });
}

async function setScore(page: Page, score: number): Promise<void> {
  await page.evaluate((value) => {
    const input = (globalThis as any).document.getElementById('score');
    input.value = String(value);
    input.dispatchEvent(new (globalThis as any).Event('input', { bubbles: true }));
  }, score);
}

describe.skipIf(!haveChromium)('dashboard in headless Chromium', () => {
  let gateway: GatewayFixture;
  let browser: Awaited<ReturnType<typeof launch>>;
  let traffic: Promise<void> | undefined;
  let trafficRunning = false;
  const sentIds: string[] = [];

  const send = async (score: number) => {
    const result = await postChat(gateway.url, {
      model: 'pareto-code',
      plugins: [{ id: 'pareto-router', min_coding_score: score }],
      messages: [{ role: 'user', content: `score ${score}` }],
    });
    if (result.status === 200) sentIds.push(String(result.json.id));
  };

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    gateway = await startGateway();
    browser = await launch();
    // Traffic through the fake upstream for as long as the page is open.
    trafficRunning = true;
    traffic = (async () => {
      const scores = [0.9, 0.5, 0.1, 0.7];
      for (let turn = 0; trafficRunning; turn += 1) {
        await send(scores[turn % scores.length] as number);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();
  }, 60_000);

  afterAll(async () => {
    trafficRunning = false;
    await traffic;
    await browser?.close();
    await gateway?.close();
  });

  it('shows the frontier, moves the pick with the slider as explain says, and lists new requests', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${gateway.url}/`);
    await page.waitForSelector('#dashboard:not([hidden])');
    await page.waitForFunction(() => {
      const library = (globalThis as any).echarts;
      const chart = library?.getInstanceByDom((globalThis as any).document.getElementById('frontier-chart'));
      return (chart?.getOption()?.series?.length ?? 0) > 0;
    });

    // One point per shortlist model and the frontier line.
    const frontier = (await (await fetch(`${gateway.url}/api/v1/dashboard/frontier`)).json()) as any;
    const series = await chartSeries(page);
    const points = series
      .filter((entry) => entry.type === 'scatter' && entry.id !== 'picks')
      .reduce((sum, entry) => sum + entry.points, 0);
    expect(points).toBe(frontier.points.length);
    expect(points).toBe(10);
    const line = series.find((entry) => entry.id === 'frontier');
    expect(line?.type).toBe('line');
    expect(line?.points).toBe(frontier.points.filter((point: any) => point.onFrontier).length);
    expect(line?.points).toBeGreaterThanOrEqual(2);

    // Hovering a point shows its prices, context, throughput and benchmark sources.
    const position = await page.evaluate(() => {
      const library = (globalThis as any).echarts;
      const element = (globalThis as any).document.getElementById('frontier-chart');
      const chart = library.getInstanceByDom(element);
      const series = chart.getOption().series.find((entry: any) => entry.id === 'tier-medium');
      const [x, y] = chart.convertToPixel({ seriesId: 'tier-medium' }, series.data[0].value);
      const box = element.getBoundingClientRect();
      return { x: box.left + x, y: box.top + y, id: series.data[0].name };
    });
    await page.mouse.move(position.x, position.y);
    await page.waitForFunction(
      (id) =>
        ((globalThis as any).document.getElementById('frontier-chart')?.textContent ?? '').includes(
          `(${id})`,
        ),
      position.id,
    );
    const tooltip = await page.evaluate(
      () => (globalThis as any).document.getElementById('frontier-chart').textContent,
    );
    for (const part of ['blended $', 'context', 'throughput', 'source: Synthetic Bench'])
      expect(tooltip).toContain(part);
    await page.mouse.move(0, 0);

    // The slider across the high/medium boundary: the pick follows /api/v1/router/explain.
    const explainPick = async (score: number) => {
      const plan = (await (
        await fetch(`${gateway.url}/api/v1/router/explain?min_coding_score=${score}`)
      ).json()) as any;
      return String(plan.candidates[0].modelId);
    };
    const picks: string[] = [];
    for (const score of [0.9, 0.4]) {
      await setScore(page, score);
      const expected = await explainPick(score);
      await page.waitForFunction(
        (model) => (globalThis as any).document.getElementById('pick')?.dataset.model === model,
        expected,
      );
      picks.push(expected);
    }
    expect(picks[0]).not.toBe(picks[1]);
    expect(await page.textContent('#pick-detail')).toContain('medium tier');

    // New requests appear in the table without a reload.
    const before = await page.$$eval('#requests-table tbody tr[data-id]', (rows) =>
      rows.map((row) => (row as any).dataset.id),
    );
    await send(0.5);
    const newest = sentIds.at(-1) as string;
    expect(before).not.toContain(newest);
    await page.waitForSelector(`#requests-table tbody tr[data-id="${newest}"]`, { timeout: 15_000 });

    // A click opens the full record.
    await page.click(`#requests-table tbody tr[data-id="${newest}"]`);
    await page.waitForSelector('#record-dialog[open]');
    const record = JSON.parse((await page.textContent('#record-body')) ?? '{}');
    expect(record.id).toBe(newest);
    expect(record.settings.min_coding_score).toBe(0.5);
    await page.click('#record-dialog button');

    await setScore(page, 0.5);
    await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(artifacts, 'dashboard-1280x800.png') });
    await page.screenshot({ path: join(artifacts, 'dashboard-1280-full.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForSelector('#dashboard:not([hidden])');
    await page.waitForFunction(() => Number((globalThis as any).document.body.dataset.updates ?? 0) >= 1);
    await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(artifacts, 'dashboard-390.png') });
    await page.screenshot({ path: join(artifacts, 'dashboard-390-full.png'), fullPage: true });
    // Nothing wider than the phone's screen: the page does not scroll sideways.
    const overflow = await page.evaluate(
      () => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
  }, 90_000);
});

describe.skipIf(!haveChromium)('dashboard sign-in in headless Chromium', () => {
  let gateway: GatewayFixture;
  let browser: Awaited<ReturnType<typeof launch>>;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    gateway = await startGateway({ masterKey });
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it('asks for the master key, keeps it out of the page, and signs out', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${gateway.url}/`);
    await page.waitForSelector('#sign-in:not([hidden])');
    await page.fill('#master-key', 'wrong-key');
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForFunction(
      () => ((globalThis as any).document.getElementById('sign-in-error')?.textContent ?? '') !== '',
    );
    await page.fill('#master-key', masterKey);
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('#dashboard:not([hidden])');
    await page.screenshot({ path: join(artifacts, 'dashboard-signed-in.png') });
    const visible = await page.evaluate(() => ({
      cookie: (globalThis as any).document.cookie,
      storage:
        JSON.stringify({ ...(globalThis as any).localStorage }) +
        JSON.stringify({ ...(globalThis as any).sessionStorage }),
      url: (globalThis as any).location.href,
    }));
    expect(visible.cookie).toBe('');
    expect(visible.storage).not.toContain(masterKey);
    expect(visible.url).not.toContain(masterKey);
    const cookies = await browser.context.cookies(gateway.url);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in:not([hidden])');
    const status = await page.evaluate(async () => (await fetch('/api/v1/dashboard/frontier')).status);
    expect(status).toBe(401);
    await page.close();
  }, 60_000);
});

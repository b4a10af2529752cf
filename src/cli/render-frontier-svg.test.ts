import { describe, expect, it } from 'vitest';
import {
  createLogScale,
  type FrontierChartModel,
  layoutFrontierChart,
  logTicks,
  priceDomainOf,
  renderFrontierSvg,
} from './render-frontier-svg.js';

const models: FrontierChartModel[] = [
  { id: 'lab/cheap', tier: 'low', codingPercentile: 0, blendedPrice: 0.0875, onFrontier: true },
  {
    id: 'lab/mid',
    tier: 'medium',
    codingPercentile: 0.5,
    blendedPrice: 0.85,
    onFrontier: false,
    dominatedBy: 'lab/open',
  },
  { id: 'lab/open', tier: 'medium', codingPercentile: 0.625, blendedPrice: 0.7, onFrontier: true },
  { id: 'lab/pro', tier: 'high', codingPercentile: 0.75, blendedPrice: 3.4375, onFrontier: true },
  { id: 'lab/top', tier: 'high', codingPercentile: 1, blendedPrice: 30, onFrontier: true },
  { id: 'lab/a&b<c>', tier: 'low', codingPercentile: 0.25, blendedPrice: 5, onFrontier: false },
];

/**
 * A strict-enough XML well-formedness check for what the builder emits: one root, every tag closed in
 * order, attributes quoted, no raw `&` or `<` in text or attribute values.
 */
function checkWellFormed(xml: string): { root: string; elements: number } {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const tokenPattern =
    /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*(\/?)>|([^<]+)/gy;
  const stack: string[] = [];
  let root = '';
  let elements = 0;
  let position = 0;
  for (let match = tokenPattern.exec(body); match !== null; match = tokenPattern.exec(body)) {
    position = tokenPattern.lastIndex;
    const [, closing, name, , selfClosing, text] = match;
    if (text !== undefined) {
      if (stack.length === 0 && text.trim() !== '') throw new Error(`text outside the root: ${text}`);
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`raw & in text: ${text}`);
      continue;
    }
    if (closing === '/') {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
      continue;
    }
    elements += 1;
    if (stack.length === 0) {
      if (root !== '') throw new Error('two root elements');
      root = name as string;
    }
    if (selfClosing !== '/') stack.push(name as string);
  }
  if (position !== body.length)
    throw new Error(`unparsable at ${position}: ${body.slice(position, position + 40)}`);
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
  return { root, elements };
}

describe('renderFrontierSvg', () => {
  const svg = renderFrontierSvg({
    snapshotVersion: '2026-11',
    cutoffs: { high: 0.66, medium: 0.33 },
    models,
  });

  it('is a well-formed SVG document with one dot per model', () => {
    const { root, elements } = checkWellFormed(svg);
    expect(root).toBe('svg');
    expect(elements).toBeGreaterThan(50);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    // Every model dot carries a <title> tooltip, so count dots by their tooltips.
    expect(svg.match(/<circle[^>]*>\s*<title>/g)).toHaveLength(models.length);
  });

  it('says in the tooltip which model beats a dominated one, and how', () => {
    expect(svg).toContain(
      '<title>lab/mid: percentile 0.5, $0.85/M blended, dominated by lab/open (better and cheaper)</title>',
    );
    expect(svg).toMatch(/<title>lab\/a&amp;b&lt;c&gt;: percentile 0\.25, \$5\/M blended, dominated<\/title>/);
  });

  it('escapes model ids that contain markup characters', () => {
    expect(svg).toContain('a&amp;b&lt;c&gt;');
    expect(svg).not.toContain('a&b<c>');
  });

  it('the well-formedness check rejects broken markup', () => {
    expect(() => checkWellFormed('<svg><g></svg>')).toThrow();
    expect(() => checkWellFormed('<svg><text>a & b</text></svg>')).toThrow();
    expect(() => checkWellFormed('<svg a="1"/><svg/>')).toThrow();
  });

  it('draws the tier cut-offs, the legend and the frontier step line', () => {
    expect(svg).toContain('>high tier</text>');
    expect(svg).toContain('>percentile &gt;= 0.66</text>');
    expect(svg).toContain('>0.33 to 0.66</text>');
    expect(svg).toContain('>percentile &lt; 0.33</text>');
    expect(svg.match(/stroke-dasharray="6 4"/g)).toHaveLength(3);
    expect(svg).toContain('Pareto frontier');
    expect(svg).toMatch(/<path class="frontier" d="M[\d.]+ [\d.]+ H[\d.]+ V[\d.]+/);
  });
});

describe('layoutFrontierChart', () => {
  const layout = layoutFrontierChart({
    snapshotVersion: '2026-11',
    cutoffs: { high: 0.66, medium: 0.33 },
    models,
  });

  it('puts every point inside the plot area', () => {
    for (const point of layout.points) {
      expect(point.x).toBeGreaterThanOrEqual(layout.plot.left);
      expect(point.x).toBeLessThanOrEqual(layout.plot.right);
      expect(point.y).toBeGreaterThanOrEqual(layout.plot.top);
      expect(point.y).toBeLessThanOrEqual(layout.plot.bottom);
    }
  });

  it('maps price monotonically on a log scale and percentile upwards', () => {
    const byId = new Map(layout.points.map((point) => [point.model.id, point]));
    const cheap = byId.get('lab/cheap')!;
    const pro = byId.get('lab/pro')!;
    const top = byId.get('lab/top')!;
    expect(cheap.x).toBeLessThan(pro.x);
    expect(pro.x).toBeLessThan(top.x);
    // Higher percentile is higher on the page (smaller y).
    expect(top.y).toBeLessThan(pro.y);
    expect(pro.y).toBeLessThan(cheap.y);
    // Log scale: equal ratios give equal distances.
    const x1 = layout.xOf(0.1);
    const x10 = layout.xOf(1);
    const x100 = layout.xOf(10);
    expect(x10 - x1).toBeCloseTo(x100 - x10, 6);
  });

  it('draws the frontier as a step line through the frontier points, cheapest first', () => {
    const steps = layout.frontierPath.match(/[MHV][\d.]+/g) ?? [];
    // M x y counts as one "M" token plus a bare y; H and V alternate after it, then a final H.
    const frontier = layout.points.filter((point) => point.model.onFrontier);
    expect(steps.filter((step) => step.startsWith('V'))).toHaveLength(frontier.length - 1);
    const verticals = steps.filter((step) => step.startsWith('V')).map((step) => Number(step.slice(1)));
    for (let position = 1; position < verticals.length; position++) {
      expect(verticals[position]).toBeLessThanOrEqual(verticals[position - 1] as number);
    }
    expect(layout.frontierPath.endsWith(`H${layout.plot.right}`)).toBe(true);
  });

  it('labels every point without leaving the picture', () => {
    expect(layout.labels).toHaveLength(models.length);
    for (const label of layout.labels) {
      expect(label.x).toBeGreaterThan(0);
      expect(label.x).toBeLessThan(layout.width);
      expect(label.y).toBeGreaterThan(layout.plot.top - 4);
      expect(label.y).toBeLessThan(layout.plot.bottom + 4);
    }
  });

  it('places free models on the left edge and says so on the axis', () => {
    const withFree = layoutFrontierChart({
      snapshotVersion: '2026-11',
      cutoffs: { high: 0.66, medium: 0.33 },
      models: [
        ...models,
        { id: 'lab/free', tier: 'low', codingPercentile: 0.1, blendedPrice: 0, onFrontier: true },
      ],
    });
    const free = withFree.points.find((point) => point.model.id === 'lab/free')!;
    expect(free.x).toBe(withFree.xOf(0));
    expect(free.x).toBeLessThan(
      Math.min(...withFree.points.filter((point) => point !== free).map((point) => point.x)),
    );
    expect(free.x).toBeGreaterThan(withFree.plot.left);
    expect(withFree.xTicks[0]).toMatchObject({ label: 'free', x: free.x });
    // No regular tick crowds the "free" label.
    expect((withFree.xTicks[1]?.x ?? Number.POSITIVE_INFINITY) - free.x).toBeGreaterThanOrEqual(36);
  });
});

describe('scales and ticks', () => {
  it('createLogScale maps the domain ends onto the range ends', () => {
    const scale = createLogScale([0.1, 100], [0, 300]);
    expect(scale(0.1)).toBeCloseTo(0, 9);
    expect(scale(1)).toBeCloseTo(100, 9);
    expect(scale(100)).toBeCloseTo(300, 9);
  });

  it('priceDomainOf pads the prices and spans at least one decade', () => {
    const [low, high] = priceDomainOf([2, 3]);
    expect(low).toBeLessThan(2);
    expect(high).toBeGreaterThan(3);
    expect(Math.log10(high) - Math.log10(low)).toBeGreaterThanOrEqual(1 - 1e-9);
  });

  it('logTicks gives 1-2-5 ticks inside the domain, ascending', () => {
    expect(logTicks([0.08, 30])).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10, 20]);
  });
});

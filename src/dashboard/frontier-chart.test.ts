import { describe, expect, it } from 'vitest';
import { defaultRoutePolicy, type LiveStatsView } from '../core/route.js';
import { tenModelIndex } from '../core/test-support/synthetic-index.js';
import { buildFrontierData } from './build-frontier-data.js';
import { buildFrontierChartOption, frontierSeriesIds, priceDomainOf } from './frontier-chart-spec.js';
import { renderFrontierSvg } from './render-frontier-svg.js';

type Series = { id: string; type: string; data: unknown[]; markArea?: { data: unknown[] } };

function seriesOf(option: Record<string, unknown>): Series[] {
  return option.series as Series[];
}

describe('buildFrontierData', () => {
  it('places every benchmarked shortlist model and asks route() for each tier pick', () => {
    const data = buildFrontierData(tenModelIndex(), defaultRoutePolicy);
    expect(data.points).toHaveLength(10);
    // The cheapest model of each tier on the frontier (see tenModelIndex's prices).
    expect(data.picks).toEqual({
      high: 'lab/s70',
      medium: 'lab/s40',
      low: 'lab/s10',
      nitro: expect.any(String),
    });
    const dominated = data.points.find((point) => point.id === 'lab/s60');
    expect(dominated?.onFrontier).toBe(false);
    expect(dominated?.dominatedBy).toBe('lab/s70');
  });

  it('greys out a model the live state reports unavailable and moves the pick off it', () => {
    const live: LiveStatsView = {
      get: (id) => (id === 'lab/s70' ? { available: false, unavailableReason: 'circuit_open' } : undefined),
    };
    const data = buildFrontierData(tenModelIndex(), defaultRoutePolicy, live);
    const point = data.points.find((candidate) => candidate.id === 'lab/s70');
    expect(point).toMatchObject({ available: false, unavailableReason: 'circuit_open' });
    expect(data.picks.high).not.toBe('lab/s70');
  });
});

describe('buildFrontierChartOption', () => {
  const data = buildFrontierData(tenModelIndex(), defaultRoutePolicy);

  it('has one point per model, a frontier line cheapest first, three bands and the picks', () => {
    const series = seriesOf(buildFrontierChartOption(data));
    const points = series.filter((entry) => entry.type === 'scatter' && entry.id !== frontierSeriesIds.picks);
    expect(points.flatMap((entry) => entry.data)).toHaveLength(10);
    const frontier = series.find((entry) => entry.id === frontierSeriesIds.frontier);
    const frontierXs = ((frontier?.data ?? []) as [number, number][]).map(([x]) => x);
    expect(frontierXs).toEqual([...frontierXs].sort((left, right) => left - right));
    expect(frontierXs.length).toBe(data.points.filter((point) => point.onFrontier).length);
    expect(series.find((entry) => entry.id === frontierSeriesIds.bands)?.markArea?.data).toHaveLength(3);
    expect(series.find((entry) => entry.id === frontierSeriesIds.picks)?.data).toHaveLength(
      new Set(Object.values(data.picks)).size,
    );
  });

  it('is plain JSON, so the browser and the server render the same object', () => {
    const option = buildFrontierChartOption(data, { minCodingScore: 0.5 });
    expect(JSON.parse(JSON.stringify(option))).toEqual(option);
  });

  it('pads the price domain and keeps it at least a decade wide', () => {
    const [low, high] = priceDomainOf([1, 2]);
    expect(low).toBeLessThan(1);
    expect(high).toBeGreaterThan(2);
    expect(Math.log10(high) - Math.log10(low)).toBeGreaterThanOrEqual(0.999);
  });
});

describe('renderFrontierSvg', () => {
  it('renders the shared spec to an SVG document naming the models, tiers and axes', () => {
    const svg = renderFrontierSvg(buildFrontierData(tenModelIndex(), defaultRoutePolicy));
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(svg).toContain('<svg');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const text of ['lab/s70', 'high pick', 'coding percentile', 'frontier', 'medium']) {
      expect(svg).toContain(text);
    }
  });

  it('writes every tag with well-formed, double-quoted attributes (a quote inside a value breaks the file)', () => {
    const svg = renderFrontierSvg(buildFrontierData(tenModelIndex(), defaultRoutePolicy));
    const tags = svg.match(/<(?![?!/])[^>]*>/g) ?? [];
    expect(tags.length).toBeGreaterThan(20);
    const wellFormed = /^<[A-Za-z][\w:.-]*(\s+[A-Za-z_:][\w:.-]*="[^"<]*")*\s*\/?>$/;
    expect(tags.filter((tag) => !wellFormed.test(tag))).toEqual([]);
  });

  it('escapes model ids that contain markup characters', () => {
    const data = buildFrontierData(tenModelIndex(), defaultRoutePolicy);
    const first = data.points[0];
    if (first !== undefined) first.id = 'lab/<script>';
    const svg = renderFrontierSvg(data);
    expect(svg).not.toContain('<script>');
  });
});

/**
 * The one chart specification of the frontier: an ECharts option built from plain data, with no
 * functions in it, so the same object renders in the browser (the dashboard) and on the server as SVG
 * (`pareto-router frontier --svg`, through ECharts' server-side renderer).
 */
import type { TierCutoffs, TierName } from '../core/tiers.js';

/** One shortlist model with a coding percentile, as the chart places it. */
export interface FrontierChartPoint {
  id: string;
  name: string;
  tier: TierName;
  codingPercentile: number;
  /** USD per million tokens; 0 for free models, which sit on the left edge. */
  blendedPrice: number;
  onFrontier: boolean;
  /** The cheapest frontier model that beats this one (off the frontier), for its tooltip. */
  dominatedBy: string | null;
  /** False when the model cannot take traffic now (circuit open, no upstream); drawn grey. */
  available: boolean;
  unavailableReason: string | null;
  inputPrice: number;
  outputPrice: number;
  contextLength: number;
  /** Tokens per second used by nitro, and where the figure comes from. */
  throughput: number | null;
  throughputSource: 'live' | 'reference' | 'none';
  /** `benchmark: source` lines. */
  benchmarkSources: string[];
}

/** The model each tier (and nitro, on the high tier) would pick now. */
export interface FrontierPicks {
  high: string | null;
  medium: string | null;
  low: string | null;
  nitro: string | null;
}

export interface FrontierChartData {
  snapshotVersion: string;
  cutoffs: TierCutoffs;
  points: FrontierChartPoint[];
  picks: FrontierPicks;
}

/** Colour-blind-safe tier colours (Okabe-Ito), shared by the terminal's hue family and every chart. */
export const tierChartColours: Readonly<Record<TierName, string>> = {
  high: '#cc79a7',
  medium: '#0072b2',
  low: '#009e73',
};

const unavailableColour = '#9a9a9a';
const frontierColour = '#d55e00';
const pickColour = '#222222';
const barColour = '#e69f00';

/** The chart colour of a tier. */
export function tierChartColour(tier: TierName): string {
  return tierChartColours[tier];
}

/** The price domain: the positive prices padded by a tenth of a decade, at least one decade wide. */
export function priceDomainOf(prices: readonly number[]): [number, number] {
  const positive = prices.filter((price) => price > 0);
  if (positive.length === 0) return [0.1, 10];
  let logLow = Math.log10(Math.min(...positive)) - 0.1;
  let logHigh = Math.log10(Math.max(...positive)) + 0.1;
  if (prices.some((price) => price <= 0)) logLow -= 0.3;
  if (logHigh - logLow < 1) {
    const middle = (logHigh + logLow) / 2;
    logLow = middle - 0.5;
    logHigh = middle + 0.5;
  }
  return [round(10 ** logLow), round(10 ** logHigh)];
}

/** The series ids the dashboard updates or reads; stable, so a test can find them. */
export const frontierSeriesIds = {
  frontier: 'frontier',
  picks: 'picks',
  bar: 'min-coding-score',
  bands: 'tier-bands',
  unavailable: 'unavailable',
} as const;

/** Text lines of a point's tooltip. */
export function describePoint(point: FrontierChartPoint): string[] {
  const lines = [
    `${point.name} (${point.id})`,
    `tier ${point.tier}, coding percentile ${point.codingPercentile.toFixed(3)}`,
    `blended $${formatPrice(point.blendedPrice)}/M; input $${formatPrice(point.inputPrice)}/M, output $${formatPrice(point.outputPrice)}/M`,
    `context ${point.contextLength.toLocaleString('en-US')} tokens`,
    point.throughput === null
      ? 'throughput: no figure'
      : `throughput ${Math.round(point.throughput)} tok/s (${point.throughputSource})`,
  ];
  if (!point.onFrontier && point.dominatedBy !== null) lines.push(`dominated by ${point.dominatedBy}`);
  if (!point.available) lines.push(`unavailable: ${point.unavailableReason ?? 'unknown'}`);
  for (const source of point.benchmarkSources.slice(0, 4)) lines.push(`source: ${source}`);
  return lines;
}

export interface FrontierChartOptions {
  /** Title text (the snapshot version is added); null for none, where the page has its own heading. */
  title?: string | null;
  /** Animations off for server rendering and screenshots. */
  animation?: boolean;
  /** Where the `min_coding_score` line sits, or null for none. */
  minCodingScore?: number | null;
  /** Smaller type and margins for a phone-width screen. */
  compact?: boolean;
}

/** The ECharts option of the frontier chart. Plain JSON: no functions. */
export function buildFrontierChartOption(
  data: FrontierChartData,
  options: FrontierChartOptions = {},
): Record<string, unknown> {
  const compact = options.compact === true;
  const [low, high] = priceDomainOf(data.points.map((point) => point.blendedPrice));
  // A log axis has no zero: free models sit on its left end.
  const xOf = (point: FrontierChartPoint) => Math.max(point.blendedPrice, low);
  // Where a point sits across the plot, 0 (left edge) to 1 (right edge): labels near an edge turn inwards.
  const across = (point: FrontierChartPoint) =>
    (Math.log(xOf(point)) - Math.log(low)) / (Math.log(high) - Math.log(low));
  const item = (point: FrontierChartPoint) => {
    const nearRight = across(point) > 0.75;
    // On a phone, the part after the vendor keeps the labels apart; the tooltip has the whole id.
    const text = compact ? point.id.slice(point.id.indexOf('/') + 1) : point.id;
    return {
      name: point.id,
      value: [xOf(point), point.codingPercentile],
      details: describePoint(point),
      label: { formatter: escapeTemplate(text), ...(nearRight ? { position: 'left' } : {}) },
    };
  };
  const pointSeries = (['high', 'medium', 'low'] as const).map((tier) => ({
    id: `tier-${tier}`,
    name: tier,
    type: 'scatter',
    symbolSize: compact ? 9 : 11,
    itemStyle: { color: tierChartColours[tier], borderColor: '#ffffff', borderWidth: 1 },
    label: {
      show: true,
      position: 'right',
      formatter: '{b}',
      fontSize: compact ? 10 : 12,
      color: '#222222',
    },
    labelLayout: { hideOverlap: true },
    data: data.points.filter((point) => point.available && point.tier === tier).map(item),
  }));
  const unavailable = {
    id: frontierSeriesIds.unavailable,
    name: 'unavailable',
    type: 'scatter',
    symbol: 'circle',
    symbolSize: compact ? 9 : 11,
    itemStyle: { color: unavailableColour, opacity: 0.7 },
    label: { show: true, position: 'right', formatter: '{b}', fontSize: compact ? 10 : 12, color: '#777777' },
    labelLayout: { hideOverlap: true },
    data: data.points.filter((point) => !point.available).map(item),
  };
  const frontierPoints = data.points
    .filter((point) => point.onFrontier)
    .sort((left, right) => left.blendedPrice - right.blendedPrice);
  const frontier = {
    id: frontierSeriesIds.frontier,
    name: 'frontier',
    type: 'line',
    step: 'end',
    symbol: 'none',
    silent: true,
    z: 1,
    lineStyle: { color: frontierColour, width: 2, type: 'dashed' },
    itemStyle: { color: frontierColour },
    data: frontierPoints.map((point) => [xOf(point), point.codingPercentile]),
  };
  const pickLabels = new Map<string, string[]>();
  for (const role of ['high', 'medium', 'low', 'nitro'] as const) {
    const id = data.picks[role];
    if (id === null) continue;
    pickLabels.set(id, [...(pickLabels.get(id) ?? []), role === 'nitro' ? 'nitro pick' : `${role} pick`]);
  }
  const picks = {
    id: frontierSeriesIds.picks,
    name: 'picks',
    type: 'scatter',
    symbol: 'circle',
    symbolSize: compact ? 18 : 22,
    z: 3,
    silent: true,
    itemStyle: { color: 'transparent', borderColor: pickColour, borderWidth: 2 },
    label: {
      show: true,
      position: 'top',
      distance: 8,
      formatter: '{@[2]}',
      fontSize: compact ? 10 : 12,
      fontWeight: 'bold',
      color: pickColour,
    },
    data: [...pickLabels].flatMap(([id, labels]) => {
      const point = data.points.find((candidate) => candidate.id === id);
      return point === undefined
        ? []
        : [
            {
              name: id,
              value: [xOf(point), point.codingPercentile, labels.join(', ')],
              label: {
                align: across(point) < 0.2 ? 'left' : across(point) > 0.8 ? 'right' : 'center',
              },
            },
          ];
    }),
  };
  const band = (tier: TierName, from: number, to: number) => [
    {
      yAxis: from,
      name: tier === 'low' ? `low (< ${to})` : `${tier} (>= ${from})`,
      itemStyle: { color: tierChartColours[tier], opacity: 0.09 },
      label: {
        position: 'insideTopLeft',
        color: tierChartColours[tier],
        fontWeight: 'bold',
        fontSize: compact ? 10 : 12,
      },
    },
    { yAxis: to },
  ];
  const bands = {
    id: frontierSeriesIds.bands,
    name: 'tier bands',
    type: 'line',
    silent: true,
    data: [],
    markArea: {
      silent: true,
      data: [
        band('high', data.cutoffs.high, 1),
        band('medium', data.cutoffs.medium, data.cutoffs.high),
        band('low', 0, data.cutoffs.medium),
      ],
    },
    markLine: {
      silent: true,
      symbol: 'none',
      lineStyle: { color: '#666666', type: 'dotted', width: 1 },
      label: { show: false },
      data: [{ yAxis: data.cutoffs.high }, { yAxis: data.cutoffs.medium }],
    },
  };
  const score = options.minCodingScore ?? null;
  const bar = {
    id: frontierSeriesIds.bar,
    name: 'min_coding_score',
    type: 'line',
    silent: true,
    data: [],
    markLine: {
      silent: true,
      symbol: 'none',
      lineStyle: { color: barColour, width: 3 },
      label: {
        formatter: 'min_coding_score {c}',
        position: 'insideStartTop',
        color: '#8a5a00',
        fontWeight: 'bold',
      },
      data: score === null ? [] : [{ yAxis: score }],
    },
  };
  return {
    animation: options.animation ?? true,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" },
    ...(options.title === null
      ? {}
      : {
          title: {
            text: `${options.title ?? 'Coding quality against price'} (snapshot ${data.snapshotVersion})`,
            left: compact ? 8 : 16,
            top: 8,
            textStyle: { fontSize: compact ? 13 : 16, color: '#222222' },
          },
        }),
    legend: {
      ...(compact ? { top: 0 } : { bottom: 4 }),
      itemGap: compact ? 8 : 16,
      textStyle: { fontSize: compact ? 11 : 12, color: '#222222' },
      data: ['high', 'medium', 'low', 'unavailable', 'frontier'],
    },
    grid: {
      left: compact ? 44 : 64,
      right: compact ? 64 : 72,
      top: compact ? 72 : options.title === null ? 40 : 64,
      bottom: compact ? 44 : 76,
    },
    tooltip: { trigger: 'item', confine: true },
    xAxis: {
      type: 'log',
      // Powers of two give a tick every step on the narrow ranges a shortlist spans; powers of ten
      // once it spans three decades or more.
      logBase: Math.log10(high / low) >= 3 ? 10 : 2,
      min: low,
      max: high,
      name: compact
        ? 'blended $ per million tokens (log)'
        : 'blended price, USD per million tokens (log scale)',
      nameLocation: 'middle',
      nameGap: 28,
      nameTextStyle: { fontSize: compact ? 11 : 12, color: '#222222' },
      // `$` then ECharts' own `{value}` placeholder.
      axisLabel: {
        fontSize: compact ? 10 : 12,
        color: '#333333',
        formatter: '$' + '{value}',
        showMinLabel: false,
        showMaxLabel: false,
      },
      splitLine: { show: true, lineStyle: { color: '#eeeeee' } },
    },
    yAxis: {
      type: 'value',
      min: 0,
      max: 1,
      interval: 0.1,
      name: 'coding percentile',
      nameLocation: 'middle',
      nameGap: compact ? 30 : 42,
      nameTextStyle: { fontSize: compact ? 11 : 12, color: '#222222' },
      axisLabel: { fontSize: compact ? 10 : 12, color: '#333333' },
      splitLine: { lineStyle: { color: '#eeeeee' } },
    },
    series: [bands, frontier, ...pointSeries, unavailable, picks, bar],
  };
}

/** A literal for an ECharts label formatter, whose `{...}` would otherwise read as a template. */
function escapeTemplate(text: string): string {
  return text.replace(/[{}]/g, '');
}

function formatPrice(value: number): string {
  return Number(value.toPrecision(3)).toString();
}

function round(value: number): number {
  return Number(value.toPrecision(4));
}

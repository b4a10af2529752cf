/**
 * The frontier chart as a standalone SVG: blended price on a log x axis, coding percentile on y, one dot
 * per benchmarked shortlist model coloured by tier, the Pareto frontier as a step line, the tier
 * cut-offs as bands, axis ticks and a legend.
 */
import type { TierCutoffs, TierName } from '../core/tiers.js';
import { formatSvgNumber, renderSvgNode, type SvgNode, svgNode } from './svg-node.js';
import { tierChartColour } from './tier-colour.js';

export interface FrontierChartModel {
  id: string;
  tier: TierName;
  codingPercentile: number;
  /** USD per million tokens; 0 for free models, which sit on the left edge. */
  blendedPrice: number;
  onFrontier: boolean;
  /** The cheapest frontier model that dominates this one (off the frontier), for its tooltip. */
  dominatedBy?: string | null;
}

export interface FrontierChartInput {
  snapshotVersion: string;
  cutoffs: TierCutoffs;
  models: readonly FrontierChartModel[];
}

export interface PlotArea {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface ChartPoint {
  model: FrontierChartModel;
  x: number;
  y: number;
}

export interface ChartLabel {
  text: string;
  x: number;
  y: number;
  anchor: 'start' | 'middle' | 'end';
}

export interface FrontierChartLayout {
  width: number;
  height: number;
  plot: PlotArea;
  /** Price domain of the x axis, USD per million tokens (both ends > 0). */
  priceDomain: [number, number];
  xOf: (price: number) => number;
  yOf: (percentile: number) => number;
  xTicks: { price: number; x: number; label: string }[];
  yTicks: { value: number; y: number; label: string }[];
  points: ChartPoint[];
  labels: ChartLabel[];
  /** The step line through the frontier points, cheapest first, as SVG path data. */
  frontierPath: string;
}

const width = 960;
const height = 640;
// The right margin holds the tier captions; the legend is a row under the x axis title.
const plot: PlotArea = { left: 72, right: 828, top: 62, bottom: 530 };
// Dots keep this far from the frame, so the cheapest and the dearest are not cut in half.
const plotInset = 12;
const labelFontSize = 11;
// Average advance of the sans-serif faces browsers pick at 11px; only used to keep labels from colliding.
const labelCharacterWidth = 6.1;
const labelHeight = 12;

/** A log-scale mapping from [low, high] (both > 0) onto [start, end]. */
export function createLogScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): (value: number) => number {
  const logLow = Math.log10(domain[0]);
  const logSpan = Math.log10(domain[1]) - logLow;
  return (value) => {
    // Free models have no logarithm; they sit on the left edge, where the axis says "free".
    const position = value <= domain[0] ? 0 : (Math.log10(value) - logLow) / logSpan;
    return range[0] + position * (range[1] - range[0]);
  };
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
  return [10 ** logLow, 10 ** logHigh];
}

/** Tick prices at 1, 2 and 5 times each power of ten inside the domain. */
export function logTicks(domain: readonly [number, number]): number[] {
  const ticks: number[] = [];
  for (
    let exponent = Math.floor(Math.log10(domain[0]));
    exponent <= Math.ceil(Math.log10(domain[1]));
    exponent++
  ) {
    for (const step of [1, 2, 5]) {
      // Rounded so 0.1 * 2 prints as 0.2, not 0.20000000000000001.
      const value = Number((step * 10 ** exponent).toPrecision(6));
      if (value >= domain[0] && value <= domain[1]) ticks.push(value);
    }
  }
  return ticks;
}

function formatTickPrice(price: number): string {
  return `$${Number(price.toPrecision(3))}`;
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function overlap(a: Box, b: Box): number {
  const horizontal = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const vertical = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  return horizontal > 0 && vertical > 0 ? horizontal * vertical : 0;
}

function labelBox(label: ChartLabel): Box {
  const textWidth = label.text.length * labelCharacterWidth;
  const left =
    label.anchor === 'start'
      ? label.x
      : label.anchor === 'end'
        ? label.x - textWidth
        : label.x - textWidth / 2;
  return { left, right: left + textWidth, top: label.y - labelHeight + 2, bottom: label.y + 2 };
}

/** Short label of a model: its id without the vendor prefix. */
function shortName(id: string): string {
  const slash = id.indexOf('/');
  return slash >= 0 ? id.slice(slash + 1) : id;
}

/** Thin boxes along the frontier's step line, so labels keep off it. */
function stepLineBoxes(frontier: readonly ChartPoint[], right: number): Box[] {
  const boxes: Box[] = [];
  frontier.forEach((point, position) => {
    const next = frontier[position + 1];
    const endX = next === undefined ? right : next.x;
    boxes.push({ left: point.x, right: endX, top: point.y - 2, bottom: point.y + 2 });
    if (next !== undefined) {
      boxes.push({
        left: next.x - 2,
        right: next.x + 2,
        top: Math.min(point.y, next.y),
        bottom: Math.max(point.y, next.y),
      });
    }
  });
  return boxes;
}

/** Places each label beside its dot where it overlaps the fewest other labels, dots and lines. */
function placeLabels(points: readonly ChartPoint[], obstacles: readonly Box[]): ChartLabel[] {
  const taken: Box[] = [
    ...obstacles,
    ...points.map((point) => ({
      left: point.x - 6,
      right: point.x + 6,
      top: point.y - 6,
      bottom: point.y + 6,
    })),
  ];
  const placed = new Map<ChartPoint, ChartLabel>();
  // Frontier models first: their labels matter most, so they get the free spots.
  const order = [...points].sort(
    (a, b) => Number(b.model.onFrontier) - Number(a.model.onFrontier) || a.x - b.x,
  );
  for (const point of order) {
    const text = shortName(point.model.id);
    const options: ChartLabel[] = [
      { text, x: point.x + 9, y: point.y + 4, anchor: 'start' },
      { text, x: point.x - 9, y: point.y + 4, anchor: 'end' },
      { text, x: point.x, y: point.y - 10, anchor: 'middle' },
      { text, x: point.x, y: point.y + 18, anchor: 'middle' },
      { text, x: point.x + 8, y: point.y - 7, anchor: 'start' },
      { text, x: point.x + 8, y: point.y + 15, anchor: 'start' },
      { text, x: point.x - 8, y: point.y - 7, anchor: 'end' },
      { text, x: point.x - 8, y: point.y + 15, anchor: 'end' },
    ];
    let best = options[0] as ChartLabel;
    let bestCost = Number.POSITIVE_INFINITY;
    for (const option of options) {
      const box = labelBox(option);
      let cost = 0;
      for (const other of taken) cost += overlap(box, other);
      // Leaving the plot is worse than touching a neighbour: the text would be cut or hit the legend.
      if (
        box.left < plot.left ||
        box.right > plot.right ||
        box.top < plot.top - 4 ||
        box.bottom > plot.bottom
      ) {
        cost += 10_000;
      }
      if (cost < bestCost) {
        best = option;
        bestCost = cost;
      }
      if (cost === 0) break;
    }
    taken.push(labelBox(best));
    placed.set(point, best);
  }
  return points.map((point) => placed.get(point) as ChartLabel);
}

/** Computes every position of the chart; `renderFrontierSvg` only draws what this returns. */
export function layoutFrontierChart(input: FrontierChartInput): FrontierChartLayout {
  const priceDomain = priceDomainOf(input.models.map((model) => model.blendedPrice));
  const xOf = createLogScale(priceDomain, [plot.left + plotInset, plot.right - plotInset]);
  // A little room above 1 and below 0 so the best and the worst dots are not cut by the frame.
  const yOf = (percentile: number) => plot.bottom - ((percentile + 0.04) / 1.08) * (plot.bottom - plot.top);
  const points = [...input.models]
    .sort((a, b) => a.blendedPrice - b.blendedPrice || b.codingPercentile - a.codingPercentile)
    .map((model) => ({ model, x: xOf(model.blendedPrice), y: yOf(model.codingPercentile) }));
  const frontier = points.filter((point) => point.model.onFrontier);
  let frontierPath = '';
  frontier.forEach((point, position) => {
    // Step after: the best percentile a budget buys stays flat until the next frontier model is affordable.
    frontierPath +=
      position === 0
        ? `M${formatSvgNumber(point.x)} ${formatSvgNumber(point.y)}`
        : ` H${formatSvgNumber(point.x)} V${formatSvgNumber(point.y)}`;
  });
  if (frontierPath !== '') frontierPath += ` H${formatSvgNumber(plot.right)}`;
  const hasFree = input.models.some((model) => model.blendedPrice <= 0);
  const xTicks = logTicks(priceDomain).map((price) => ({
    price,
    x: xOf(price),
    label: formatTickPrice(price),
  }));
  if (hasFree) {
    // The free models' spot is the left end of the scale; a regular tick too close to it would overprint.
    const freeX = xOf(0);
    const spaced = xTicks.filter((tick) => tick.x - freeX >= 36);
    xTicks.length = 0;
    xTicks.push({ price: 0, x: freeX, label: 'free' }, ...spaced);
  }
  const yTicks = [0, 0.2, 0.4, 0.6, 0.8, 1].map((value) => ({
    value,
    y: yOf(value),
    label: value.toFixed(1),
  }));
  return {
    width,
    height,
    plot,
    priceDomain,
    xOf,
    yOf,
    xTicks,
    yTicks,
    points,
    labels: placeLabels(points, [
      ...stepLineBoxes(frontier, plot.right),
      ...[input.cutoffs.high, input.cutoffs.medium].map((cutoff) => ({
        left: plot.left,
        right: plot.right,
        top: yOf(cutoff) - 1,
        bottom: yOf(cutoff) + 1,
      })),
    ]),
    frontierPath,
  };
}

const textStyle = { 'font-family': 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif' };

function text(
  x: number,
  y: number,
  content: string,
  attributes: Record<string, string | number> = {},
): SvgNode {
  return svgNode('text', { x, y, ...attributes }, [content]);
}

function drawBands(layout: FrontierChartLayout, cutoffs: TierCutoffs): SvgNode {
  const { plot: area, yOf } = layout;
  // The bands run from frame to frame: the percentile scale is inset, the frame is not.
  const bands: { tier: TierName; top: number; bottom: number; caption: string }[] = [
    { tier: 'high', top: area.top, bottom: yOf(cutoffs.high), caption: `percentile >= ${cutoffs.high}` },
    {
      tier: 'medium',
      top: yOf(cutoffs.high),
      bottom: yOf(cutoffs.medium),
      caption: `${cutoffs.medium} to ${cutoffs.high}`,
    },
    { tier: 'low', top: yOf(cutoffs.medium), bottom: area.bottom, caption: `percentile < ${cutoffs.medium}` },
  ];
  const children: SvgNode[] = [];
  for (const band of bands) {
    const colour = tierChartColour(band.tier);
    const middle = (band.top + band.bottom) / 2;
    children.push(
      svgNode('rect', {
        x: area.left,
        y: band.top,
        width: area.right - area.left,
        height: band.bottom - band.top,
        fill: colour,
        'fill-opacity': 0.07,
      }),
      svgNode('rect', {
        x: area.right + 1,
        y: band.top,
        width: 4,
        height: band.bottom - band.top,
        fill: colour,
      }),
      text(area.right + 14, middle - 2, `${band.tier} tier`, {
        'font-size': 12,
        'font-weight': 'bold',
        fill: colour,
      }),
      text(area.right + 14, middle + 13, band.caption, { 'font-size': 11, fill: '#4b5563' }),
    );
  }
  for (const cutoff of [cutoffs.high, cutoffs.medium]) {
    children.push(
      svgNode('line', {
        x1: area.left,
        x2: area.right,
        y1: yOf(cutoff),
        y2: yOf(cutoff),
        stroke: '#6b7280',
        'stroke-width': 1,
        'stroke-dasharray': '6 4',
      }),
    );
  }
  return svgNode('g', { class: 'tier-bands' }, children);
}

function drawAxes(layout: FrontierChartLayout): SvgNode {
  const { plot: area } = layout;
  const children: SvgNode[] = [];
  for (const tick of layout.xTicks) {
    children.push(
      svgNode('line', { x1: tick.x, x2: tick.x, y1: area.top, y2: area.bottom, stroke: '#e5e7eb' }),
      svgNode('line', { x1: tick.x, x2: tick.x, y1: area.bottom, y2: area.bottom + 5, stroke: '#374151' }),
      text(tick.x, area.bottom + 18, tick.label, {
        'text-anchor': 'middle',
        'font-size': 11,
        fill: '#374151',
      }),
    );
  }
  for (const tick of layout.yTicks) {
    children.push(
      svgNode('line', { x1: area.left, x2: area.right, y1: tick.y, y2: tick.y, stroke: '#e5e7eb' }),
      svgNode('line', { x1: area.left - 5, x2: area.left, y1: tick.y, y2: tick.y, stroke: '#374151' }),
      text(area.left - 8, tick.y + 4, tick.label, { 'text-anchor': 'end', 'font-size': 11, fill: '#374151' }),
    );
  }
  children.push(
    svgNode('rect', {
      x: area.left,
      y: area.top,
      width: area.right - area.left,
      height: area.bottom - area.top,
      fill: 'none',
      stroke: '#374151',
    }),
    text(
      (area.left + area.right) / 2,
      area.bottom + 40,
      'blended price, USD per million tokens: (3 x input + output) / 4, log scale',
      { 'text-anchor': 'middle', 'font-size': 12, fill: '#111827' },
    ),
    text(0, 0, 'coding percentile', {
      transform: `translate(${formatSvgNumber(area.left - 44)} ${formatSvgNumber((area.top + area.bottom) / 2)}) rotate(-90)`,
      'text-anchor': 'middle',
      'font-size': 12,
      fill: '#111827',
    }),
  );
  return svgNode('g', { class: 'axes' }, children);
}

/**
 * `X (better and cheaper)`: the model that dominates `model` and how, as the table, the chart's tooltips
 * and the router's decisions say it; '' on the frontier, the bare id when `models` lacks the dominator.
 */
export function describeDominator(
  model: Pick<FrontierChartModel, 'dominatedBy' | 'codingPercentile' | 'blendedPrice'>,
  models: readonly Pick<FrontierChartModel, 'id' | 'codingPercentile' | 'blendedPrice'>[],
): string {
  if (model.dominatedBy === undefined || model.dominatedBy === null) return '';
  const dominator = models.find((other) => other.id === model.dominatedBy);
  if (dominator === undefined) return model.dominatedBy;
  const quality = dominator.codingPercentile > model.codingPercentile ? 'better' : 'as good';
  const price = dominator.blendedPrice < model.blendedPrice ? 'cheaper' : 'as cheap';
  return `${dominator.id} (${quality} and ${price})`;
}

function drawPoints(layout: FrontierChartLayout): SvgNode {
  const children: SvgNode[] = [];
  layout.points.forEach((point, position) => {
    const colour = tierChartColour(point.model.tier);
    const label = layout.labels[position] as ChartLabel;
    const price = Number(point.model.blendedPrice.toFixed(4));
    const dominator = describeDominator(
      point.model,
      layout.points.map((other) => other.model),
    );
    const frontierNote = point.model.onFrontier
      ? ', on the frontier'
      : dominator === ''
        ? ', dominated'
        : `, dominated by ${dominator}`;
    children.push(
      svgNode(
        'circle',
        point.model.onFrontier
          ? { cx: point.x, cy: point.y, r: 6, fill: colour, stroke: '#111827', 'stroke-width': 1.5 }
          : { cx: point.x, cy: point.y, r: 5, fill: colour, 'fill-opacity': 0.45, stroke: colour },
        [
          svgNode('title', {}, [
            `${point.model.id}: percentile ${point.model.codingPercentile}, $${price}/M blended${frontierNote}`,
          ]),
        ],
      ),
      text(label.x, label.y, label.text, {
        'text-anchor': label.anchor,
        'font-size': labelFontSize,
        fill: point.model.onFrontier ? '#111827' : '#6b7280',
      }),
    );
  });
  return svgNode('g', { class: 'models' }, children);
}

/** One legend row under the axis title: tiers, then the marks. Items are laid out left to right. */
function drawLegend(layout: FrontierChartLayout): SvgNode {
  const y = layout.height - 24;
  const children: SvgNode[] = [];
  let x = layout.plot.left;
  const item = (symbol: SvgNode, label: string) => {
    children.push(symbol, text(x + 18, y + 4, label, { 'font-size': 12, fill: '#111827' }));
    x += 18 + label.length * 7 + 22;
  };
  for (const tier of ['high', 'medium', 'low'] as const) {
    item(svgNode('circle', { cx: x + 6, cy: y, r: 6, fill: tierChartColour(tier) }), `${tier} tier`);
  }
  x += 12;
  item(
    svgNode('circle', { cx: x + 6, cy: y, r: 6, fill: '#9ca3af', stroke: '#111827', 'stroke-width': 1.5 }),
    'on the frontier',
  );
  item(
    svgNode('circle', { cx: x + 6, cy: y, r: 5, fill: '#9ca3af', 'fill-opacity': 0.45, stroke: '#9ca3af' }),
    'dominated',
  );
  item(
    svgNode('path', {
      d: `M${x} ${y + 5} H${x + 6} V${y - 5} H${x + 13}`,
      fill: 'none',
      stroke: '#111827',
      'stroke-width': 1.5,
    }),
    'Pareto frontier',
  );
  item(
    svgNode('line', { x1: x, x2: x + 13, y1: y, y2: y, stroke: '#6b7280', 'stroke-dasharray': '6 4' }),
    'tier cut-off',
  );
  return svgNode('g', { class: 'legend' }, children);
}

/** The chart as SVG markup (a complete, standalone document). */
export function renderFrontierSvg(input: FrontierChartInput): string {
  const layout = layoutFrontierChart(input);
  const title = `Coding percentile vs blended price, snapshot ${input.snapshotVersion}`;
  const frontierCount = input.models.filter((model) => model.onFrontier).length;
  const subtitle =
    `${input.models.length} benchmarked shortlist models; ${frontierCount} on the frontier, ` +
    'where no other model is both no dearer and at least as good';
  const frontierLine =
    layout.frontierPath === ''
      ? []
      : [
          svgNode('path', {
            class: 'frontier',
            d: layout.frontierPath,
            fill: 'none',
            stroke: '#111827',
            'stroke-width': 1.5,
            'stroke-linejoin': 'round',
          }),
        ];
  const root = svgNode(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width: layout.width,
      height: layout.height,
      viewBox: `0 0 ${layout.width} ${layout.height}`,
      role: 'img',
      'aria-labelledby': 'chart-title',
      ...textStyle,
    },
    [
      svgNode('title', { id: 'chart-title' }, [title]),
      svgNode('rect', { x: 0, y: 0, width: layout.width, height: layout.height, fill: '#ffffff' }),
      text(layout.plot.left, 26, title, { 'font-size': 16, 'font-weight': 'bold', fill: '#111827' }),
      text(layout.plot.left, 46, subtitle, { 'font-size': 12, fill: '#4b5563' }),
      drawBands(layout, input.cutoffs),
      drawAxes(layout),
      ...frontierLine,
      drawPoints(layout),
      drawLegend(layout),
    ],
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${renderSvgNode(root)}\n`;
}

/** The frontier chart as a standalone SVG document, rendered by ECharts on the server from the shared spec. */
import * as echarts from 'echarts';
import { buildFrontierChartOption, type FrontierChartData } from './frontier-chart-spec.js';

export interface RenderFrontierSvgOptions {
  width?: number;
  height?: number;
}

/** Renders the frontier chart (the dashboard's chart, without interaction) as SVG text. */
export function renderFrontierSvg(data: FrontierChartData, options: RenderFrontierSvgOptions = {}): string {
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: options.width ?? 960,
    height: options.height ?? 640,
  });
  try {
    chart.setOption(buildFrontierChartOption(data, { animation: false }));
    const svg = chart.renderToSVGString();
    return svg.startsWith('<?xml') ? svg : `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`;
  } finally {
    chart.dispose();
  }
}

/**
 * The summary table: one line per figure, each system's value with its ratio to the bare proxy measured
 * in the same run, the target, and whether the router met it.
 */
import pc from 'picocolors';

const systemOrder = ['direct', 'bare', 'portkey', 'router'];

/** Formats a number with a sensible number of decimals for its size. */
export function formatNumber(value, unit = '') {
  if (value === undefined || value === null || Number.isNaN(value)) return 'n/a';
  const magnitude = Math.abs(value);
  let text;
  if (magnitude >= 1000) text = Math.round(value).toLocaleString('en-US');
  else if (magnitude >= 100) text = value.toFixed(0);
  else if (magnitude >= 10) text = value.toFixed(1);
  else if (magnitude >= 1) text = value.toFixed(2);
  else text = value.toFixed(3);
  return unit === '' ? text : `${text} ${unit}`;
}

function formatCell(figure, system) {
  const value = figure.values[system];
  if (value === undefined) return '-';
  const ratio = figure.ratios?.[system];
  const base = formatNumber(value, figure.unit);
  if (ratio === undefined || system === 'bare' || system === 'direct') return base;
  return `${base} (${formatNumber(ratio)}x)`;
}

function formatStatus(figure, useColour) {
  if (figure.met === undefined) return figure.note ?? '';
  const word = figure.met ? 'met' : 'NOT met';
  const coloured = useColour ? (figure.met ? pc.green(word) : pc.red(word)) : word;
  return figure.note === undefined ? coloured : `${coloured} (${figure.note})`;
}

/** Renders `figures` as an aligned text table; columns appear only for systems that have a value. */
export function formatSummaryTable(figures, { useColour = false } = {}) {
  const systems = systemOrder.filter((system) =>
    figures.some((figure) => figure.values[system] !== undefined),
  );
  const header = [
    'figure',
    ...systems.map((system) => (system === 'bare' || system === 'direct' ? system : `${system} (x bare)`)),
    'target',
    'router vs target',
  ];
  const rows = figures.map((figure) => [
    figure.label,
    ...systems.map((system) => formatCell(figure, system)),
    figure.target ?? '-',
    formatStatus(figure, useColour),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => stripColour(row[column]).length)),
  );
  const line = (cells) =>
    cells
      .map((cell, column) => {
        const padding = widths[column] - stripColour(cell).length;
        return column === cells.length - 1 ? cell : cell + ' '.repeat(Math.max(0, padding));
      })
      .join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

function stripColour(text) {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

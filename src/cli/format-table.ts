/** Aligned plain-text tables for the terminal, with optional colour that never disturbs alignment. */
import type { Palette } from './palette.js';

export interface TableColumn<Row> {
  header: string;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
  value: (row: Row) => string;
  /** Colours the padded cell; applied after padding so escape codes do not count as width. */
  colour?: (text: string, row: Row, colours: Palette) => string;
}

/** Renders rows under a header line, columns separated by two spaces, trailing spaces trimmed. */
export function formatTable<Row>(
  columns: readonly TableColumn<Row>[],
  rows: readonly Row[],
  colours: Palette,
): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => (line[index] as string).length)),
  );
  const pad = (text: string, index: number): string => {
    const width = widths[index] as number;
    return columns[index]?.align === 'right' ? text.padStart(width) : text.padEnd(width);
  };
  const lastIndex = columns.length - 1;
  const header = columns
    .map((column, index) => (index === lastIndex ? column.header : pad(column.header, index)))
    .join('  ');
  const lines = [colours.bold(header.trimEnd())];
  rows.forEach((row, rowIndex) => {
    const line = columns.map((column, index) => {
      const raw = (cells[rowIndex] as string[])[index] as string;
      const padded = index === lastIndex && column.align !== 'right' ? raw : pad(raw, index);
      return column.colour === undefined ? padded : column.colour(padded, row, colours);
    });
    lines.push(line.join('  ').trimEnd());
  });
  return `${lines.join('\n')}\n`;
}

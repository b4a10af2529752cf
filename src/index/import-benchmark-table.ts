/**
 * Hand-kept benchmark tables: a CSV with the header `model,benchmark,value,source,date[,metric,note]`,
 * or YAML holding a list of records with the same fields. A bad row fails the whole import with a
 * message naming its line, so a typo never half-lands in a snapshot.
 */
import { isMap, isSeq } from 'yaml';
import { RouterError } from '../core/errors.js';
import type { BenchmarkResult } from '../core/model-index.js';
import type { AliasResolver } from './aliases.js';
import type { ImportedModel, ImportResult, ProgressCallback } from './imported-model.js';
import { maxImportBytes } from './parse-json-text.js';
import { parseYamlText } from './parse-yaml-text.js';

export type BenchmarkTableFormat = 'csv' | 'yaml';

export interface ImportBenchmarkTableOptions {
  format: BenchmarkTableFormat;
  /** Names the input in error messages (usually the file name). */
  label?: string;
  /** Maps the `model` column to index ids; without it the column must already hold index ids. */
  resolve?: AliasResolver;
  onProgress?: ProgressCallback;
}

const requiredColumns = ['model', 'benchmark', 'value', 'source', 'date'] as const;
const optionalColumns = ['metric', 'note'] as const;
const knownColumns: readonly string[] = [...requiredColumns, ...optionalColumns];
const datePattern = /^\d{4}-\d{2}(-\d{2})?$/;

interface TableRow {
  line: number;
  fields: Record<string, unknown>;
}

/** Parses a CSV or YAML benchmark table into per-model benchmark records. */
export function importBenchmarkTable(text: string, options: ImportBenchmarkTableOptions): ImportResult {
  const label = options.label ?? `${options.format} table`;
  if (text.length > maxImportBytes)
    throw new RouterError('import_failed', `${label}: larger than ${maxImportBytes} bytes`);
  const rows = options.format === 'csv' ? readCsvRows(text, label) : readYamlRows(text, label);
  const byId = new Map<string, ImportedModel>();
  const unmatched: string[] = [];
  rows.forEach((row, position) => {
    const { model, result } = convertRow(row, label);
    const id = options.resolve === undefined ? model : options.resolve(model);
    if (id === undefined) {
      if (!unmatched.includes(model)) unmatched.push(model);
    } else {
      let record = byId.get(id);
      if (record === undefined) {
        record = { id, benchmarks: [] };
        byId.set(id, record);
      }
      record.benchmarks?.push(result);
    }
    options.onProgress?.(position + 1, rows.length);
  });
  return { models: [...byId.values()], unmatched, skipped: [] };
}

function convertRow(row: TableRow, label: string): { model: string; result: BenchmarkResult } {
  const fail = (message: string): never => {
    throw new RouterError('import_failed', `${label}: line ${row.line}: ${message}`);
  };
  for (const column of requiredColumns) {
    const value = row.fields[column];
    if (value === undefined || value === null || String(value).trim() === '') fail(`${column}: missing`);
  }
  const text = (column: string): string => String(row.fields[column] ?? '').trim();
  const rawValue = row.fields.value;
  const value = typeof rawValue === 'number' ? rawValue : Number(text('value'));
  if (!Number.isFinite(value)) fail(`value: expected a number, got "${text('value')}"`);
  const date = text('date');
  if (!datePattern.test(date)) fail(`date: expected YYYY-MM or YYYY-MM-DD, got "${date}"`);
  const result: BenchmarkResult = { benchmark: text('benchmark'), value, source: text('source'), date };
  if (text('metric') !== '') result.metric = text('metric');
  if (text('note') !== '') result.note = text('note');
  return { model: text('model'), result };
}

function readYamlRows(text: string, label: string): TableRow[] {
  const { root, lineOf } = parseYamlText(text, label);
  if (root === null) return [];
  if (!isSeq(root)) throw new RouterError('import_failed', `${label}: expected a list of benchmark records`);
  return root.items.map((item) => {
    const line = lineOf(item);
    if (!isMap(item))
      throw new RouterError(
        'import_failed',
        `${label}: line ${line}: expected a record with ${requiredColumns.join(', ')}`,
      );
    const fields = item.toJSON() as Record<string, unknown>;
    const unknown = Object.keys(fields).find((key) => !knownColumns.includes(key));
    if (unknown !== undefined)
      throw new RouterError('import_failed', `${label}: line ${line}: unknown field "${unknown}"`);
    return { line, fields };
  });
}

function readCsvRows(text: string, label: string): TableRow[] {
  const records = parseCsv(text, label);
  const header = records[0];
  if (header === undefined) return [];
  const columns = header.cells.map((cell) => cell.trim().toLowerCase());
  for (const column of requiredColumns) {
    if (!columns.includes(column)) {
      throw new RouterError(
        'import_failed',
        `${label}: line ${header.line}: header lacks the "${column}" column (expected ${knownColumns.join(',')})`,
      );
    }
  }
  const unknown = columns.find((column) => !knownColumns.includes(column));
  if (unknown !== undefined)
    throw new RouterError('import_failed', `${label}: line ${header.line}: unknown column "${unknown}"`);
  return records.slice(1).flatMap((record) => {
    if (record.cells.length === 1 && record.cells[0]?.trim() === '') return [];
    if (record.cells.length !== columns.length) {
      throw new RouterError(
        'import_failed',
        `${label}: line ${record.line}: expected ${columns.length} fields, got ${record.cells.length}`,
      );
    }
    const fields: Record<string, unknown> = {};
    columns.forEach((column, index) => {
      fields[column] = record.cells[index];
    });
    return [{ line: record.line, fields }];
  });
}

interface CsvRecord {
  /** Line on which the record starts (1-based). */
  line: number;
  cells: string[];
}

// RFC 4180 in forty lines (quoted fields, doubled quotes, CRLF, newlines inside quotes); no CSV
// dependency for a hand-edited table of a few hundred rows.
function parseCsv(text: string, label: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  for (let index = 0; index < input.length; index++) {
    const character = input[index] as string;
    if (quoted) {
      if (character === '"') {
        if (input[index + 1] === '"') {
          cell += '"';
          index++;
        } else quoted = false;
      } else {
        if (character === '\n') line++;
        cell += character;
      }
    } else if (character === '"' && cell === '') {
      quoted = true;
    } else if (character === ',') {
      cells.push(cell);
      cell = '';
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && input[index + 1] === '\n') index++;
      cells.push(cell);
      records.push({ line: recordLine, cells });
      cells = [];
      cell = '';
      line++;
      recordLine = line;
    } else {
      cell += character;
    }
  }
  if (quoted)
    throw new RouterError('import_failed', `${label}: line ${recordLine}: unterminated quoted field`);
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    records.push({ line: recordLine, cells });
  }
  return records;
}

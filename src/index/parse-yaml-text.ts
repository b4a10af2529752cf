/** Guarded YAML parsing for imported files, as `parseJsonText` does for JSON. */
import { LineCounter, type ParsedNode, parseDocument } from 'yaml';
import { RouterError } from '../core/errors.js';
import { maxImportBytes } from './parse-json-text.js';

export interface ParsedYaml {
  /** The root node; null for an empty document. */
  root: ParsedNode | null;
  /** The 1-based line a node of this document starts on, for naming a bad record. */
  lineOf(node: unknown): number;
}

/** Parses `text`; errors name `label` (a file name or a format) and, for a syntax error, its line. */
export function parseYamlText(text: string, label: string): ParsedYaml {
  if (text.length > maxImportBytes) {
    throw new RouterError('import_failed', `${label}: larger than ${maxImportBytes} bytes`);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const firstError = document.errors[0];
  if (firstError !== undefined) {
    const line = lineCounter.linePos(firstError.pos[0]).line;
    throw new RouterError('import_failed', `${label}: line ${line}: ${firstError.message.split('\n')[0]}`);
  }
  return {
    root: document.contents ?? null,
    lineOf: (node) =>
      lineCounter.linePos((node as { range?: [number, number, number] }).range?.[0] ?? 0).line,
  };
}

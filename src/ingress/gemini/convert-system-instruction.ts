/** Gemini's `systemInstruction` converted to the leading system message. */
import type { SystemMessage, TextContentPart } from '../../core/chat-request.js';
import { isRecord } from '../../core/is-record.js';
import { classifyPart } from './classify-part.js';
import { describeValue, invalidField, requireString } from './json-checks.js';

/**
 * Converts `systemInstruction`, given as the REST API's Content (`{parts}`, any `role` ignored), or as
 * the SDKs' shorthands a raw caller may copy: a string, one Part, or a list of Parts. Only text can be a
 * system prompt; other parts are dropped with a warning. Undefined when there is no text.
 */
export function convertSystemInstruction(value: unknown, warnings: string[]): SystemMessage | undefined {
  if (value == null) return undefined;
  const path = 'systemInstruction';
  if (typeof value === 'string') return value === '' ? undefined : { role: 'system', content: value };
  let parts: unknown[];
  let partsPath: string;
  if (Array.isArray(value)) {
    parts = value;
    partsPath = path;
  } else if (isRecord(value) && Array.isArray(value.parts)) {
    parts = value.parts;
    partsPath = `${path}.parts`;
  } else if (isRecord(value) && value.text !== undefined) {
    parts = [value];
    partsPath = path;
  } else {
    throw invalidField(path, `expected a Content with parts, got ${describeValue(value)}`);
  }
  const texts: TextContentPart[] = [];
  for (const [index, part] of parts.entries()) {
    const location = partsPath === path && !Array.isArray(value) ? path : `${partsPath}[${index}]`;
    const kind = classifyPart(part, location);
    if (kind === undefined) continue;
    if (kind !== 'text') {
      warnings.push(`${location}: only text can be a system instruction; ${kind} dropped`);
      continue;
    }
    const text = requireString((part as Record<string, unknown>).text, `${location}.text`);
    if (text !== '') texts.push({ type: 'text', text });
  }
  const [first] = texts;
  if (first === undefined) return undefined;
  return { role: 'system', content: texts.length === 1 ? first.text : texts };
}

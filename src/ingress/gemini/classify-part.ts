/** Which kind of Gemini `Part` a caller sent: the one data field it holds. */

import { isRecord } from '../../core/is-record.js';
import { describeValue, invalidField } from './json-checks.js';

/** The data fields of a Part; a part holds exactly one (the API's `data` oneof). */
export const partKinds = [
  'text',
  'inlineData',
  'fileData',
  'functionCall',
  'functionResponse',
  'executableCode',
  'codeExecutionResult',
  'toolCall',
  'toolResponse',
] as const;

/** One of the data fields of a Part. */
export type PartKind = (typeof partKinds)[number];

/** Fields that qualify a part's data rather than being data themselves. */
const metadataKeys = new Set([
  'thought',
  'thoughtSignature',
  'videoMetadata',
  'partMetadata',
  'mediaResolution',
  'mediaProcessing',
]);

/**
 * The kind of `part`, or undefined for a part holding only metadata (Gemini streams a bare
 * `{thoughtSignature}` part at times). Throws a 400 for a part with two data fields or none it knows.
 */
export function classifyPart(part: unknown, path: string): PartKind | undefined {
  if (!isRecord(part)) throw invalidField(path, `expected a part object, got ${describeValue(part)}`);
  const kinds = partKinds.filter((kind) => part[kind] !== undefined && part[kind] !== null);
  if (kinds.length > 1) {
    throw invalidField(
      path,
      `a part holds exactly one of ${partKinds.join(', ')}; got ${kinds.join(' and ')}`,
    );
  }
  if (kinds[0] !== undefined) return kinds[0];
  const unknownKeys = Object.keys(part).filter((key) => !metadataKeys.has(key));
  if (unknownKeys.length > 0) {
    throw invalidField(
      path,
      `unknown part kind ${unknownKeys.map((key) => JSON.stringify(key)).join(', ')}; expected one of ${partKinds.join(', ')}`,
    );
  }
  return undefined;
}

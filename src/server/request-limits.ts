/**
 * Limits on what a request body may hold, checked where the body enters the router. Every walk of a
 * body in the router (ingress conversion, schema conversion, cost estimates) may recurse, so nesting is
 * bounded before anything walks it, and a tool or output schema is bounded in size.
 */
import { RouterError } from '../core/errors.js';
import { isRecord } from '../core/is-record.js';

/** Deepest JSON nesting a request body may have (objects and arrays, counted from the top level). */
export const maxJsonDepth = 128;
/** Most values (objects, arrays, strings, numbers...) all tool and output schemas of a request hold together. */
export const maxSchemaNodes = 20_000;
/** Longest model id accepted. */
export const maxModelIdLength = 256;

const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;
const quote = 0x22;
const backslash = 0x5c;

/**
 * Throws what `checkJsonDepth` throws when the JSON text nests deeper than `limit`, and otherwise returns.
 * A text holding no more than `limit` of `{` and `[` in all (strings included) cannot nest deeper, and
 * `indexOf` counts those far faster than the character walk, which then runs only for texts with more
 * (measured: bench/README.md, "The request log's hand-off").
 */
export function assertJsonDepthWithin(text: string, limit: number = maxJsonDepth): void {
  let openers = 0;
  for (const opener of ['{', '[']) {
    for (let index = text.indexOf(opener); index !== -1; index = text.indexOf(opener, index + 1)) {
      openers += 1;
      if (openers > limit) {
        checkJsonDepth(text, limit);
        return;
      }
    }
  }
}

/**
 * The JSON text's nesting depth, or throws a 400 naming the limit as soon as it passes `limit`. One pass
 * over the characters with no recursion; strings are skipped so brackets inside them do not count.
 */
export function checkJsonDepth(text: string, limit: number = maxJsonDepth): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === backslash) index++;
      else if (code === quote) inString = false;
      continue;
    }
    if (code === quote) inString = true;
    else if (code === openBrace || code === openBracket) {
      depth++;
      if (depth > limit) {
        throw new RouterError(
          'invalid_request',
          `the request body nests deeper than the limit of ${limit} levels of JSON objects and arrays`,
          { metadata: { limit: 'max_json_depth', max_json_depth: limit } },
        );
      }
      if (depth > deepest) deepest = depth;
    } else if (code === closeBrace || code === closeBracket) depth--;
  }
  return deepest;
}

/** Counts the values under `root`, stopping once the count passes `budget`. Iterative. */
function countNodes(root: unknown, budget: number): number {
  let count = 0;
  const pending: unknown[] = [root];
  while (pending.length > 0 && count <= budget) {
    const value = pending.pop();
    count++;
    if (Array.isArray(value)) for (const item of value) pending.push(item);
    else if (typeof value === 'object' && value !== null) {
      for (const key in value) pending.push((value as Record<string, unknown>)[key]);
    }
  }
  return count;
}

/** The JSON schemas a chat-completions body carries: tool parameters and the structured-output schema. */
function schemasOf(body: Record<string, unknown>): unknown[] {
  const schemas: unknown[] = [];
  if (Array.isArray(body.tools)) {
    for (const tool of body.tools) {
      if (isRecord(tool) && isRecord(tool.function) && tool.function.parameters !== undefined)
        schemas.push(tool.function.parameters);
    }
  }
  const format = body.response_format;
  if (isRecord(format) && isRecord(format.json_schema) && format.json_schema.schema !== undefined)
    schemas.push(format.json_schema.schema);
  return schemas;
}

/** Refuses a body whose tool and output schemas hold more than `limit` values together. */
export function checkSchemaSize(body: Record<string, unknown>, limit: number = maxSchemaNodes): void {
  let total = 0;
  for (const schema of schemasOf(body)) {
    total += countNodes(schema, limit - total);
    if (total > limit) {
      throw new RouterError(
        'invalid_request',
        `the request's tool and response_format schemas hold more than the limit of ${limit} JSON values`,
        { metadata: { limit: 'max_schema_nodes', max_schema_nodes: limit } },
      );
    }
  }
}

const printableModelId = /^[\x21-\x7e]+$/;

/**
 * Refuses a model id that could not travel in a response header or a log line unchanged: empty, longer
 * than `maxModelIdLength`, or holding anything but printable ASCII (spaces, control characters, CR/LF,
 * emoji, other scripts).
 */
export function checkModelId(value: unknown, field: string): void {
  if (typeof value !== 'string') return;
  if (value.length > 0 && value.length <= maxModelIdLength && printableModelId.test(value)) return;
  const shown = value.length > 80 ? `${JSON.stringify(value.slice(0, 80))}...` : JSON.stringify(value);
  throw new RouterError(
    'invalid_request',
    `${field} ${shown} is not a valid model id: use 1 to ${maxModelIdLength} printable ASCII characters, without spaces`,
    { metadata: { field } },
  );
}

/** The model-id and schema-size checks of a chat-completions body (after ingress conversion). */
export function checkChatBody(body: Record<string, unknown>): void {
  checkModelId(body.model, 'model');
  if (Array.isArray(body.models)) {
    for (const [index, model] of body.models.entries()) checkModelId(model, `models[${index}]`);
  }
  checkSchemaSize(body);
}

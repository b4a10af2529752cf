/**
 * A tool's JSON Schema converted to Gemini's `Schema`, the OpenAPI 3.0 subset that
 * `FunctionDeclaration.parameters` accepts. Gemini rejects the whole request on a key it does not know,
 * so such keys are dropped and reported.
 */
import { isRecord } from '../../core/is-record.js';

/** The keys Gemini's Schema object documents; any other key is rejected upstream. */
const supportedKeys = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'anyOf',
  'propertyOrdering',
  'default',
  'items',
  'minimum',
  'maximum',
]);

/** String formats the Gemini API accepts; it rejects others (`email`, `uri`...). */
const supportedStringFormats = new Set(['enum', 'date-time']);

/** Deepest schema nesting converted; deeper levels are dropped so a hostile schema cannot blow the stack. */
const maxDepth = 64;

export interface ConvertedToolSchema {
  /** The Gemini schema, or undefined when the tool takes no parameters. */
  schema: Record<string, unknown> | undefined;
  /** Where each dropped key was, as `path.key` (for example `parameters.properties.user.additionalProperties`). */
  droppedKeys: string[];
}

/**
 * Converts a tool's `parameters` JSON Schema to Gemini's Schema. An object schema without properties
 * becomes `undefined`, since Gemini rejects an OBJECT with empty properties and a function without
 * parameters says the same thing.
 */
export function convertToolSchema(parameters: Record<string, unknown> | undefined): ConvertedToolSchema {
  const droppedKeys: string[] = [];
  if (parameters === undefined) return { schema: undefined, droppedKeys };
  const schema = convertNode(parameters, 'parameters', droppedKeys, 0);
  const properties = schema.properties;
  const hasProperties =
    typeof properties === 'object' && properties !== null && Object.keys(properties).length > 0;
  if (!hasProperties && (schema.type === 'object' || schema.type === undefined)) {
    return { schema: undefined, droppedKeys };
  }
  return { schema, droppedKeys };
}

function convertNode(
  node: Record<string, unknown>,
  path: string,
  droppedKeys: string[],
  depth: number,
): Record<string, unknown> {
  const converted: Record<string, unknown> = {};
  if (depth > maxDepth) {
    droppedKeys.push(`${path} (nested deeper than ${maxDepth} levels)`);
    return converted;
  }
  const drop = (key: string) => droppedKeys.push(`${path}.${key}`);

  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case 'type':
        convertType(value, converted, drop);
        break;
      case 'properties':
        if (isRecord(value)) {
          const properties: Record<string, unknown> = {};
          for (const [name, property] of Object.entries(value)) {
            if (isRecord(property)) {
              properties[name] = convertNode(property, `${path}.properties.${name}`, droppedKeys, depth + 1);
            } else {
              droppedKeys.push(`${path}.properties.${name}`);
            }
          }
          converted.properties = properties;
        } else drop(key);
        break;
      case 'items':
        if (isRecord(value)) converted.items = convertNode(value, `${path}.items`, droppedKeys, depth + 1);
        else drop(key); // tuple-form `items` (an array) has no Gemini equivalent
        break;
      case 'anyOf':
        if (Array.isArray(value) && value.every(isRecord)) {
          converted.anyOf = value.map((member, index) =>
            convertNode(member, `${path}.anyOf.${index}`, droppedKeys, depth + 1),
          );
        } else drop(key);
        break;
      case 'const':
        // A string const is exactly a one-value string enum, which Gemini supports.
        if (typeof value === 'string') {
          converted.type ??= 'string';
          converted.enum = [value];
        } else drop(key);
        break;
      default:
        if (supportedKeys.has(key)) converted[key] = value;
        else drop(key);
    }
  }

  if (converted.type === 'string' && typeof converted.format === 'string') {
    if (!supportedStringFormats.has(converted.format)) {
      delete converted.format;
      drop('format');
    }
  }
  return converted;
}

/** JSON Schema allows a list of types; Gemini allows one type plus `nullable`. */
function convertType(value: unknown, converted: Record<string, unknown>, drop: (key: string) => void): void {
  if (typeof value === 'string') {
    converted.type = value;
    return;
  }
  if (Array.isArray(value)) {
    const types = value.filter((type): type is string => typeof type === 'string' && type !== 'null');
    if (types.length === 1) {
      converted.type = types[0];
      if (value.includes('null')) converted.nullable = true;
      return;
    }
  }
  drop('type');
}

/**
 * Gemini's `Schema` (the OpenAPI 3.0 subset of `FunctionDeclaration.parameters` and
 * `generationConfig.responseSchema`) converted to the JSON Schema the canonical request carries.
 */

import { isRecord } from '../../core/is-record.js';
import { maxBodyDepth } from './assert-max-depth.js';
import { describeValue, invalidField } from './json-checks.js';

/** Gemini's `Type` enum names and their JSON Schema spelling. */
const jsonTypeByGeminiType: Readonly<Record<string, string>> = {
  STRING: 'string',
  NUMBER: 'number',
  INTEGER: 'integer',
  BOOLEAN: 'boolean',
  ARRAY: 'array',
  OBJECT: 'object',
  NULL: 'null',
};

/** Bounds Google sends as int64, which the JSON encoding of protobuf writes as strings (`"minItems": "1"`). */
const int64Keys = new Set([
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'minProperties',
  'maxProperties',
]);

/**
 * Converts a Gemini Schema to JSON Schema: upper-case type names become JSON Schema's, `nullable` becomes a
 * `null` type, int64 strings become numbers, `example` becomes `examples`, and `propertyOrdering` (which
 * only orders Gemini's own output) is dropped. Keys outside Gemini's subset are kept as they are, since
 * they are already JSON Schema. Throws a 400 naming `path` for a value of the wrong kind.
 */
export function convertGeminiSchema(schema: unknown, path: string, depth = 0): Record<string, unknown> {
  if (!isRecord(schema)) throw invalidField(path, `expected a schema object, got ${describeValue(schema)}`);
  if (depth > maxBodyDepth) throw invalidField(path, `schema nests deeper than ${maxBodyDepth} levels`);
  const converted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    const location = `${path}.${key}`;
    if (key === 'type') {
      const type = convertType(value, location);
      if (type !== undefined) converted.type = type;
    } else if (key === 'properties') {
      if (!isRecord(value)) throw invalidField(location, `expected an object, got ${describeValue(value)}`);
      const properties: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(value)) {
        properties[name] = convertGeminiSchema(property, `${location}.${name}`, depth + 1);
      }
      converted.properties = properties;
    } else if (key === 'items') {
      converted.items = convertGeminiSchema(value, location, depth + 1);
    } else if (key === 'anyOf') {
      if (!Array.isArray(value))
        throw invalidField(location, `expected an array, got ${describeValue(value)}`);
      converted.anyOf = value.map((member, index) =>
        convertGeminiSchema(member, `${location}[${index}]`, depth + 1),
      );
    } else if (int64Keys.has(key)) {
      converted[key] = convertInt64(value, location);
    } else if (key === 'example') {
      converted.examples = [value];
    } else if (key === 'format') {
      // `format: enum` is Gemini's marker for an enum string; JSON Schema says that with `enum` alone.
      if (value !== 'enum') converted.format = value;
    } else if (key === 'propertyOrdering' || key === 'nullable' || key === 'enum') {
      // Handled below, once the type is known.
    } else {
      // title, description, required, pattern, default, minimum, maximum mean the same in both.
      converted[key] = value;
    }
  }
  if (schema.enum !== undefined) converted.enum = convertEnum(schema.enum, converted.type, `${path}.enum`);
  if (schema.nullable === true) addNull(converted);
  return converted;
}

function convertType(value: unknown, path: string): string | string[] | undefined {
  const convertOne = (name: unknown, location: string): string | undefined => {
    if (typeof name !== 'string')
      throw invalidField(location, `expected a type name, got ${describeValue(name)}`);
    if (name === 'TYPE_UNSPECIFIED') return undefined;
    const type = jsonTypeByGeminiType[name.toUpperCase()];
    if (type === undefined) {
      throw invalidField(
        location,
        `unknown type ${JSON.stringify(name)}; expected one of ${Object.keys(jsonTypeByGeminiType).join(', ')}`,
      );
    }
    return type;
  };
  if (Array.isArray(value)) {
    return value.flatMap((name, index) => convertOne(name, `${path}[${index}]`) ?? []);
  }
  return convertOne(value, path);
}

function convertInt64(value: unknown, path: string): number {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 0) {
    throw invalidField(path, `expected a non-negative integer, got ${describeValue(value)}`);
  }
  return number;
}

/** Gemini documents numeric enums as strings (`{type: INTEGER, enum: ["101"]}`); JSON Schema wants numbers. */
function convertEnum(value: unknown, type: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw invalidField(path, `expected an array, got ${describeValue(value)}`);
  if (type !== 'integer' && type !== 'number') return value;
  return value.map((item) =>
    typeof item === 'string' && item.trim() !== '' && Number.isFinite(Number(item)) ? Number(item) : item,
  );
}

function addNull(converted: Record<string, unknown>): void {
  const type = converted.type;
  if (typeof type === 'string') {
    if (type !== 'null') converted.type = [type, 'null'];
  } else if (Array.isArray(type)) {
    if (!type.includes('null')) converted.type = [...type, 'null'];
  } else if (Array.isArray(converted.anyOf)) {
    converted.anyOf = [...converted.anyOf, { type: 'null' }];
  }
  // Without a type every value, null included, is already allowed.
}

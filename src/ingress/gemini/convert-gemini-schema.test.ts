import { describe, expect, it } from 'vitest';
import { RouterError } from '../../core/errors.js';
import { convertGeminiSchema } from './convert-gemini-schema.js';

describe('convertGeminiSchema', () => {
  it('lower-cases type names, accepts JSON Schema spelling, and leaves TYPE_UNSPECIFIED out', () => {
    expect(
      convertGeminiSchema(
        {
          type: 'OBJECT',
          properties: {
            a: { type: 'boolean' },
            b: { type: 'TYPE_UNSPECIFIED', description: 'anything' },
            c: { type: 'NULL' },
          },
        },
        'parameters',
      ),
    ).toEqual({
      type: 'object',
      properties: { a: { type: 'boolean' }, b: { description: 'anything' }, c: { type: 'null' } },
    });
  });

  it('turns numeric string enums of numeric types into numbers, and keeps string enums', () => {
    expect(convertGeminiSchema({ type: 'INTEGER', format: 'enum', enum: ['101', '201'] }, 's')).toEqual({
      type: 'integer',
      enum: [101, 201],
    });
    expect(convertGeminiSchema({ type: 'STRING', enum: ['101'] }, 's')).toEqual({
      type: 'string',
      enum: ['101'],
    });
  });

  it('adds null once to a nullable type, and keeps JSON Schema keys it does not know', () => {
    expect(
      convertGeminiSchema({ type: 'NUMBER', nullable: true, minLength: 2, additionalProperties: false }, 's'),
    ).toEqual({
      type: ['number', 'null'],
      minLength: 2,
      additionalProperties: false,
    });
    expect(convertGeminiSchema({ type: 'NULL', nullable: true }, 's')).toEqual({ type: 'null' });
    expect(convertGeminiSchema({ nullable: true, description: 'd' }, 's')).toEqual({ description: 'd' });
  });

  it('refuses values of the wrong kind, naming where', () => {
    const refusal = (schema: unknown) => {
      try {
        convertGeminiSchema(schema, 'parameters');
      } catch (error) {
        expect(error).toBeInstanceOf(RouterError);
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refusal({ type: 'ARRAY', maxItems: 'many' })).toBe(
      'parameters.maxItems: expected a non-negative integer, got "many"',
    );
    expect(refusal({ type: 'OBJECT', properties: { a: 'STRING' } })).toBe(
      'parameters.properties.a: expected a schema object, got "STRING"',
    );
    expect(refusal({ anyOf: {} })).toBe('parameters.anyOf: expected an array, got an object');
  });
});

import { describe, expect, it } from 'vitest';
import { convertToolSchema } from './convert-tool-schema.js';

describe('convertToolSchema', () => {
  it('keeps the keys Gemini supports', () => {
    const parameters = {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'File path', minLength: 1 },
        mode: { type: 'string', enum: ['read', 'write'] },
        lines: { type: 'array', items: { type: 'integer', minimum: 1 }, maxItems: 10 },
      },
      required: ['path'],
    };
    expect(convertToolSchema(parameters)).toEqual({ schema: parameters, droppedKeys: [] });
  });

  it('drops additionalProperties and $schema at every level and reports where', () => {
    const { schema, droppedKeys } = convertToolSchema({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: false,
      properties: {
        options: { type: 'object', additionalProperties: false, properties: { force: { type: 'boolean' } } },
        tags: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: { type: 'string' },
            properties: { k: { type: 'string' } },
          },
        },
      },
    });
    expect(schema).toEqual({
      type: 'object',
      properties: {
        options: { type: 'object', properties: { force: { type: 'boolean' } } },
        tags: { type: 'array', items: { type: 'object', properties: { k: { type: 'string' } } } },
      },
    });
    expect(droppedKeys).toEqual([
      'parameters.$schema',
      'parameters.additionalProperties',
      'parameters.properties.options.additionalProperties',
      'parameters.properties.tags.items.additionalProperties',
    ]);
  });

  it('turns a nullable type list into one type plus nullable', () => {
    const { schema, droppedKeys } = convertToolSchema({
      type: 'object',
      properties: { limit: { type: ['integer', 'null'] } },
    });
    expect(schema).toEqual({ type: 'object', properties: { limit: { type: 'integer', nullable: true } } });
    expect(droppedKeys).toEqual([]);
  });

  it('drops a type list of several real types', () => {
    const { schema, droppedKeys } = convertToolSchema({
      type: 'object',
      properties: { value: { type: ['string', 'number'], description: 'v' } },
    });
    expect(schema).toEqual({ type: 'object', properties: { value: { description: 'v' } } });
    expect(droppedKeys).toEqual(['parameters.properties.value.type']);
  });

  it('turns a string const into a one-value enum', () => {
    const { schema } = convertToolSchema({ type: 'object', properties: { kind: { const: 'file' } } });
    expect(schema).toEqual({ type: 'object', properties: { kind: { type: 'string', enum: ['file'] } } });
  });

  it('converts anyOf members and drops $ref, $defs and oneOf', () => {
    const { schema, droppedKeys } = convertToolSchema({
      type: 'object',
      $defs: { name: { type: 'string' } },
      properties: {
        target: {
          anyOf: [
            { type: 'string', format: 'uri' },
            { type: 'integer', format: 'int64' },
          ],
        },
        owner: { $ref: '#/$defs/name' },
        choice: { oneOf: [{ type: 'string' }] },
      },
    });
    expect(schema).toEqual({
      type: 'object',
      properties: {
        target: { anyOf: [{ type: 'string' }, { type: 'integer', format: 'int64' }] },
        owner: {},
        choice: {},
      },
    });
    expect(droppedKeys).toEqual([
      'parameters.$defs',
      'parameters.properties.target.anyOf.0.format',
      'parameters.properties.owner.$ref',
      'parameters.properties.choice.oneOf',
    ]);
  });

  it('keeps the date-time string format', () => {
    const { schema } = convertToolSchema({
      type: 'object',
      properties: { at: { type: 'string', format: 'date-time' } },
    });
    expect(schema).toEqual({ type: 'object', properties: { at: { type: 'string', format: 'date-time' } } });
  });

  it.each([
    ['undefined', undefined],
    ['an empty object', {}],
    ['an object without properties', { type: 'object', properties: {} }],
    ['an object with only rejected keys', { type: 'object', additionalProperties: false }],
  ])('omits parameters for %s', (_label, parameters) => {
    expect(convertToolSchema(parameters).schema).toBeUndefined();
  });

  it('stops at a hostile nesting depth instead of overflowing the stack', () => {
    let parameters: Record<string, unknown> = { type: 'string' };
    for (let level = 0; level < 10_000; level++)
      parameters = { type: 'object', properties: { next: parameters } };
    const { droppedKeys } = convertToolSchema(parameters);
    expect(droppedKeys).toHaveLength(1);
    expect(droppedKeys[0]).toContain('nested deeper than 64 levels');
  });
});

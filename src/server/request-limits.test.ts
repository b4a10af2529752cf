import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RouterError } from '../core/errors.js';
import {
  assertJsonDepthWithin,
  checkChatBody,
  checkJsonDepth,
  checkModelId,
  maxJsonDepth,
  maxSchemaNodes,
} from './request-limits.js';

const nested = (depth: number, open = '{"a":', close = '}') =>
  `${open.repeat(depth - 1)}{}${close.repeat(depth - 1)}`;

describe('checkJsonDepth', () => {
  it('measures nesting and ignores brackets inside strings', () => {
    expect(checkJsonDepth('{"a":[1,{"b":"[[[{{{\\"]]"}]}')).toBe(3);
    expect(checkJsonDepth(nested(maxJsonDepth))).toBe(maxJsonDepth);
  });

  it('refuses one level past the limit with a 400 naming it, without recursing', () => {
    const check = () => checkJsonDepth(nested(100_000, '[', ']'));
    expect(check).toThrow(RouterError);
    expect(check).toThrow(`limit of ${maxJsonDepth} levels`);
    expect(() => checkJsonDepth(nested(maxJsonDepth + 1))).toThrow(/nests deeper/);
  });
});

describe('assertJsonDepthWithin', () => {
  const outcome = (check: () => unknown) => {
    try {
      check();
      return 'within';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('refuses exactly what checkJsonDepth refuses, with the same error', () => {
    // Brackets, quotes and backslashes in any order: strings with brackets inside, escaped quotes,
    // unbalanced text. Small limits make both sides of the count's shortcut common.
    const text = fc
      .array(fc.constantFrom('{', '}', '[', ']', '"', '\\', 'a', ':', ','), { maxLength: 60 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 8 }), (json, limit) => {
        expect(outcome(() => assertJsonDepthWithin(json, limit))).toBe(
          outcome(() => checkJsonDepth(json, limit)),
        );
      }),
      { numRuns: 5000 },
    );
  });

  it('checks the nesting once the text holds more openers than the limit', () => {
    expect(() => assertJsonDepthWithin(nested(maxJsonDepth + 1))).toThrow(/nests deeper/);
    expect(() => assertJsonDepthWithin(nested(maxJsonDepth))).not.toThrow();
    // Many openers, all inside a string: over the count, within the depth.
    expect(() => assertJsonDepthWithin(`{"a":"${'{['.repeat(maxJsonDepth)}"}`)).not.toThrow();
  });
});

describe('checkChatBody', () => {
  it.each([
    ['😀/🤖'],
    ['foo\r\nx-injected: 1'],
    [' openai/gpt-5.4-mini '],
    ['日本語'],
    ['\u0000'],
    ['\ud800'],
    [''],
    ['a'.repeat(257)],
  ])('refuses the model id %j with a 400', (model) => {
    let thrown: unknown;
    try {
      checkChatBody({ model, messages: [] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RouterError);
    expect((thrown as RouterError).status).toBe(400);
    expect(() => checkChatBody({ models: ['lab/alpha', model] })).toThrow(/models\[1\]/);
  });

  it('accepts ordinary ids, router names and suffixes', () => {
    for (const model of ['openrouter/pareto-code:nitro', 'pareto-code@2026-11', 'qwen3:32b', 'a/b-1.5']) {
      expect(() => checkModelId(model, 'model')).not.toThrow();
    }
  });

  it('bounds the size of tool and output schemas together', () => {
    const wide = Object.fromEntries(Array.from({ length: maxSchemaNodes / 2 }, (_, i) => [`p${i}`, i]));
    const tool = { type: 'function', function: { name: 'f', parameters: wide } };
    expect(() => checkChatBody({ model: 'm', tools: [tool] })).not.toThrow();
    expect(() =>
      checkChatBody({
        model: 'm',
        tools: [tool],
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema: wide } },
      }),
    ).toThrow(`limit of ${maxSchemaNodes} JSON values`);
  });
});

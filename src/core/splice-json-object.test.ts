import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { spliceJsonObject } from './splice-json-object.js';

describe('spliceJsonObject', () => {
  it('replaces, removes and adds members, keeping the others byte for byte', () => {
    const text =
      '{ "model" : "a", "messages":[{"role":"user","content":"say \\"}\\" {"}], "plugins":[1] ,"n":1.5e3}';
    const spliced = spliceJsonObject(
      text,
      new Map([
        ['model', '"b"'],
        ['plugins', undefined],
        ['stream_options', '{"include_usage":true}'],
      ]),
    );
    expect(spliced).toBe(
      '{"model":"b","messages":[{"role":"user","content":"say \\"}\\" {"}],"n":1.5e3,"stream_options":{"include_usage":true}}',
    );
  });

  it('gives up on an escaped key, a repeated edited key, and a text that is not an object', () => {
    expect(spliceJsonObject('{"mod\\u0065l":"a"}', new Map([['model', '"b"']]))).toBeUndefined();
    expect(spliceJsonObject('{"model":"a","model":"c"}', new Map([['model', '"b"']]))).toBeUndefined();
    expect(spliceJsonObject('[1]', new Map([['model', '"b"']]))).toBeUndefined();
  });

  it('reads as JSON.parse does: the edited text parses to the edited object', () => {
    const key = fc.constantFrom('model', 'id', 'usage', 'plugins', 'messages', 'a\\b', 'x y', 'é');
    fc.assert(
      fc.property(
        fc.dictionary(key, fc.jsonValue({ maxDepth: 3 })),
        fc.dictionary(
          fc.constantFrom('model', 'id', 'usage', 'plugins'),
          fc.option(fc.jsonValue({ maxDepth: 2 })),
        ),
        fc.boolean(),
        (object, changes, pretty) => {
          const text = JSON.stringify(object, null, pretty ? 2 : undefined);
          const edits = new Map(
            Object.entries(changes).map(([name, value]) => [
              name,
              value === null ? undefined : JSON.stringify(value),
            ]),
          );
          const spliced = spliceJsonObject(text, edits);
          const expected: Record<string, unknown> = JSON.parse(text);
          for (const [name, value] of edits) {
            if (value === undefined) delete expected[name];
            else expected[name] = JSON.parse(value);
          }
          expect(spliced).toBeDefined();
          expect(JSON.parse(spliced as string)).toEqual(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

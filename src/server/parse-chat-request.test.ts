import { describe, expect, it } from 'vitest';
import { RouterError } from '../core/errors.js';
import { parseChatRequest, suggestPluginField } from './parse-chat-request.js';

const messages = [{ role: 'user', content: 'Write a function that reverses a string.' }];

function parse(plugin: Record<string, unknown>, headers: Record<string, string> = {}) {
  return parseChatRequest(
    { model: 'openrouter/pareto-code', messages, plugins: [{ id: 'pareto-router', ...plugin }] },
    headers,
  );
}

function failure(plugin: Record<string, unknown>): RouterError {
  try {
    parse(plugin);
  } catch (error) {
    if (error instanceof RouterError) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('parseChatRequest: the pareto-router plugin', () => {
  it('reads the hosted router fields and the in-tier caps under their own names', () => {
    const parsed = parse({
      enabled: true,
      max_price: 0.5,
      price_source: 'weighted_avg',
      max_blended_price: 2,
      max_prompt_price: 1,
      max_completion_price: 4,
    });
    expect(parsed.settings).toEqual({
      maxPrice: 0.5,
      priceSource: 'weighted_avg',
      priceCaps: { blended: 2, input: 1, output: 4 },
    });
    expect(parsed.warnings).toEqual([]);
  });

  it('reports an unknown field in the warnings, with the field it most likely means', () => {
    const parsed = parse({ min_coding_scroe: 0.2 });
    expect(parsed.settings.minCodingScore).toBeUndefined();
    expect(parsed.warnings).toEqual([
      'plugins[0].min_coding_scroe is not a pareto-router field and was ignored (did you mean min_coding_score?)',
    ]);
  });

  it('names the snake_case field when the camelCase one of the SDK types arrives unconverted', () => {
    expect(parse({ minCodingScore: 0.8, maxPrice: 1 }).warnings).toEqual([
      'plugins[0].minCodingScore is not a pareto-router field and was ignored (did you mean min_coding_score?)',
      'plugins[0].maxPrice is not a pareto-router field and was ignored (did you mean max_price?)',
    ]);
    expect(suggestPluginField('priceSource')).toBe('price_source');
    expect(suggestPluginField('temperature')).toBeUndefined();
  });

  it('flags an entry with nothing but its id: what @openrouter/sdk sends after dropping unknown fields', () => {
    expect(parse({}).warnings).toEqual([
      'plugins[0] sets nothing but its id, so the high tier applies; @openrouter/sdk drops plugin fields its types do not know: use minCodingScore, maxPrice, priceSource there',
    ]);
    expect(parse({ enabled: false }).warnings).toEqual([]);
    expect(parse({ min_coding_score: 0.8 }).warnings).toEqual([]);
  });

  it('bounds what an unknown field adds to the warnings', () => {
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, n) => [`x${n}${'y'.repeat(100)}`, n]));
    const warnings = parse(many).warnings;
    expect(warnings).toHaveLength(9);
    expect(warnings.at(-1)).toBe('plugins[0]: 4 more unknown fields ignored');
    expect(Math.max(...warnings.map((warning) => warning.length))).toBeLessThan(150);
  });

  it.each([
    [{ min_coding_score: '0.8' }, /plugins\[0\]\.min_coding_score: .*number.*, got "0\.8"/],
    [{ max_price: { prompt: 1 } }, /plugins\[0\]\.max_price: expected a number.*max_prompt_price/],
    [{ max_price: -1 }, /plugins\[0\]\.max_price: .*>=0/],
    [{ price_source: 'average' }, /plugins\[0\]\.price_source: .*"prompt"\|"weighted_avg"/],
    [{ max_blended_price: 'cheap' }, /plugins\[0\]\.max_blended_price/],
    [{ enabled: 'yes' }, /plugins\[0\]\.enabled/],
  ])('answers a wrong type with a 400 naming the field: %j', (plugin, message) => {
    const error = failure(plugin);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(message);
  });

  it('says what it ignores: the bar under max_price, price_source without it, the plugin on a concrete model', () => {
    expect(parse({ max_price: 1, min_coding_score: 0.8 }).warnings).toEqual([
      'min_coding_score and tier are not used when max_price is set',
    ]);
    expect(parse({ price_source: 'weighted_avg' }).warnings).toEqual([
      'price_source applies only with max_price; ignored',
    ]);
    const concrete = parseChatRequest(
      { model: 'lab/alpha', messages, plugins: [{ id: 'pareto-router', min_coding_score: 0.8 }] },
      {},
    );
    expect(concrete.warnings).toEqual([
      'the pareto-router plugin applies only to router models; lab/alpha is not routed',
    ]);
  });
});

describe('parseChatRequest: routing metadata on request', () => {
  it.each([
    [{ 'x-openrouter-metadata': 'enabled' }, true],
    [{ 'x-openrouter-metadata': ' ENABLED ' }, true],
    [{ 'x-openrouter-experimental-metadata': 'enabled' }, true],
    [{ 'x-openrouter-metadata': 'disabled' }, false],
    [{ 'x-openrouter-metadata': 'enable' }, false],
    [{}, false],
  ])('%j -> %s', (headers, expected) => {
    expect(parse({}, headers).routingMetadata).toBe(expected);
  });
});

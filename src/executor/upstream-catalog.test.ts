import { describe, expect, it } from 'vitest';
import type { UpstreamConfig } from '../config/router-config.js';
import { syntheticIndex, syntheticModel } from '../core/test-support/synthetic-index.js';
import { UpstreamCatalog } from './upstream-catalog.js';

const upstream = (
  name: string,
  passthrough = false,
  models: Record<string, string> = {},
): UpstreamConfig => ({
  name,
  displayName: name,
  protocol: 'openai',
  baseUrl: `http://${name}.invalid`,
  passthrough,
  models,
});

const index = syntheticIndex([
  syntheticModel('anthropic/claude-x', 90, 3, {
    upstreams: [
      { upstream: 'openrouter', model: 'anthropic/claude-x' },
      { upstream: 'anthropic', model: 'claude-x-2026' },
    ],
  }),
  syntheticModel('lab/other', 50, 1, { upstreams: [{ upstream: 'lab', model: 'other' }] }),
]);
const claude = index.byId.get('anthropic/claude-x');

describe('UpstreamCatalog', () => {
  it('prefers the vendor API over a pass-through aggregator, with the vendor’s model name', () => {
    const catalog = new UpstreamCatalog([upstream('openrouter', true), upstream('anthropic')]);
    expect(
      catalog
        .targetsFor('anthropic/claude-x', claude)
        .map((target) => [target.upstream.name, target.upstreamModel]),
    ).toEqual([
      ['anthropic', 'claude-x-2026'],
      ['openrouter', 'anthropic/claude-x'],
    ]);
  });

  it('applies the configured preference, provider.order, only and ignore', () => {
    const catalog = new UpstreamCatalog(
      [upstream('openrouter', true), upstream('anthropic')],
      ['openrouter'],
    );
    expect(catalog.targetsFor('anthropic/claude-x', claude)[0]?.upstream.name).toBe('openrouter');
    expect(catalog.targetsFor('anthropic/claude-x', claude, { order: ['anthropic'] })[0]?.upstream.name).toBe(
      'anthropic',
    );
    expect(catalog.targetsFor('anthropic/claude-x', claude, { only: ['anthropic'] }).length).toBe(1);
    expect(
      catalog.targetsFor('anthropic/claude-x', claude, { ignore: ['anthropic'] }).map((t) => t.upstream.name),
    ).toEqual(['openrouter']);
    expect(
      catalog
        .targetsFor('anthropic/claude-x', claude, { order: ['anthropic'], allowFallbacks: false })
        .map((t) => t.upstream.name),
    ).toEqual(['anthropic']);
  });

  it('serves models the index does not know only through a pass-through upstream', () => {
    expect(new UpstreamCatalog([upstream('anthropic')]).targetsFor('x/unknown', undefined)).toEqual([]);
    expect(
      new UpstreamCatalog([upstream('openrouter', true)]).targetsFor('x/unknown', undefined)[0]
        ?.upstreamModel,
    ).toBe('x/unknown');
  });

  it('uses per-upstream model mappings from the configuration and reports servability', () => {
    const catalog = new UpstreamCatalog([upstream('local', false, { 'lab/other': 'other-q4' })]);
    const other = index.byId.get('lab/other');
    expect(catalog.targetsFor('lab/other', other)[0]?.upstreamModel).toBe('other-q4');
    expect(catalog.isServable(other!)).toBe(true);
    expect(catalog.isServable(claude!)).toBe(false);
    expect(catalog.servingReport(index)).toEqual([
      { modelId: 'anthropic/claude-x', upstreams: [] },
      { modelId: 'lab/other', upstreams: ['local'] },
    ]);
  });

  it('builds the plain target list once per model and a fresh one for preferences that reorder it', () => {
    const catalog = new UpstreamCatalog([upstream('openrouter', true), upstream('anthropic')]);
    const first = catalog.targetsFor('anthropic/claude-x', claude);
    expect(catalog.targetsFor('anthropic/claude-x', claude)).toBe(first);
    const ordered = catalog.targetsFor('anthropic/claude-x', claude, { order: ['openrouter'] });
    expect(ordered).not.toBe(first);
    expect(ordered.map((target) => target.upstream.name)).toEqual(['openrouter', 'anthropic']);
    // The preference list did not change the shared one.
    expect(first.map((target) => target.upstream.name)).toEqual(['anthropic', 'openrouter']);
    // A request's provider object without order, only or ignore is the plain case too.
    expect(catalog.targetsFor('anthropic/claude-x', claude, { allowFallbacks: false })).toBe(first);
    expect(catalog.targetsFor('anthropic/claude-x', claude, {})).toBe(first);
  });
});

import { describe, expect, it } from 'vitest';
import { parseRouterModel } from './router-model.js';

describe('parseRouterModel', () => {
  it.each([
    ['pareto-code', { nitro: false }],
    ['openrouter/pareto-code', { nitro: false }],
    ['pareto-code:nitro', { nitro: true }],
    ['openrouter/pareto-code:nitro', { nitro: true }],
    ['pareto-code@2026-05', { nitro: false, snapshotVersion: '2026-05' }],
    ['openrouter/pareto-code:2026-05', { nitro: false, snapshotVersion: '2026-05' }],
    ['pareto-code@2026-05:nitro', { nitro: true, snapshotVersion: '2026-05' }],
    ['pareto-code@2026-11.1', { nitro: false, snapshotVersion: '2026-11.1' }],
  ])('parses %s', (name, expected) => {
    expect(parseRouterModel(name)).toEqual({ raw: name, ...expected });
  });

  it.each(['anthropic/claude-opus-4.7', 'pareto-coder', 'pareto-code:fast', 'pareto-code@latest', ''])(
    'treats %s as not a router model',
    (name) => {
      expect(parseRouterModel(name)).toBeNull();
    },
  );
});

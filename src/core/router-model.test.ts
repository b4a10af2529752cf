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
    ['pareto-code@balanced', { nitro: false, tier: 'balanced', minCodingScore: 0.5 }],
    ['pareto-code@Quick', { nitro: false, tier: 'quick', minCodingScore: 0.2 }],
    ['pareto-code@frontier', { nitro: false, tier: 'frontier' }],
    ['pareto-code@0.5', { nitro: false, minCodingScore: 0.5 }],
    ['pareto-code@.8', { nitro: false, minCodingScore: 0.8 }],
    ['pareto-code@1', { nitro: false, minCodingScore: 1 }],
    ['pareto-code@0', { nitro: false, minCodingScore: 0 }],
    ['openrouter/pareto-code@0.5:nitro', { nitro: true, minCodingScore: 0.5 }],
    [
      'pareto-code@high@2026-05:nitro',
      { nitro: true, tier: 'high', minCodingScore: 0.8, snapshotVersion: '2026-05' },
    ],
    ['pareto-code:nitro@0.33', { nitro: true, minCodingScore: 0.33 }],
    [
      'pareto-code:2026-05@low',
      { nitro: false, tier: 'low', minCodingScore: 0.2, snapshotVersion: '2026-05' },
    ],
  ])('parses %s', (name, expected) => {
    expect(parseRouterModel(name)).toEqual({ raw: name, ...expected });
  });

  it.each([
    'anthropic/claude-opus-4.7',
    'pareto-coder',
    'pareto-code:fast',
    'pareto-code@latest',
    '',
    'pareto-code@1.5',
    'pareto-code@-0.1',
    'pareto-code@0.5@0.6',
    'pareto-code:nitro:nitro',
    'pareto-code:balanced',
    'pareto-code@',
    'pareto-code@2026-05@2026-06',
  ])('treats %s as not a router model', (name) => {
    expect(parseRouterModel(name)).toBeNull();
  });
});

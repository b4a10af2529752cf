import { describe, expect, it } from 'vitest';
import { neighbourTiers, requestedTier, scoreForTierAlias, tierOf } from './tiers.js';

describe('tiers', () => {
  it('bands scores at 0.66 and 0.33, inclusive lower bounds', () => {
    expect([0, 0.3299, 0.33, 0.6599, 0.66, 1].map((value) => tierOf(value))).toEqual([
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
    ]);
    expect(requestedTier(undefined)).toBe('high');
  });

  it('maps named tiers to scores', () => {
    expect(['quick', 'balanced', 'high', 'reasoning', 'frontier'].map(scoreForTierAlias)).toEqual([
      0.2,
      0.5,
      0.8,
      0.9,
      undefined,
    ]);
    expect(() => scoreForTierAlias('ultra')).toThrow(/unknown tier "ultra"/);
  });

  it('steps upwards before downwards', () => {
    expect(neighbourTiers('medium')).toEqual(['high', 'low']);
    expect(neighbourTiers('high')).toEqual(['medium']);
    expect(neighbourTiers('low')).toEqual(['medium']);
  });
});

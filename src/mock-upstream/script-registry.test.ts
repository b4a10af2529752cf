import { describe, expect, it } from 'vitest';
import { type RecordedRequest, ScriptRegistry } from './script-registry.js';

function recorded(index: number): RecordedRequest {
  return {
    protocol: 'openai',
    model: `m${index}`,
    path: '/v1/chat/completions',
    headers: {},
    body: {},
    time: index,
    attempt: 1,
  };
}

describe('ScriptRegistry', () => {
  it('keeps the last 1,000 requests, oldest first', () => {
    const registry = new ScriptRegistry({}, {});
    for (let index = 0; index < 1_050; index++) registry.record(recorded(index));
    const requests = registry.requests();
    expect(requests).toHaveLength(1_000);
    expect(requests[0]!.time).toBe(50);
    expect(requests.at(-1)!.time).toBe(1_049);
    expect(requests.map((request) => request.time)).toEqual(
      Array.from({ length: 1_000 }, (_, index) => index + 50),
    );
  });

  it('finds scripts by exact id, then the longest pattern, then the default', () => {
    const fallback = { answer: 'default' };
    const registry = new ScriptRegistry(
      {
        'lab/*': { answer: 'lab' },
        'lab/alpha-*': { answer: 'alpha family' },
        'lab/alpha-1': { answer: 'exact' },
      },
      fallback,
    );
    expect(registry.scriptFor('lab/alpha-1').answer).toBe('exact');
    expect(registry.scriptFor('lab/alpha-2').answer).toBe('alpha family');
    expect(registry.scriptFor('lab/beta').answer).toBe('lab');
    expect(registry.scriptFor('other')).toBe(fallback);
  });

  it('counts attempts per model and clears the counters a new script governs', () => {
    const registry = new ScriptRegistry({}, {});
    expect(registry.countAttempt('a')).toBe(1);
    expect(registry.countAttempt('a')).toBe(2);
    expect(registry.countAttempt('ab')).toBe(1);
    expect(registry.countAttempt('b')).toBe(1);
    expect(registry.attempts()).toBe(4);
    registry.setScript('a*', {});
    expect(registry.attempts('a')).toBe(0);
    expect(registry.attempts('ab')).toBe(0);
    expect(registry.attempts('b')).toBe(1);
    expect(registry.attemptsByModelId()).toEqual({ b: 1 });
  });

  it('goes back to the start-up scripts on reset', () => {
    const registry = new ScriptRegistry({ a: { answer: 'start' } }, {});
    registry.setScript('a', { answer: 'changed' });
    registry.setScript('z*', { answer: 'pattern' });
    registry.record(recorded(1));
    registry.reset();
    expect(registry.scriptFor('a').answer).toBe('start');
    expect(registry.scriptFor('zz').answer).toBeUndefined();
    expect(registry.requests()).toEqual([]);
  });
});

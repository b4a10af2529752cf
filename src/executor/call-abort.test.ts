import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AbortSource, CallAbort, pauseUnlessAborted } from './call-abort.js';

type Operation =
  | { kind: 'add'; listener: number }
  | { kind: 'remove'; listener: number }
  | { kind: 'abort'; reason: string | undefined };

/** Runs `operations` against `target` with three numbered listeners; returns which were called, in order. */
function replay(
  operations: readonly Operation[],
  target: { abort(reason?: unknown): void; signal: AbortSource },
): { calls: number[]; aborted: boolean; reason: unknown } {
  const calls: number[] = [];
  const listeners = [0, 1, 2].map((number) => () => {
    calls.push(number);
  });
  for (const operation of operations) {
    if (operation.kind === 'add') target.signal.addEventListener('abort', listeners[operation.listener]!);
    else if (operation.kind === 'remove')
      target.signal.removeEventListener('abort', listeners[operation.listener]!);
    else target.abort(operation.reason);
  }
  return { calls, aborted: target.signal.aborted, reason: target.signal.reason };
}

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), listener: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('remove' as const), listener: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('abort' as const), reason: fc.option(fc.string(), { nil: undefined }) }),
);

describe('CallAbort', () => {
  it('behaves as AbortController does for any sequence of adds, removes and aborts', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 12 }), (operations) => {
        const ours = replay(operations, new CallAbort());
        const node = replay(operations, new AbortController());
        expect(ours.calls).toEqual(node.calls);
        expect(ours.aborted).toBe(node.aborted);
        if (typeof node.reason === 'string') expect(ours.reason).toBe(node.reason);
        else if (node.reason === undefined) expect(ours.reason).toBeUndefined();
        else {
          expect(ours.reason).toBeInstanceOf(DOMException);
          expect((ours.reason as DOMException).name).toBe('AbortError');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('skips a listener that an earlier one removed, as EventTarget does', () => {
    for (const target of [new CallAbort(), new AbortController()]) {
      const called: string[] = [];
      const second = () => called.push('second');
      target.signal.addEventListener('abort', () => {
        called.push('first');
        target.signal.removeEventListener('abort', second);
      });
      target.signal.addEventListener('abort', second);
      target.abort();
      expect(called).toEqual(['first']);
    }
  });

  it('keeps calling listeners after one throws, and reports the error on the next tick', () => {
    const ticks: (() => void)[] = [];
    const nextTick = vi.spyOn(process, 'nextTick').mockImplementation(((callback: () => void) => {
      ticks.push(callback);
    }) as typeof process.nextTick);
    const abort = new CallAbort();
    const called: string[] = [];
    abort.addEventListener('abort', () => {
      called.push('first');
      throw new Error('listener failed');
    });
    abort.addEventListener('abort', () => called.push('second'));
    abort.abort('gone');
    nextTick.mockRestore();
    expect(called).toEqual(['first', 'second']);
    expect(ticks).toHaveLength(1);
    expect(() => ticks[0]!()).toThrow('listener failed');
  });
});

describe('pauseUnlessAborted', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A CallAbort that counts the listeners it holds. */
  function countingAbort() {
    const abort = new CallAbort();
    let held = 0;
    const add = abort.addEventListener.bind(abort);
    const remove = abort.removeEventListener.bind(abort);
    abort.addEventListener = (type, listener) => {
      held += 1;
      add(type, listener);
    };
    abort.removeEventListener = (type, listener) => {
      held -= 1;
      remove(type, listener);
    };
    return { abort, held: () => held };
  }

  it('resolves after the time, and leaves no listener behind', async () => {
    vi.useFakeTimers();
    const { abort, held } = countingAbort();
    let resolved = false;
    const pause = pauseUnlessAborted(500, abort).then(() => {
      resolved = true;
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(resolved).toBe(false);
    expect(held()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await pause;
    expect(resolved).toBe(true);
    expect(held()).toBe(0);
  });

  it('resolves as soon as the signal aborts, and clears its timer', async () => {
    vi.useFakeTimers();
    const { abort, held } = countingAbort();
    const pause = pauseUnlessAborted(60_000, abort);
    abort.abort('client left');
    await pause;
    expect(held()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves at once when the signal has already aborted', async () => {
    vi.useFakeTimers();
    const abort = new CallAbort();
    abort.abort();
    await pauseUnlessAborted(60_000, abort);
    expect(vi.getTimerCount()).toBe(0);
  });
});

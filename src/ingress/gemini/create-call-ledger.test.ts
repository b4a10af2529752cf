import { describe, expect, it } from 'vitest';
import { createCallLedger } from './create-call-ledger.js';

describe('createCallLedger', () => {
  it('matches by id first, then the earliest waiting call of the name, each call once', () => {
    const ledger = createCallLedger();
    ledger.add({ id: 'a', name: 'read' });
    ledger.add({ id: 'b', name: 'read' });
    ledger.add({ id: 'c', name: 'glob' });
    expect(ledger.take('b', 'read')).toEqual({ id: 'b', name: 'read' });
    // `b` is answered: the name queue skips it.
    expect(ledger.take('cli-made-id', 'read')).toEqual({ id: 'a', name: 'read' });
    expect(ledger.take(undefined, 'read')).toBeUndefined();
    expect(ledger.take('b', 'glob')).toEqual({ id: 'c', name: 'glob' });
    expect(ledger.take('c', 'glob')).toBeUndefined();
  });

  it('keeps repeated ids apart, in order', () => {
    const ledger = createCallLedger();
    ledger.add({ id: 'x', name: 'f' });
    ledger.add({ id: 'x', name: 'g' });
    expect(ledger.take('x', 'zzz')).toEqual({ id: 'x', name: 'f' });
    expect(ledger.take('x', 'zzz')).toEqual({ id: 'x', name: 'g' });
  });

  it('stays linear over a long agent session', () => {
    const ledger = createCallLedger();
    for (let index = 0; index < 50_000; index += 1) ledger.add({ id: `call_${index}_0`, name: 'read_file' });
    let matched = 0;
    for (let index = 0; index < 50_000; index += 1) {
      if (ledger.take(`read_file-${index}-cli`, 'read_file')?.id === `call_${index}_0`) matched += 1;
    }
    expect(matched).toBe(50_000);
  });
});

/** The function calls of a conversation still waiting for their `functionResponse`. */

/** A function call of an earlier model turn. */
export interface LedgerCall {
  id: string;
  name: string;
}

interface Queue {
  calls: (LedgerCall & { answered: boolean })[];
  /** Calls before this index are answered: each is skipped once, so matching stays linear overall. */
  head: number;
}

/** Matches each function response to the call it answers. */
export interface CallLedger {
  add(call: LedgerCall): void;
  /**
   * Takes the call a response answers: the earliest waiting call with `id`, else the earliest waiting call
   * named `name`; undefined when none waits.
   */
  take(id: string | undefined, name: string): LedgerCall | undefined;
}

/** An empty ledger. */
export function createCallLedger(): CallLedger {
  const byId = new Map<string, Queue>();
  const byName = new Map<string, Queue>();

  const enqueue = (index: Map<string, Queue>, key: string, call: Queue['calls'][number]) => {
    const queue = index.get(key);
    if (queue === undefined) index.set(key, { calls: [call], head: 0 });
    else queue.calls.push(call);
  };

  const firstWaiting = (queue: Queue | undefined) => {
    if (queue === undefined) return undefined;
    while (queue.head < queue.calls.length && queue.calls[queue.head]?.answered === true) queue.head += 1;
    return queue.calls[queue.head];
  };

  return {
    add(call) {
      const entry = { ...call, answered: false };
      enqueue(byId, call.id, entry);
      enqueue(byName, call.name, entry);
    },
    take(id, name) {
      const call =
        (id === undefined ? undefined : firstWaiting(byId.get(id))) ?? firstWaiting(byName.get(name));
      if (call === undefined) return undefined;
      call.answered = true;
      return { id: call.id, name: call.name };
    },
  };
}

/** Looking a key up by the id an operator typed, with one clear line when there is no such key. */
import { RouterError } from '../core/errors.js';
import type { ApiKeyRecord } from '../store/api-key.js';
import type { RequestStore } from '../store/request-store.js';

/** The key with `id`; throws RouterError `not_found` (exit 1) naming the id when the store has none. */
export async function requireKnownKey(store: RequestStore, id: string): Promise<ApiKeyRecord> {
  const key = await store.getKey(id);
  if (key === null) {
    throw new RouterError(
      'not_found',
      `unknown key id ${JSON.stringify(id)}: \`pareto-router keys list\` shows the ids`,
      { metadata: { keyId: id } },
    );
  }
  return key;
}

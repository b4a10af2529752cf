/**
 * The request log's SQLite writer thread: inserts the batches the main thread posts, on a connection of
 * its own to the same WAL database, so a batch never stalls the event loop that serves requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isRouterError } from '../core/errors.js';
import type { RequestRecord } from './request-record.js';
import { SqliteRequestStore } from './sqlite-request-store.js';

export interface WriteRequestMessage {
  id: number;
  records: RequestRecord[];
}

export type WriteReplyMessage =
  | { id: number; ok: true }
  | { id: number; ok: false; code: string | null; message: string };

const port = parentPort;
if (port !== null) {
  const store = new SqliteRequestStore({ filePath: (workerData as { filePath: string }).filePath });
  port.on('message', (message: WriteRequestMessage) => {
    store.insertRequests(message.records).then(
      () => port.postMessage({ id: message.id, ok: true } satisfies WriteReplyMessage),
      (error: unknown) =>
        port.postMessage({
          id: message.id,
          ok: false,
          code: isRouterError(error) ? error.code : null,
          message: error instanceof Error ? error.message : String(error),
        } satisfies WriteReplyMessage),
    );
  });
}

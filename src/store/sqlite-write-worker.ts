/**
 * The request log's SQLite writer thread: inserts the batches the main thread posts, on a connection of
 * its own to the same WAL database, so a batch never stalls the event loop that serves requests. The main
 * thread checks and encodes the records (`encodeRequestRecords`); a batch arrives as the inserts' values.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { isRouterError } from '../core/errors.js';
import type { SqliteDriverName } from './sqlite-driver.js';
import { openSqliteDatabase, SqliteRequestInserts, type SqliteValue } from './sqlite-request-inserts.js';

export interface WriteRequestMessage {
  id: number;
  rows: SqliteValue[][];
}

export type WriteReplyMessage =
  | { id: number; ok: true }
  | { id: number; ok: false; code: string | null; message: string };

const port = parentPort;
if (port !== null) {
  const { filePath, driver } = workerData as { filePath: string; driver?: SqliteDriverName };
  const database = openSqliteDatabase(filePath, undefined, driver);
  const inserts = new SqliteRequestInserts(database);
  port.on('message', (message: WriteRequestMessage) => {
    let reply: WriteReplyMessage;
    try {
      inserts.insertRows(message.rows);
      reply = { id: message.id, ok: true };
    } catch (error) {
      reply = {
        id: message.id,
        ok: false,
        code: isRouterError(error) ? error.code : null,
        message: error instanceof Error ? error.message : String(error),
      };
    }
    port.postMessage(reply);
  });
}

/**
 * The dashboard's SQLite reads on a thread of their own: an aggregate over a large request log takes
 * hundreds of milliseconds in better-sqlite3, which is synchronous, and on the main thread every request
 * in flight would wait for it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  buildDashboardQueries,
  type DashboardQueries,
  type DashboardStats,
  type DashboardStatsQuery,
  mapDashboardRows,
} from './build-dashboard-queries.js';
import { openSqliteConnection, type SqliteDriverName } from './sqlite-driver.js';

export interface ReadRequestMessage {
  id: number;
  query: DashboardStatsQuery;
}

export type ReadReplyMessage =
  | { id: number; ok: true; stats: DashboardStats }
  | { id: number; ok: false; message: string };

const port = parentPort;
if (port !== null) {
  // The same SQLite library as the store (node:sqlite, or better-sqlite3 on Node 20); reads only.
  const { filePath, driver } = workerData as { filePath: string; driver?: SqliteDriverName };
  const database = openSqliteConnection(filePath, 5000, driver);
  database.exec('PRAGMA query_only = 1');
  port.on('message', (message: ReadRequestMessage) => {
    let reply: ReadReplyMessage;
    try {
      const built = buildDashboardQueries(message.query, 'sqlite', () => '?');
      const run = (part: keyof DashboardQueries) =>
        database.prepare(built[part].text).all(...(built[part].values as number[])) as Record<
          string,
          unknown
        >[];
      const stats = mapDashboardRows(
        { totals: run('totals'), latency: run('latency'), fallbackReasons: run('fallbackReasons') },
        message.query,
      );
      reply = { id: message.id, ok: true, stats };
    } catch (error) {
      reply = { id: message.id, ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
}

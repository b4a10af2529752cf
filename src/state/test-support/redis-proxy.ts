/**
 * A TCP proxy in front of a real Redis that a test can cut and restore, so a router's link sees a network
 * outage (connections dropped, new ones refused) while Redis itself keeps its data.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface RedisProxy {
  /** `redis://` URL of the proxy. */
  url: string;
  /** Drops every open connection and refuses new ones until `restore`. */
  cut(): void;
  /** Keeps connections open but passes nothing on in either direction: a Redis that stalls. */
  stall(): void;
  /** Lets connections through again. */
  restore(): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port forwarding to the Redis at `target` (a `redis://` URL). */
export async function startRedisProxy(target: string): Promise<RedisProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  let open = true;
  const pairs = new Set<{ client: Socket; redis: Socket }>();
  const server: Server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const redis = connect(Number(upstream.port || 6379), upstream.hostname);
    for (const socket of [client, redis]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        redis.destroy();
      });
    }
    client.pipe(redis);
    redis.pipe(client);
    pairs.add({ client, redis });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    stall() {
      for (const { client, redis } of pairs) {
        client.unpipe(redis);
        redis.unpipe(client);
        client.pause();
        redis.pause();
      }
    },
    restore() {
      open = true;
    },
    async close() {
      open = false;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

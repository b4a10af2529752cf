/**
 * Starts a bench server: keep-alive long enough that load generators never reconnect between phases
 * (the default 5 s would charge a reconnect to whichever system is measured next), then listens.
 * Resolves with the port actually bound.
 */
export function listenForBench(server, port, host) {
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  server.requestTimeout = 0;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // The agent-streams phase opens thousands of connections within a second: a queue as deep as the
    // router's, so the floor is not slowed by refused connections the router would accept.
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

#!/usr/bin/env node
/**
 * The practical floor: the least a Node.js proxy can do for one chat call. It reads the JSON body, parses
 * it, rewrites `model`, forwards it over a keep-alive pool and pipes the upstream's answer back untouched.
 * Anything the router adds on top of this (validation, routing, conversion, accounting) is its own cost.
 *
 *   node bench/bare-proxy.js --port 0 --upstream http://127.0.0.1:9000/v1 [--model bench/fake-model] [--workers N]
 *
 * Prints one JSON line `{"ready":true,"port":N}` on stdout once listening (from the primary in cluster mode).
 */
import cluster from 'node:cluster';
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { listenForBench } from './listen.js';

const maxBodyBytes = 1024 * 1024;

function reject(response, status, message) {
  const body = JSON.stringify({ error: { code: status, message } });
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** Starts one bare proxy server in this process. */
export function startBareProxy({ host = '127.0.0.1', port = 0, upstream, model = 'bench/fake-model' }) {
  const upstreamUrl = new URL(upstream);
  const upstreamPath = `${upstreamUrl.pathname.replace(/\/$/, '')}/chat/completions`;
  // No socket limit, as a proxy in front of thousands of long streams needs (the agent-streams bench).
  const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 30_000 });

  const server = http.createServer((request, response) => {
    if (request.method !== 'POST' || !(request.url ?? '').endsWith('/chat/completions')) {
      request.resume();
      reject(response, 404, `no route for ${request.method} ${request.url}`);
      return;
    }
    const parts = [];
    let size = 0;
    request.on('data', (part) => {
      size += part.length;
      if (size > maxBodyBytes) {
        reject(response, 413, `body larger than ${maxBodyBytes} bytes`);
        request.destroy();
        return;
      }
      parts.push(part);
    });
    request.on('end', () => {
      if (response.headersSent) return;
      let payload;
      try {
        payload = JSON.parse(Buffer.concat(parts).toString('utf8'));
      } catch {
        reject(response, 400, 'body is not JSON');
        return;
      }
      if (typeof payload !== 'object' || payload === null) {
        reject(response, 400, 'body is not a JSON object');
        return;
      }
      payload.model = model;
      const body = JSON.stringify(payload);
      const outgoing = http.request(
        {
          agent,
          host: upstreamUrl.hostname,
          port: upstreamUrl.port,
          path: upstreamPath,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: request.headers.authorization ?? 'Bearer bench',
          },
        },
        (incoming) => {
          const headers = { 'content-type': incoming.headers['content-type'] ?? 'application/json' };
          if (incoming.headers['content-length'] !== undefined) {
            headers['content-length'] = incoming.headers['content-length'];
          }
          response.writeHead(incoming.statusCode ?? 502, headers);
          // Streamed answers must reach the client chunk by chunk; pipe() writes each one as it arrives.
          incoming.pipe(response);
        },
      );
      outgoing.on('error', (error) => {
        if (!response.headersSent) reject(response, 502, `upstream failed: ${error.message}`);
        else response.destroy(error);
      });
      response.on('close', () => {
        if (!response.writableFinished) outgoing.destroy();
      });
      outgoing.end(body);
    });
  });
  return listenForBench(server, port, host).then((boundPort) => ({ server, agent, port: boundPort }));
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      upstream: { type: 'string' },
      model: { type: 'string', default: 'bench/fake-model' },
      workers: { type: 'string', default: '1' },
    },
  });
  if (values.upstream === undefined) throw new Error('--upstream <base url> is required');
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new Error(`--workers must be an integer 1..64, got "${values.workers}"`);
  }
  const port = Number(values.port);
  if (workers > 1 && port === 0) throw new Error('--workers needs a fixed --port');
  if (workers > 1 && cluster.isPrimary) {
    let listening = 0;
    for (let index = 0; index < workers; index += 1) {
      cluster.fork().on('listening', () => {
        listening += 1;
        if (listening === workers) process.stdout.write(`${JSON.stringify({ ready: true, port })}\n`);
      });
    }
    const stop = () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    return;
  }
  const started = await startBareProxy({
    host: values.host,
    port,
    upstream: values.upstream,
    model: values.model,
  });
  if (workers === 1) process.stdout.write(`${JSON.stringify({ ready: true, port: started.port })}\n`);
  const stop = () => {
    started.server.close();
    started.server.closeAllConnections();
    started.agent.destroy();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    process.stderr.write(`bare-proxy: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}

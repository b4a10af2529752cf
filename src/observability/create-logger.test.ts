import { describe, expect, it } from 'vitest';
import { RouterError } from '../core/errors.js';
import { generateApiKey } from '../store/api-key.js';
import {
  collectSecrets,
  createLogger,
  createMemoryDestination,
  redactedText,
  redactSecrets,
  withRequestId,
} from './create-logger.js';

const gatewayKey = generateApiKey().key;
const upstreamKey = 'sk-or-v1-0123456789abcdef0123456789abcdef';
const anthropicKey = 'sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const googleKey = `AIza${'B'.repeat(35)}`;
const masterKey = 'correct-horse-battery-staple';
const localSecret = 'local-model-token-42';

function parsedLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`log line is not JSON: ${line}`);
      }
    });
}

describe('createLogger', () => {
  it('never writes a known key, whatever shape it is logged in', () => {
    const destination = createMemoryDestination();
    const logger = createLogger({ destination, secrets: [masterKey, localSecret], level: 'debug' });
    const request = withRequestId(logger, 'gen-123');
    request.info(
      {
        headers: {
          authorization: `Bearer ${gatewayKey}`,
          'x-api-key': anthropicKey,
          'x-goog-api-key': googleKey,
          'content-type': 'application/json',
        },
        request: { headers: { authorization: `Bearer ${masterKey}` } },
        upstream: { config: { apiKey: upstreamKey } },
        masterKey,
        note: `forwarding with ${localSecret} and ${gatewayKey}`,
        list: [gatewayKey, { nested: `key=${upstreamKey}` }],
      },
      'request from %s',
      gatewayKey,
    );
    request.warn(`upstream refused key ${upstreamKey}`);
    request.error(
      { err: new RouterError('upstream_unauthorized', `401 for ${anthropicKey}`, { cause: googleKey }) },
      'upstream failed',
    );
    request.error(new Error(`master ${masterKey} rejected`));
    request.debug({ error: new Error(`boom ${localSecret}`) }, 'debug');
    const text = destination.text();
    for (const secret of [gatewayKey, upstreamKey, anthropicKey, googleKey, masterKey, localSecret]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain(redactedText);
    const lines = parsedLines(text);
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line.request_id).toBe('gen-123');
    const first = lines[0] as { headers: Record<string, string>; msg: string; note: string };
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers.authorization).toBe(redactedText);
    expect(first.msg).toBe(`request from ${redactedText}`);
    expect(first.note).toBe(`forwarding with ${redactedText} and ${redactedText}`);
    const errorLine = lines[2] as { err: { message: string; type: string } };
    expect(errorLine.err.type).toBe('RouterError');
    expect(errorLine.err.message).toBe(`401 for ${redactedText}`);
  });

  it('does not change the objects it is given', () => {
    const destination = createMemoryDestination();
    const logger = createLogger({ destination, secrets: [masterKey] });
    const fields = { headers: { authorization: `Bearer ${gatewayKey}` }, note: masterKey };
    logger.info(fields, 'hello');
    expect(fields).toEqual({ headers: { authorization: `Bearer ${gatewayKey}` }, note: masterKey });
  });

  it('writes one JSON object per line with level, time and name', () => {
    const destination = createMemoryDestination();
    const logger = createLogger({ destination, name: 'pareto-router', level: 'warn' });
    logger.info('hidden');
    logger.warn({ model: 'qwen/qwen3-coder' }, 'slow upstream');
    const [line] = parsedLines(destination.text());
    expect(line).toMatchObject({
      level: 40,
      name: 'pareto-router',
      model: 'qwen/qwen3-coder',
      msg: 'slow upstream',
    });
    expect(typeof line?.time).toBe('number');
    expect(destination.lines()).toHaveLength(1);
  });
});

describe('redactSecrets', () => {
  it('replaces configured secrets and key-shaped tokens, and leaves the rest', () => {
    expect(redactSecrets(`a ${masterKey} b`, [masterKey])).toBe(`a ${redactedText} b`);
    expect(redactSecrets(`Authorization: Bearer abc.def-ghi`, [])).toBe(
      `Authorization: Bearer ${redactedText}`,
    );
    expect(redactSecrets(`key ${gatewayKey}.`, [])).toBe(`key ${redactedText}.`);
    expect(redactSecrets(`${upstreamKey} ${googleKey}`, [])).toBe(`${redactedText} ${redactedText}`);
    expect(redactSecrets('model anthropic/claude-sonnet-4.5 took 2.1s', [masterKey])).toBe(
      'model anthropic/claude-sonnet-4.5 took 2.1s',
    );
  });

  it('ignores secrets too short to scrub safely', () => {
    expect(redactSecrets('status true', ['true'])).toBe('status true');
  });
});

describe('collectSecrets', () => {
  it('gathers key, token, secret and password variables and the database password', () => {
    const secrets = collectSecrets({
      OPENROUTER_API_KEY: upstreamKey,
      PARETO_ROUTER_MASTER_KEY: masterKey,
      GITHUB_TOKEN: 'ghp_0123456789abcdef',
      SHORT_KEY: 'abc',
      PATH: '/usr/bin:/bin',
      DATABASE_URL: 'postgres://router:s3cr%40t-passw0rd@127.0.0.1:5432/router',
      REDIS_URL: 'redis://default:r3dis-passw0rd@10.0.0.5:6379/0',
    });
    expect(secrets.sort()).toEqual(
      [masterKey, 'ghp_0123456789abcdef', 's3cr@t-passw0rd', 'r3dis-passw0rd', upstreamKey].sort(),
    );
  });

  it('logs an error with its message and code, whether an Error or a plain { code, message } value', () => {
    const destination = createMemoryDestination();
    const logger = createLogger({ destination, secrets: [masterKey] });
    logger.warn({ error: new RouterError('upstream_server_error', `upstream said ${masterKey}`) }, 'one');
    logger.warn({ error: { code: 'invalid_request', message: 'bad' } }, 'two');
    logger.warn({ error: 'invalid_request' }, 'three');
    const [one, two, three] = parsedLines(destination.text()) as { error: any }[];
    expect(one?.error).toMatchObject({
      code: 'upstream_server_error',
      message: `upstream said ${redactedText}`,
    });
    expect(two?.error).toEqual({ code: 'invalid_request', message: 'bad' });
    expect(three?.error).toBe('invalid_request');
  });
});

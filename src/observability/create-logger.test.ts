import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { RouterError } from '../core/errors.js';
import { generateApiKey } from '../store/api-key.js';
import {
  collectSecrets,
  createLogger,
  createMemoryDestination,
  logInfoLine,
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

  it('scrubs what a test of each key shape in turn scrubs', () => {
    // The shapes one by one, as redactSecrets applied them before one combined test let clean text
    // through at once.
    const shapes = [
      /\bpr-[A-Za-z0-9_-]{43}/g,
      /\bsk-[A-Za-z0-9_-]{16,}/g,
      /\bAIza[0-9A-Za-z_-]{35}/g,
      /(\bBearer\s+)[^\s"',;]+/gi,
    ];
    const oneByOne = (text: string) =>
      shapes.reduce(
        (result, shape) =>
          result.replace(shape, (match, bearer: unknown) =>
            typeof bearer === 'string' && match.startsWith(bearer)
              ? `${bearer}${redactedText}`
              : redactedText,
          ),
        text,
      );
    const fragment = fc.oneof(
      fc.constantFrom(
        'pr-',
        'PR-',
        'sk-',
        'Sk-',
        'AIza',
        'aiza',
        'Bearer',
        'BEARER',
        ' ',
        '\t',
        '-',
        '_',
        ',',
        '"',
      ),
      fc.string({ unit: fc.constantFrom('a', 'Z', '0', '_', '-'), minLength: 14, maxLength: 45 }),
      fc.constantFrom(gatewayKey, upstreamKey, googleKey, anthropicKey),
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 8 }), (parts) => {
        const text = parts.join('');
        expect(redactSecrets(text, [])).toBe(oneByOne(text));
      }),
      { numRuns: 3000 },
    );
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

describe('logInfoLine', () => {
  const secrets = [upstreamKey, masterKey];
  const pair = () => {
    const fast = createMemoryDestination();
    const pinoPath = createMemoryDestination();
    return {
      fast,
      pinoPath,
      fastLogger: createLogger({ destination: fast, secrets, name: 'pareto-router' }),
      pinoLogger: createLogger({ destination: pinoPath, secrets, name: 'pareto-router' }),
    };
  };
  const withoutTime = (text: string) => text.replace(/"time":\d+/g, '"time":0');
  const text = fc.oneof(
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', 'é', '😀', 'a') }),
    fc.constantFrom(
      upstreamKey,
      `Bearer ${masterKey}`,
      `key ${googleKey} here`,
      anthropicKey,
      'a'.repeat(150),
    ),
  );
  const value = fc.oneof(
    text,
    fc.double(),
    fc.integer(),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(text, { maxLength: 3 }),
  );
  const fields = fc.dictionary(
    fc.constantFrom('request_id', 'model', 'status', 'api_key', 'Token', 'warnings', 'x"y', 'é'),
    value,
  );

  it('writes the text logger.info writes, scrubbed the same way', () => {
    fc.assert(
      fc.property(fields, text, fc.option(text, { nil: undefined }), (line, message, requestId) => {
        const { fast, pinoPath, fastLogger, pinoLogger } = pair();
        const [fastTarget, pinoTarget] =
          requestId === undefined
            ? [fastLogger, pinoLogger]
            : [withRequestId(fastLogger, requestId), withRequestId(pinoLogger, requestId)];
        logInfoLine(fastTarget, line, message);
        pinoTarget.info(line, message);
        expect(withoutTime(fast.text())).toBe(withoutTime(pinoPath.text()));
      }),
      { numRuns: 500 },
    );
  });

  it('writes nothing below its level, and falls back to logger.info for a logger made elsewhere', () => {
    const quiet = createMemoryDestination();
    logInfoLine(createLogger({ destination: quiet, level: 'warn' }), { a: 1 }, 'request');
    expect(quiet.text()).toBe('');
    const plain = createMemoryDestination();
    logInfoLine(pino({ base: null, timestamp: false }, plain), { a: 'x' }, 'request');
    expect(parsedLines(plain.text())).toEqual([{ level: 30, a: 'x', msg: 'request' }]);
  });
});

/**
 * Structured JSON logs (pino) with a request id on every line of a request, and secrets kept out:
 * known secret fields are censored by path, and every string logged (message, fields, errors) is
 * scrubbed of the configured secrets and of anything shaped like an API key.
 */
import { Writable } from 'node:stream';
import pino, { type DestinationStream, type Level, type Logger, stdSerializers } from 'pino';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  level?: Level | 'silent';
  /** Where lines go; standard output when omitted. */
  destination?: DestinationStream;
  /** Exact values to scrub from every string (upstream keys, the master key, a database password). */
  secrets?: readonly string[];
  /** The `name` field of every line. */
  name?: string;
}

/** What redacted values are replaced with. */
export const redactedText = '[redacted]';

const secretHeaders = [
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'x-goog-api-key',
  'api-key',
  'cookie',
  'set-cookie',
];
const secretFields = [
  'apiKey',
  'api_key',
  'masterKey',
  'master_key',
  'password',
  'secret',
  'token',
  'accessToken',
  'access_token',
];

/**
 * Field names whose values are censored wherever they appear (any depth up to `maxScrubDepth`), compared
 * in lower case. A name test per key costs far less than pino's wildcard redaction paths, which made a
 * log line fifteen times dearer.
 */
const secretNames: ReadonlySet<string> = new Set(
  [...secretHeaders, ...secretFields].map((name) => name.toLowerCase()),
);

/**
 * API-key shapes scrubbed from free text even when not configured: this router's keys, `sk-` keys
 * (OpenAI, OpenRouter, Anthropic), Google keys, and whatever follows `Bearer`.
 */
const keyPatterns: readonly RegExp[] = [
  /\bpr-[A-Za-z0-9_-]{43}/g,
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  /\bAIza[0-9A-Za-z_-]{35}/g,
  /(\bBearer\s+)[^\s"',;]+/gi,
];

/**
 * Matches wherever one of `keyPatterns` matches (and in a few more places: it ignores case throughout), so
 * one test of it clears most strings, instead of one test per pattern.
 */
const anyKeyPattern = new RegExp(keyPatterns.map((pattern) => pattern.source).join('|'), 'i');

/** Shorter configured secrets are ignored: scrubbing `true` or `1234` from every line would hide more than it protects. */
export const minSecretLength = 8;

/** Deeper values are logged as they are; log lines are small objects. */
const maxScrubDepth = 8;

/** Creates the router's logger. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const secrets = usableSecrets(options.secrets ?? []);
  const scrub = (text: string): string => redactSecrets(text, secrets);
  // `error` also names plain values in log lines (`{ code, message }`); only an Error goes through
  // pino's error serializer, which would spread a string into `{"0": "i", "1": "n", ...}`.
  const scrubError = (error: unknown) =>
    error instanceof Error
      ? scrubValue({ ...stdSerializers.err(error) }, scrub, 0)
      : scrubValue(error, scrub, 0);
  const loggerOptions: pino.LoggerOptions = {
    level: options.level ?? 'info',
    serializers: { err: scrubError, error: scrubError },
    formatters: {
      log: (object) => scrubValue(object, scrub, 0) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const [first, second] = args;
        if (first instanceof Error && typeof second !== 'string') {
          // pino would take the message from the error itself, past this hook.
          method.call(this, first, scrub(first.message));
          return;
        }
        const scrubbed = args.map((argument) => (typeof argument === 'string' ? scrub(argument) : argument));
        method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
  };
  if (options.name !== undefined) loggerOptions.name = options.name;
  const logger =
    options.destination === undefined ? pino(loggerOptions) : pino(loggerOptions, options.destination);
  // Child loggers inherit it (pino makes a child with Object.create), with their own bindings.
  (logger as unknown as Record<symbol, unknown>)[lineScrubKey] = scrub;
  return logger;
}

/** Where `createLogger` leaves its scrubbing for `logInfoLine`. */
const lineScrubKey = Symbol('pareto-router.lineScrub');

/** The values `logInfoLine` writes itself: flat fields; `undefined` leaves the field out, as pino does. */
export type LineValue = string | number | boolean | null | undefined | readonly string[];

/** A string needs JSON's escaping (or is not well-formed UTF-16) when it holds one of these. */
const needsEscape = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * Logs `fields` and `msg` at info level: the same line `logger.info(fields, msg)` writes, with the same
 * scrubbing, built directly instead of through pino's serialiser, which walks any object. The per-request
 * line is written once per call, and this way costs about half of what pino's own path costs
 * (bench/README.md, "The request log's hand-off"). A logger not made by `createLogger`, a level below
 * info, or a destination that wants pino's metadata gets `logger.info` itself.
 */
export function logInfoLine(logger: Logger, fields: Readonly<Record<string, LineValue>>, msg: string): void {
  const internals = logger as unknown as Record<symbol, unknown>;
  const scrub = internals[lineScrubKey] as ((text: string) => string) | undefined;
  const stream = internals[pino.symbols.streamSym] as DestinationStream & Record<symbol, unknown>;
  if (
    scrub === undefined ||
    !logger.isLevelEnabled('info') ||
    stream[pino.symbols.needsMetadataGsym] === true
  ) {
    logger.info(fields, msg);
    return;
  }
  const levelText = (internals[pino.symbols.lsCacheSym] as Record<number, string>)[
    pino.levels.values.info ?? 30
  ];
  const time = (internals[pino.symbols.timeSym] as () => string)();
  let line = `${levelText}${time}${internals[pino.symbols.chindingsSym] as string}`;
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined) continue;
    const field = lineFieldOf(key);
    line += `${field.prefix}${field.secret && value !== null ? `"${redactedText}"` : lineValueJson(value, scrub)}`;
  }
  const messageKey = internals[pino.symbols.messageKeySym] as string;
  line += `,${jsonString(messageKey)}:${jsonString(scrub(msg))}${internals[pino.symbols.endSym] as string}`;
  stream.write(line);
}

/** A field's `,"name":` and whether its value is censored, by name: a line's names repeat on every line. */
const lineFields = new Map<string, { prefix: string; secret: boolean }>();
const maxLineFields = 256;

function lineFieldOf(key: string): { prefix: string; secret: boolean } {
  let field = lineFields.get(key);
  if (field === undefined) {
    field = { prefix: `,${jsonString(key)}:`, secret: secretNames.has(key.toLowerCase()) };
    if (lineFields.size < maxLineFields) lineFields.set(key, field);
  }
  return field;
}

function lineValueJson(value: Exclude<LineValue, undefined>, scrub: (text: string) => string): string {
  if (typeof value === 'string') return jsonString(scrub(value));
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value.map(scrub));
}

function jsonString(text: string): string {
  return needsEscape.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** A child logger whose every line carries `request_id`. */
export function withRequestId(logger: Logger, requestId: string): Logger {
  return logger.child({ request_id: requestId });
}

/** `text` with every configured secret and every API-key-shaped token replaced by `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= minSecretLength && result.includes(secret))
      result = result.split(secret).join(redactedText);
  }
  if (!anyKeyPattern.test(result)) return result;
  for (const pattern of keyPatterns) {
    pattern.lastIndex = 0;
    if (!pattern.test(result)) continue;
    pattern.lastIndex = 0;
    result = result.replace(pattern, (match, bearer: unknown) =>
      typeof bearer === 'string' && match.startsWith(bearer) ? `${bearer}${redactedText}` : redactedText,
    );
  }
  return result;
}

/**
 * The secrets among environment variables: values of `*_API_KEY`, `*_KEY`, `*_TOKEN`, `*_SECRET` and
 * `*_PASSWORD` variables, and the passwords in `DATABASE_URL` and `REDIS_URL`.
 */
export function collectSecrets(environment: Readonly<Record<string, string | undefined>>): string[] {
  const secrets = new Set<string>();
  for (const [name, value] of Object.entries(environment)) {
    if (value === undefined || value.length < minSecretLength) continue;
    if (/(?:_KEY|_TOKEN|_SECRET|_PASSWORD)$/i.test(name)) secrets.add(value);
  }
  for (const url of [environment.DATABASE_URL, environment.REDIS_URL]) {
    if (url === undefined) continue;
    try {
      const password = decodeURIComponent(new URL(url).password);
      if (password.length > 0) secrets.add(password);
    } catch {
      // Not a URL: nothing to extract; the store or the Redis link reports the bad setting itself.
    }
  }
  return [...secrets];
}

/** A stream that keeps what is written, for tests and for capturing a command's log. */
export function createMemoryDestination(): DestinationStream & { lines(): string[]; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      callback();
    },
  });
  return Object.assign(stream, {
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.length > 0),
  });
}

function usableSecrets(secrets: readonly string[]): string[] {
  // Longest first, so a secret that contains another is replaced whole.
  return [...new Set(secrets.filter((secret) => secret.length >= minSecretLength))].sort(
    (left, right) => right.length - left.length,
  );
}

function scrubValue(value: unknown, scrub: (text: string) => string, depth: number): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth >= maxScrubDepth || typeof value !== 'object' || value === null) return value;
  // Errors are left to the `err`/`error` serializers, which run after this and scrub what they render.
  if (value instanceof Error) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    value.forEach((item, index) => {
      const scrubbed = scrubValue(item, scrub, depth + 1);
      if (scrubbed !== item) {
        copy ??= [...value];
        copy[index] = scrubbed;
      }
    });
    return copy ?? value;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  // Copy on write: the caller's object is never changed.
  let copy: Record<string, unknown> | null = null;
  for (const [key, item] of Object.entries(value)) {
    const scrubbed =
      secretNames.has(key.toLowerCase()) && item !== undefined && item !== null
        ? redactedText
        : scrubValue(item, scrub, depth + 1);
    if (scrubbed !== item) {
      copy ??= { ...(value as Record<string, unknown>) };
      copy[key] = scrubbed;
    }
  }
  return copy ?? value;
}

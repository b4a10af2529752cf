/**
 * The admin API: create, list, read, update and revoke gateway keys, guarded by the master key
 * (`PARETO_ROUTER_MASTER_KEY`). Every answer is JSON; every failure is the OpenRouter error envelope.
 *
 *   POST   /api/v1/keys       create; the full key is in this response and nowhere else, ever
 *   GET    /api/v1/keys       list (oldest first)
 *   GET    /api/v1/keys/:id   one key, with its spend
 *   PATCH  /api/v1/keys/:id   change settings (null clears a limit)
 *   DELETE /api/v1/keys/:id   revoke (the record stays, so its spend stays in the log)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyAuthenticator } from '../auth/authenticate-request.js';
import { assertMasterKey } from '../auth/authenticate-request.js';
import type { KeyBudgetLedger } from '../auth/budget-ledger.js';
import { RouterError } from '../core/errors.js';
import { readJsonBody } from '../server/read-json-body.js';
import { sendError } from '../server/send-error.js';
import { type ApiKeyRecord, createApiKeyRecord } from '../store/api-key.js';
import type { RequestStore } from '../store/request-store.js';
import { parseKeyCreation, parseKeyPatch } from './parse-key-settings.js';
import { renderKeyRecord, renderKeySpend } from './render-key-info.js';

export interface AdminContext {
  store: RequestStore;
  authenticator: Pick<KeyAuthenticator, 'invalidate'>;
  ledger: KeyBudgetLedger;
  masterKey: string | undefined;
  now: () => number;
}

const keysPath = '/api/v1/keys';
/** Two model lists of 1000 entries of up to 512 characters fit with room to spare. */
export const maxAdminBodyBytes = 2 * 1024 * 1024;
const maxShownIdLength = 64;

/**
 * Answers an admin request and returns true, or returns false without touching the response when
 * `path` is not an admin path.
 */
export async function handleAdminRequest(
  context: AdminContext,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  method: string,
): Promise<boolean> {
  const route = matchAdminRoute(path);
  if (route === null) return false;
  try {
    assertMasterKey(request.headers.authorization, context.masterKey);
    if (route.id === undefined) {
      switch (method) {
        case 'GET':
          return sendJson(response, 200, { data: (await context.store.listKeys()).map(renderKeyRecord) });
        case 'POST':
          return await createKey(context, request, response);
        default:
          throw methodNotAllowed(method, path, ['GET', 'POST']);
      }
    }
    switch (method) {
      case 'GET':
        return await readKey(context, response, route.id);
      case 'PATCH':
        return await updateKey(context, request, response, route.id);
      case 'DELETE':
        return await revokeKey(context, response, route.id);
      default:
        throw methodNotAllowed(method, path, ['GET', 'PATCH', 'DELETE']);
    }
  } catch (error) {
    // Admin bodies are read only after the route and the master key are checked; an unread body on an
    // early error is drained by closing the connection.
    if (error instanceof RouterError && error.status === 405) {
      response.setHeader('allow', String(error.metadata?.allow ?? ''));
    }
    if (!request.complete) response.setHeader('connection', 'close');
    sendError(response, error);
    return true;
  }
}

/** The key id of an admin path (`{}` for the collection), or null when the path is not an admin path. */
export function matchAdminRoute(path: string): { id?: string } | null {
  const query = path.indexOf('?');
  const pathname = (query === -1 ? path : path.slice(0, query)).replace(/\/+$/, '');
  if (pathname === keysPath) return {};
  if (!pathname.startsWith(`${keysPath}/`)) return null;
  return { id: pathname.slice(keysPath.length + 1) };
}

async function createKey(context: AdminContext, request: IncomingMessage, response: ServerResponse) {
  const settings = parseKeyCreation(await readJsonBody(request, maxAdminBodyBytes));
  const { key, record } = createApiKeyRecord(settings, context.now());
  await context.store.createKey(record);
  // Also ends open mode at once: from now on every request needs a key.
  context.authenticator.invalidate(record.id);
  return sendJson(response, 201, { data: renderKeyRecord(record), key });
}

async function readKey(context: AdminContext, response: ServerResponse, id: string) {
  const record = await findKey(context, id);
  const spend = await context.ledger.spend(record, context.now());
  return sendJson(response, 200, { data: { ...renderKeyRecord(record), usage: renderKeySpend(spend) } });
}

async function updateKey(
  context: AdminContext,
  request: IncomingMessage,
  response: ServerResponse,
  id: string,
) {
  await findKey(context, id);
  const patch = parseKeyPatch(await readJsonBody(request, maxAdminBodyBytes));
  const updated = await context.store.updateKey(id, patch);
  if (updated === null) throw unknownKey(id);
  context.authenticator.invalidate(id);
  return sendJson(response, 200, { data: renderKeyRecord(updated) });
}

async function revokeKey(context: AdminContext, response: ServerResponse, id: string) {
  if (!(await context.store.revokeKey(id, context.now()))) throw unknownKey(id);
  context.authenticator.invalidate(id);
  const record = await findKey(context, id);
  return sendJson(response, 200, { data: renderKeyRecord(record) });
}

async function findKey(context: AdminContext, id: string): Promise<ApiKeyRecord> {
  const record = await context.store.getKey(id);
  if (record === null) throw unknownKey(id);
  return record;
}

function unknownKey(id: string): RouterError {
  const shown = id.length > maxShownIdLength ? `${id.slice(0, maxShownIdLength)}...` : id;
  return new RouterError('not_found', `no key with id ${JSON.stringify(shown)}`, {
    metadata: { key_id: shown },
  });
}

function methodNotAllowed(method: string, path: string, allowed: readonly string[]): RouterError {
  return new RouterError(
    'invalid_request',
    `${method} is not supported on ${path}; use ${allowed.join(' or ')}`,
    { status: 405, metadata: { allow: allowed.join(', ') } },
  );
}

function sendJson(response: ServerResponse, status: number, body: unknown): true {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    // The create response holds a secret; no cache anywhere should keep any admin answer.
    'cache-control': 'no-store',
  });
  response.end(payload);
  return true;
}

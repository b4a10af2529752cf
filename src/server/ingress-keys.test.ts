/**
 * Gateway keys on every ingress: each protocol's clients put the key where their SDK does
 * (`Authorization: Bearer`, Anthropic's `x-api-key`, Gemini's `x-goog-api-key` or `?key=`), and a call
 * without one gets a 401 in its own protocol's envelope.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, startGateway } from './test-support/gateway-fixture.js';
import { geminiClient, messagesClient, postJson, responsesClient } from './test-support/ingress-clients.js';

const masterKey = 'master-key-for-ingress-tests-0123456789';
let gateway: GatewayFixture;
let key: string;

beforeAll(async () => {
  gateway = await startGateway({ masterKey });
  const created = await fetch(`${gateway.url}/api/v1/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'agents' }),
  });
  key = ((await created.json()) as { key: string }).key;
});
afterAll(async () => {
  await gateway.close();
});

describe('gateway keys on every ingress', () => {
  it.each([
    ['Messages, x-api-key', messagesClient, () => ({ 'x-api-key': key }), ''],
    ['Messages, Authorization: Bearer', messagesClient, () => ({ authorization: `Bearer ${key}` }), ''],
    ['Responses, Authorization: Bearer', responsesClient, () => ({ authorization: `Bearer ${key}` }), ''],
    ['Gemini, x-goog-api-key', geminiClient, () => ({ 'x-goog-api-key': key }), ''],
    ['Gemini, ?key=', geminiClient, () => ({}), 'key'],
  ] as const)(
    'accepts the key as %s, and refuses a call without it in the protocol’s envelope',
    async (_label, client, headers, queryKey) => {
      const call = client.call('lab/alpha', 'Write an add function.', false);
      const separator = call.path.includes('?') ? '&' : '?';
      const path = queryKey === '' ? call.path : `${call.path}${separator}key=${encodeURIComponent(key)}`;
      const accepted = await postJson(gateway.url, path, call.body, headers());
      expect(accepted.status, accepted.text).toBe(200);
      const refused = await postJson(gateway.url, call.path, call.body);
      expect(refused.status).toBe(401);
      expect(client.isEnvelope(refused.json), refused.text).toBe(true);
      const wrong = await postJson(gateway.url, call.path, call.body, {
        'x-api-key': `pr-${'x'.repeat(43)}`,
      });
      expect(wrong.status).toBe(401);
    },
  );
});

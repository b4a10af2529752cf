/**
 * One non-streamed `openrouter/pareto-code` call with a gateway key, as the process-level budget and
 * rate-limit tests make it: the output cap is the 2,000 tokens the fake upstream reports, so a call's
 * worst case and its real cost agree on the output side.
 */

export interface KeyedCallResult {
  status: number;
  model: string | undefined;
  cost: number;
  message: string;
  metadata: Record<string, unknown> | undefined;
  retryAfter: string | null;
}

/** Posts one call to `url` (the router's base URL) with `key`; `extra` adds or replaces body fields. */
export async function callWithKey(
  url: string,
  key: string,
  extra: Record<string, unknown> = {},
): Promise<KeyedCallResult> {
  const response = await fetch(`${url}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({
      model: 'openrouter/pareto-code',
      max_tokens: 2_000,
      messages: [{ role: 'user', content: 'Write a function that adds two numbers.' }],
      ...extra,
    }),
  });
  const json = (await response.json()) as {
    model?: string;
    usage?: { cost?: number };
    error?: { message?: string; metadata?: Record<string, unknown> };
  };
  return {
    status: response.status,
    model: json.model,
    cost: json.usage?.cost ?? 0,
    message: json.error?.message ?? '',
    metadata: json.error?.metadata,
    retryAfter: response.headers.get('retry-after'),
  };
}

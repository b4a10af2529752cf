/**
 * The admin API's key bodies: snake_case JSON in, validated `ApiKeyPatch` out. Types and unknown fields
 * are checked here; ranges (negative or absurd limits, scores outside 0..1, oversized lists) by
 * `validateApiKeySettings`, the same rules every store applies, with the field named as the caller sent it.
 */
import { z } from 'zod';
import { isRouterError, RouterError } from '../core/errors.js';
import { type ApiKeyPatch, type ApiKeySettings, validateApiKeySettings } from '../store/api-key.js';

/** Body field to settings field. */
export const keySettingFieldNames = {
  name: 'name',
  default_min_coding_score: 'defaultMinCodingScore',
  prevent_overrides: 'preventOverrides',
  allowed_models: 'allowedModels',
  excluded_models: 'excludedModels',
  limit_daily_usd: 'limitDailyUsd',
  limit_monthly_usd: 'limitMonthlyUsd',
  limit_total_usd: 'limitTotalUsd',
  rate_limit_per_minute: 'rateLimitPerMinute',
} as const satisfies Record<string, keyof ApiKeySettings>;

type BodyField = keyof typeof keySettingFieldNames;

const bodyFields = Object.keys(keySettingFieldNames) as BodyField[];
const bodyFieldBySetting = new Map<string, BodyField>(
  bodyFields.map((field) => [keySettingFieldNames[field], field]),
);

const nullableNumber = z.number().nullable();
const modelList = z.array(z.string());

const patchSchema = z.strictObject({
  name: z.string().optional(),
  default_min_coding_score: nullableNumber.optional(),
  prevent_overrides: z.boolean().optional(),
  allowed_models: modelList.optional(),
  excluded_models: modelList.optional(),
  limit_daily_usd: nullableNumber.optional(),
  limit_monthly_usd: nullableNumber.optional(),
  limit_total_usd: nullableNumber.optional(),
  rate_limit_per_minute: nullableNumber.optional(),
});

/** The settings of a new key (`POST /api/v1/keys`); `name` is required. Throws a 400 RouterError. */
export function parseKeyCreation(body: unknown): Pick<ApiKeySettings, 'name'> & ApiKeyPatch {
  const patch = parseKeyPatch(body, { requireName: true });
  const { name } = patch;
  if (name === undefined) throw invalid('name', 'is required');
  return { ...patch, name };
}

/** The changes of `PATCH /api/v1/keys/:id`; at least one field. Throws a 400 RouterError. */
export function parseKeyPatch(body: unknown, options: { requireName?: boolean } = {}): ApiKeyPatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RouterError('invalid_request', 'the request body must be a JSON object');
  }
  const parsed = patchSchema.safeParse(body);
  if (!parsed.success) throw describeIssue(parsed.error.issues[0], body as Record<string, unknown>);
  const patch: ApiKeyPatch = {};
  for (const field of bodyFields) {
    const value = parsed.data[field];
    if (value !== undefined) Object.assign(patch, { [keySettingFieldNames[field]]: value });
  }
  if (!options.requireName && Object.keys(patch).length === 0) {
    throw new RouterError(
      'invalid_request',
      `the body changes nothing; send at least one of ${bodyFields.join(', ')}`,
    );
  }
  try {
    validateApiKeySettings(patch);
  } catch (error) {
    throw renameField(error);
  }
  return patch;
}

function describeIssue(issue: z.core.$ZodIssue | undefined, body: Record<string, unknown>): RouterError {
  if (issue === undefined) return new RouterError('invalid_request', 'the request body is invalid');
  if (issue.code === 'unrecognized_keys') {
    const [first] = issue.keys;
    return new RouterError(
      'invalid_request',
      `unknown field ${JSON.stringify(first)}; expected one of ${bodyFields.join(', ')}`,
      { metadata: { field: first } },
    );
  }
  const [head, ...rest] = issue.path;
  const field = String(head);
  const where = `${field}${rest.map((part) => `[${String(part)}]`).join('')}`;
  const received = rest.length === 0 ? body[field] : undefined;
  return invalid(
    where,
    `is invalid: ${issue.message}${received === undefined ? '' : `, got ${show(received)}`}`,
  );
}

function renameField(error: unknown): unknown {
  if (!isRouterError(error)) return error;
  const setting = error.metadata?.field;
  const field = typeof setting === 'string' ? bodyFieldBySetting.get(setting) : undefined;
  if (field === undefined || typeof setting !== 'string' || !error.message.startsWith(setting)) return error;
  return new RouterError('invalid_request', `${field}${error.message.slice(setting.length)}`, {
    metadata: { field },
    cause: error,
  });
}

function invalid(field: string, problem: string): RouterError {
  return new RouterError('invalid_request', `${field} ${problem}`, { metadata: { field } });
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

/**
 * Keys as the HTTP API shows them: the admin view of a record (never its hash), and `GET /api/v1/key`
 * in OpenRouter's shape, so clients that check a key's limit and usage work unchanged.
 */
import type { KeyContext } from '../auth/authenticate-request.js';
import type { KeyBudgetLedger, KeySpend } from '../auth/budget-ledger.js';
import type { ApiKeyRecord } from '../store/api-key.js';

/** The admin API's view of a key: every setting, no hash, times as ISO 8601. */
export function renderKeyRecord(record: ApiKeyRecord) {
  return {
    id: record.id,
    name: record.name,
    label: keyLabel(record),
    prefix: record.prefix,
    default_min_coding_score: record.defaultMinCodingScore,
    prevent_overrides: record.preventOverrides,
    allowed_models: [...record.allowedModels],
    excluded_models: [...record.excludedModels],
    limit_daily_usd: record.limitDailyUsd,
    limit_monthly_usd: record.limitMonthlyUsd,
    limit_total_usd: record.limitTotalUsd,
    rate_limit_per_minute: record.rateLimitPerMinute,
    created_at: new Date(record.createdAt).toISOString(),
    revoked_at: record.revokedAt === null ? null : new Date(record.revokedAt).toISOString(),
    disabled: record.revokedAt !== null,
  };
}

/** A key's spend as the admin API shows it. */
export function renderKeySpend(spend: KeySpend) {
  return {
    daily_usd: spend.dailyUsd,
    weekly_usd: spend.weeklyUsd,
    monthly_usd: spend.monthlyUsd,
    total_usd: spend.totalUsd,
    reserved_usd: spend.reservedUsd,
  };
}

/** What a key shows instead of its secret: `pr-` and the stored display prefix. */
export function keyLabel(record: Pick<ApiKeyRecord, 'prefix'>): string {
  return `pr-${record.prefix}...`;
}

interface BindingLimit {
  limit: number;
  remaining: number;
  reset: 'daily' | 'monthly' | null;
}

const openModeSpend: KeySpend = { dailyUsd: 0, weeklyUsd: 0, monthlyUsd: 0, totalUsd: 0, reservedUsd: 0 };

/**
 * The body of `GET /api/v1/key`. OpenRouter keys have one limit with a reset period; a key here may
 * have a daily, a monthly and a total limit, so `limit` is the one with the least left (the one that
 * refuses first), and all three are listed under `pareto_router`. In open mode (no keys configured)
 * there is no key to report: no limit, no usage.
 */
export async function renderKeyInfo(
  context: KeyContext,
  ledger: KeyBudgetLedger,
  now: number,
): Promise<string> {
  const key = context.mode === 'key' ? context.key : null;
  const spend = key === null ? openModeSpend : await ledger.spend(key, now);
  const binding = key === null ? null : bindingLimit(key, spend);
  return JSON.stringify({
    data: {
      label: key === null ? 'open mode (no keys configured)' : keyLabel(key),
      limit: binding?.limit ?? null,
      limit_reset: binding?.reset ?? null,
      limit_remaining: binding === null ? null : Math.max(0, binding.remaining),
      usage: spend.totalUsd,
      usage_daily: spend.dailyUsd,
      usage_weekly: spend.weeklyUsd,
      usage_monthly: spend.monthlyUsd,
      // Upstream keys here are the operator's own, but all spend is counted as usage, none as BYOK.
      byok_usage: 0,
      byok_usage_daily: 0,
      byok_usage_weekly: 0,
      byok_usage_monthly: 0,
      include_byok_in_limit: false,
      is_free_tier: false,
      is_management_key: false,
      is_provisioning_key: false,
      allowed_data_regions: ['global'],
      free_model_daily_requests: { limit: 0, remaining: 0, used: 0 },
      creator_user_id: null,
      organization_id: null,
      workspace_id: null,
      expires_at: null,
      rate_limit: {
        requests: key?.rateLimitPerMinute ?? -1,
        interval: '1m',
        note:
          key?.rateLimitPerMinute === null || key === null
            ? 'no request rate limit on this key'
            : 'requests per minute allowed for this key',
      },
      pareto_router: {
        key_id: key?.id ?? null,
        name: key?.name ?? null,
        limit_daily_usd: key?.limitDailyUsd ?? null,
        limit_monthly_usd: key?.limitMonthlyUsd ?? null,
        limit_total_usd: key?.limitTotalUsd ?? null,
        reserved_usd: spend.reservedUsd,
        default_min_coding_score: key?.defaultMinCodingScore ?? null,
        prevent_overrides: key?.preventOverrides ?? false,
      },
    },
  });
}

function bindingLimit(key: ApiKeyRecord, spend: KeySpend): BindingLimit | null {
  const candidates: BindingLimit[] = [];
  if (key.limitDailyUsd !== null) {
    candidates.push({
      limit: key.limitDailyUsd,
      remaining: key.limitDailyUsd - spend.dailyUsd,
      reset: 'daily',
    });
  }
  if (key.limitMonthlyUsd !== null) {
    candidates.push({
      limit: key.limitMonthlyUsd,
      remaining: key.limitMonthlyUsd - spend.monthlyUsd,
      reset: 'monthly',
    });
  }
  if (key.limitTotalUsd !== null) {
    candidates.push({ limit: key.limitTotalUsd, remaining: key.limitTotalUsd - spend.totalUsd, reset: null });
  }
  let binding: BindingLimit | null = null;
  for (const candidate of candidates) {
    if (binding === null || candidate.remaining < binding.remaining) binding = candidate;
  }
  return binding;
}

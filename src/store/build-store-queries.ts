/**
 * The SQL both engines share. The request queries are plain enough to be one text with engine-specific
 * placeholders (`?` for SQLite, `$1` for PostgreSQL); keeping them here means the two adapters cannot
 * drift apart on filters, ordering or grouping.
 */
import { RouterError } from '../core/errors.js';
import {
  defaultRequestQueryLimit,
  maxRequestQueryLimit,
  noneGroup,
  type PromptTokenRow,
  type RequestQuery,
  type SpendGrouping,
  type SpendRow,
} from './request-store.js';

/** Renders the placeholder for the parameter at `position` (1-based). */
export type Placeholder = (position: number) => string;

export interface BuiltQuery {
  text: string;
  values: unknown[];
}

/** Raw aggregate row, as both engines return it once numbers are numbers. */
export interface SpendAggregateRow {
  group_value: string | number | null;
  requests: number;
  cost_usd: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
}

const dayMs = 86_400_000;

/** The SELECT for `queryRequests`: filters, newest first, limited. */
export function buildRequestQuery(query: RequestQuery, placeholder: Placeholder): BuiltQuery {
  const limit = resolveQueryLimit(query.limit);
  const where = buildWhereClause(query, placeholder);
  const values = [...where.values, limit];
  return {
    text: `SELECT * FROM requests${where.text} ORDER BY created_at DESC, id DESC LIMIT ${placeholder(values.length)}`,
    values,
  };
}

/** The aggregate for `spend`; rows still need `mapSpendRows`. */
export function buildSpendQuery(
  query: { since?: number; until?: number; keyId?: string; by: SpendGrouping },
  placeholder: Placeholder,
): BuiltQuery {
  const where = buildWhereClause(query, placeholder);
  const group = spendGroupExpression(query.by);
  return {
    text:
      `SELECT ${group} AS group_value, COUNT(*) AS requests, COALESCE(SUM(cost_usd), 0) AS cost_usd, ` +
      'COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens, COALESCE(SUM(completion_tokens), 0) AS completion_tokens, ' +
      `COALESCE(SUM(cached_tokens), 0) AS cached_tokens FROM requests${where.text} GROUP BY ${group}`,
    values: where.values,
  };
}

/** Raw row of `promptTokenTotals`, as both engines return it once numbers are numbers. */
export interface PromptTokenAggregateRow {
  model: string;
  requests: number;
  prompt_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
}

/** The aggregate for `promptTokenTotals`: per answering model, requests that sent prompt tokens. */
export function buildPromptTokenQuery(
  query: { since: number; until?: number },
  placeholder: Placeholder,
): BuiltQuery {
  const where = buildWhereClause(query, placeholder);
  const conditions = 'model IS NOT NULL AND prompt_tokens > 0';
  return {
    text:
      'SELECT model, COUNT(*) AS requests, COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens, ' +
      'COALESCE(SUM(cached_tokens), 0) AS cached_tokens, COALESCE(SUM(cache_write_tokens), 0) AS cache_write_tokens ' +
      `FROM requests${where.text === '' ? ` WHERE ${conditions}` : `${where.text} AND ${conditions}`} GROUP BY model ORDER BY model`,
    values: where.values,
  };
}

/** Numbers as numbers (PostgreSQL returns bigint sums as strings). */
export function mapPromptTokenRows(rows: readonly PromptTokenAggregateRow[]): PromptTokenRow[] {
  return rows.map((row) => ({
    model: row.model,
    requests: Number(row.requests),
    promptTokens: Number(row.prompt_tokens),
    cachedTokens: Number(row.cached_tokens),
    cacheWriteTokens: Number(row.cache_write_tokens),
  }));
}

/** The sum for `keySpend`. */
export function buildKeySpendQuery(keyId: string, since: number, placeholder: Placeholder): BuiltQuery {
  checkText('keyId', keyId);
  checkTime('since', since);
  return {
    text: `SELECT COALESCE(SUM(cost_usd), 0) AS cost_usd FROM requests WHERE key_id = ${placeholder(1)} AND created_at >= ${placeholder(2)}`,
    values: [keyId, since],
  };
}

/**
 * Names groups and orders them the same way on every engine: null groups become `noneGroup`, days become
 * UTC dates in date order, other groupings go by cost (highest first) then name.
 */
export function mapSpendRows(rows: readonly SpendAggregateRow[], by: SpendGrouping): SpendRow[] {
  const mapped = rows.map((row) => ({
    group: nameSpendGroup(row.group_value, by),
    requests: Number(row.requests),
    costUsd: Number(row.cost_usd),
    promptTokens: Number(row.prompt_tokens),
    completionTokens: Number(row.completion_tokens),
    cachedTokens: Number(row.cached_tokens),
  }));
  switch (by) {
    case 'day':
      return mapped.sort((left, right) => compareText(left.group, right.group));
    case 'model':
    case 'tier':
    case 'key':
      return mapped.sort(
        (left, right) => right.costUsd - left.costUsd || compareText(left.group, right.group),
      );
    default:
      return assertNever(by);
  }
}

function nameSpendGroup(value: string | number | null, by: SpendGrouping): string {
  if (value === null) return noneGroup;
  switch (by) {
    case 'day':
      return new Date(Number(value) * dayMs).toISOString().slice(0, 10);
    case 'model':
    case 'tier':
    case 'key':
      return String(value);
    default:
      return assertNever(by);
  }
}

function spendGroupExpression(by: SpendGrouping): string {
  switch (by) {
    case 'model':
      return 'model';
    case 'tier':
      return 'tier';
    case 'key':
      return 'key_id';
    case 'day':
      // Integer division on both engines (INTEGER in SQLite, bigint in PostgreSQL): the UTC day number.
      return `(created_at / ${dayMs})`;
    default:
      return assertNever(by);
  }
}

function buildWhereClause(
  filter: { since?: number; until?: number; model?: string; keyId?: string },
  placeholder: Placeholder,
): BuiltQuery {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const add = (condition: (slot: string) => string, value: unknown): void => {
    values.push(value);
    conditions.push(condition(placeholder(values.length)));
  };
  if (filter.since !== undefined) {
    checkTime('since', filter.since);
    add((slot) => `created_at >= ${slot}`, filter.since);
  }
  if (filter.until !== undefined) {
    checkTime('until', filter.until);
    add((slot) => `created_at < ${slot}`, filter.until);
  }
  if (filter.model !== undefined) {
    checkText('model', filter.model);
    add((slot) => `model = ${slot}`, filter.model);
  }
  if (filter.keyId !== undefined) {
    checkText('keyId', filter.keyId);
    add((slot) => `key_id = ${slot}`, filter.keyId);
  }
  return { text: conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`, values };
}

function resolveQueryLimit(limit: number | undefined): number {
  if (limit === undefined) return defaultRequestQueryLimit;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxRequestQueryLimit) {
    throw new RouterError(
      'invalid_request',
      `limit must be a whole number from 1 to ${maxRequestQueryLimit}, got ${String(limit)}`,
    );
  }
  return limit;
}

function checkTime(field: string, value: number): void {
  if (!Number.isSafeInteger(value)) {
    throw new RouterError('invalid_request', `${field} must be epoch milliseconds, got ${String(value)}`);
  }
}

function checkText(field: string, value: string): void {
  if (typeof value !== 'string') {
    throw new RouterError('invalid_request', `${field} must be a string, got ${String(value)}`);
  }
}

function compareText(left: string, right: string): number {
  if (left < right) return -1;
  return left > right ? 1 : 0;
}

function assertNever(value: never): never {
  throw new RouterError('internal', `unexpected spend grouping ${String(value)}`);
}

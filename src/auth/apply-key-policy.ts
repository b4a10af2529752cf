/**
 * A key's defaults and model lists applied to one request. The key's default bar fills in when the
 * request names none (and wins outright with `preventOverrides`); its allowed and excluded lists combine
 * with the request's so that a request can narrow what the key may reach, never widen it.
 */
import { RouterError } from '../core/errors.js';
import { createModelMatcher, type ModelMatcher } from '../core/model-pattern.js';
import type { ApiKeyRecord } from '../store/api-key.js';

export interface RequestedRouting {
  minCodingScore?: number | undefined;
  allowedModels?: string[] | undefined;
  excludedModels?: string[] | undefined;
}

export type ScoreSource = 'request' | 'key' | 'router_default';

export interface EffectiveKeySettings {
  /** The bar to route with; undefined leaves the router's default (the high tier). */
  minCodingScore: number | undefined;
  scoreSource: ScoreSource;
  /** True when the key's `preventOverrides` discarded a bar the request sent. */
  requestScoreIgnored: boolean;
  /** A model must match every list here (the key's, then the request's); empty means no restriction. */
  allowedModelLists: string[][];
  /** The key's exclusions followed by the request's. */
  excludedModels: string[];
  /** For the routing core: true when the model matches every allowed list; undefined when none applies. */
  allowedModels: ModelMatcher | undefined;
  /** For the routing core: true when any exclusion matches; undefined when nothing is excluded. */
  excludedModelsMatcher: ModelMatcher | undefined;
}

/**
 * OpenRouter variant suffixes: `openai/gpt-5:nitro` is the key's `openai/gpt-5` for allow and exclude
 * purposes. Local model ids keep other colons (`qwen2.5-coder:7b`) as part of the id.
 */
const variantSuffixes = ['nitro', 'floor', 'free', 'online', 'thinking', 'extended', 'exacto'];

/**
 * The effective routing settings of a request made with `key`. Throws RouterError `forbidden_model`
 * (403) naming the first concrete model the key may not use.
 */
export function applyKeyPolicy(
  key: ApiKeyRecord,
  requested: RequestedRouting,
  concreteModels: readonly string[],
): EffectiveKeySettings {
  const keyAllows = key.allowedModels.length === 0 ? undefined : createModelMatcher(key.allowedModels);
  const keyExcludes = key.excludedModels.length === 0 ? undefined : createModelMatcher(key.excludedModels);
  for (const model of concreteModels) {
    const ids = idsOf(model);
    if (keyExcludes !== undefined && ids.some(keyExcludes)) {
      throw forbidden(model, `is excluded for key ${key.id}`);
    }
    if (keyAllows !== undefined && !ids.some(keyAllows)) {
      throw forbidden(model, `is not in the allowed models of key ${key.id}`);
    }
  }

  const requestScore = requested.minCodingScore;
  let minCodingScore: number | undefined;
  let scoreSource: ScoreSource;
  if (key.preventOverrides || requestScore === undefined) {
    minCodingScore = key.defaultMinCodingScore ?? undefined;
    scoreSource = minCodingScore === undefined ? 'router_default' : 'key';
  } else {
    minCodingScore = requestScore;
    scoreSource = 'request';
  }

  const allowedModelLists: string[][] = [];
  if (key.allowedModels.length > 0) allowedModelLists.push([...key.allowedModels]);
  if (requested.allowedModels !== undefined && requested.allowedModels.length > 0) {
    allowedModelLists.push([...requested.allowedModels]);
  }
  const excludedModels = [...key.excludedModels];
  for (const model of requested.excludedModels ?? []) {
    if (!excludedModels.includes(model)) excludedModels.push(model);
  }

  return {
    minCodingScore,
    scoreSource,
    requestScoreIgnored: key.preventOverrides && requestScore !== undefined,
    allowedModelLists,
    excludedModels,
    allowedModels: combineAllowed(allowedModelLists),
    excludedModelsMatcher: excludedModels.length === 0 ? undefined : createModelMatcher(excludedModels),
  };
}

function combineAllowed(lists: readonly string[][]): ModelMatcher | undefined {
  if (lists.length === 0) return undefined;
  // Intersecting pattern lists (`anthropic/*` and `*sonnet*`) has no pattern form; matching each in turn does.
  const matchers = lists.map((list) => createModelMatcher(list));
  return (modelId) => matchers.every((matcher) => idsOf(modelId).some(matcher));
}

function idsOf(model: string): string[] {
  const colon = model.lastIndexOf(':');
  if (colon <= 0) return [model];
  const suffix = model.slice(colon + 1).toLowerCase();
  return variantSuffixes.includes(suffix) ? [model, model.slice(0, colon)] : [model];
}

function forbidden(model: string, reason: string): RouterError {
  return new RouterError('forbidden_model', `model ${JSON.stringify(model)} ${reason}`, {
    metadata: { model },
  });
}

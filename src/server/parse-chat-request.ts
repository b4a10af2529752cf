/**
 * Validation of an incoming chat-completions body, and extraction of the router's own settings (the
 * `pareto-router` plugin, the model name, the `provider` object, the session key). Only the fields the
 * router reads are checked; everything else passes through to the upstream untouched.
 */
import { hash } from 'node:crypto';
import { z } from 'zod';
import { type ChatMessage, type ChatRequest, contentText } from '../core/chat-request.js';
import { RouterError } from '../core/errors.js';
import type { ModelMatcher } from '../core/model-pattern.js';
import { parseRouterModel, type RouterModelName } from '../core/router-model.js';
import { scoreForTierAlias } from '../core/tiers.js';
import type { ProviderPreferences } from '../executor/upstream-catalog.js';
import { isValidChatBody, isValidRouterPlugin } from './chat-body-validator.js';

const contentSchema = z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]);

const messageSchema = z.discriminatedUnion('role', [
  z.looseObject({ role: z.enum(['system', 'developer', 'user']), content: contentSchema }),
  z.looseObject({
    role: z.literal('assistant'),
    content: contentSchema.nullish(),
    tool_calls: z
      .array(
        z.looseObject({
          id: z.string(),
          type: z.literal('function').optional(),
          function: z.looseObject({ name: z.string(), arguments: z.string() }),
        }),
      )
      .optional(),
  }),
  z.looseObject({ role: z.literal('tool'), content: contentSchema, tool_call_id: z.string() }),
]);

const positiveInteger = z.number().int().positive();

/** The body check in zod; `chat-body-validator.ts` holds its compiled twin. */
export const bodySchema = z.looseObject({
  model: z.string().min(1).optional(),
  models: z.array(z.string().min(1)).min(1).optional(),
  messages: z.array(messageSchema).min(1, 'messages must not be empty'),
  stream: z.boolean().optional(),
  max_tokens: positiveInteger.optional(),
  max_completion_tokens: positiveInteger.optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  seed: z.number().int().optional(),
  stop: z.union([z.string(), z.array(z.string())]).optional(),
  tools: z
    .array(
      z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string().min(1) }) }),
    )
    .optional(),
  tool_choice: z
    .union([
      z.enum(['none', 'auto', 'required']),
      z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
    ])
    .optional(),
  response_format: z.looseObject({ type: z.enum(['text', 'json_object', 'json_schema']) }).optional(),
  plugins: z.array(z.looseObject({ id: z.string() })).optional(),
  provider: z.looseObject({}).optional(),
  session_id: z.string().max(256).optional(),
  prompt_cache_key: z.string().max(256).optional(),
});

type ChatBody = z.infer<typeof bodySchema>;

const priceSchema = z.union([
  z.number().nonnegative(),
  z.looseObject({
    prompt: z.number().nonnegative().optional(),
    completion: z.number().nonnegative().optional(),
  }),
]);

const stringList = z.array(z.string().min(1));

const priceCap = z.number().nonnegative();

/**
 * The `pareto-router` plugin: the hosted router's fields (`enabled`, `min_coding_score`, `max_price`,
 * `price_source`) and the router's own. Any other field is reported as a warning, never dropped silently.
 */
const pluginFields = {
  id: z.literal('pareto-router'),
  enabled: z.boolean().optional(),
  min_coding_score: z.number().min(0).max(1).optional(),
  max_price: z
    .number({
      error: (issue) =>
        typeof issue.input === 'object' && issue.input !== null
          ? "expected a number: the most USD per million input tokens (the hosted router's max_price); caps inside the tier are max_blended_price, max_prompt_price and max_completion_price"
          : undefined,
    })
    .nonnegative()
    .optional(),
  price_source: z.enum(['prompt', 'weighted_avg']).optional(),
  tier: z.string().optional(),
  max_blended_price: priceCap.optional(),
  max_prompt_price: priceCap.optional(),
  max_completion_price: priceCap.optional(),
  allowed_models: stringList.optional(),
  excluded_models: stringList.optional(),
};

export const pluginSchema = z.looseObject(pluginFields);

type RouterPlugin = z.infer<typeof pluginSchema>;

/** The plugin's field names, for the unknown-field warning and its suggestion. */
export const pluginFieldNames: readonly string[] = Object.keys(pluginFields);

const providerSchema = z.looseObject({
  order: stringList.optional(),
  only: stringList.optional(),
  ignore: stringList.optional(),
  allow_fallbacks: z.boolean().optional(),
  sort: z.string().optional(),
  max_price: priceSchema.optional(),
});

/** The router's settings for one request, from the plugin (and, later, the key's defaults). */
export interface RouterSettings {
  minCodingScore?: number;
  /** The tier alias the caller named, when it used one. */
  tier?: string;
  /** The hosted router's `max_price`: USD per million input tokens; replaces tier selection. */
  maxPrice?: number;
  /** What `max_price` is compared with: the list input price, or the one measured from the request log. */
  priceSource?: 'prompt' | 'weighted_avg';
  /** Caps inside the tier: `max_blended_price`, `max_prompt_price`, `max_completion_price`. */
  priceCaps?: { blended?: number; input?: number; output?: number };
  allowedModels?: string[];
  excludedModels?: string[];
}

export interface ParsedChatRequest {
  /** The request to forward: router-only fields removed, `model` still as the caller sent it. */
  request: ChatRequest;
  stream: boolean;
  /** Set when the caller asked for the router (`pareto-code`...). */
  routerModel: RouterModelName | null;
  /** Concrete models asked for, in order (`model` then `models`). */
  concreteModels: string[];
  /** What the caller wrote in `model` (or the first of `models`). */
  requestedModel: string;
  settings: RouterSettings;
  provider: ProviderPreferences & { maxPrice?: { blended?: number; input?: number; output?: number } };
  sessionKey: string | undefined;
  /** A gateway key's model lists combined with the request's; when set, they replace the request's own. */
  keyMatchers?: { allowed: ModelMatcher | undefined; excluded: ModelMatcher | undefined };
  /** What the router ignored or read differently in the request, for `x-pareto-warnings`. */
  warnings: string[];
  /** The caller asked for the routing decision on the response (`X-OpenRouter-Metadata: enabled`). */
  routingMetadata: boolean;
}

/** Renders a zod issue as `path: message`, naming the value where it helps. */
function describeIssue(prefix: string, issue: z.core.$ZodIssue | undefined): string {
  if (issue === undefined) return `${prefix}: invalid`;
  const path = issue.path
    .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
    .join('');
  const where = `${prefix}${path}`.replace(/^\./, '');
  return `${where === '' ? 'body' : where}: ${issue.message}`;
}

/** Validates a parsed JSON body and extracts the router settings. Throws a 400 RouterError. */
export function parseChatRequest(
  body: unknown,
  headers: Record<string, string | string[] | undefined>,
): ParsedChatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RouterError('invalid_request', 'the request body must be a JSON object');
  }
  // The compiled check decides; zod runs only on a body it rejects, to word the error.
  if (!isValidChatBody(body)) {
    const parsed = bodySchema.safeParse(body);
    throw new RouterError(
      'invalid_request',
      parsed.success ? 'body: invalid' : describeIssue('', parsed.error.issues[0]),
    );
  }
  const input = body as ChatBody & Record<string, unknown>;
  const requestedModel = input.model ?? input.models?.[0];
  if (requestedModel === undefined) {
    throw new RouterError('invalid_request', 'model is required (or a non-empty models list)');
  }

  const settings: RouterSettings = {};
  const warnings: string[] = [];
  for (const [position, plugin] of (input.plugins ?? []).entries()) {
    if (plugin.id !== 'pareto-router') continue;
    warnings.push(...unknownFieldWarnings(plugin, position));
    if (Object.keys(plugin).every((name) => name === 'id' || (name === 'enabled' && plugin[name] === true))) {
      // What @openrouter/sdk sends when every field given was one its types do not know (it drops them).
      warnings.push(
        `plugins[${position}] sets nothing but its id, so the high tier applies; @openrouter/sdk drops plugin fields its types do not know: use minCodingScore, maxPrice, priceSource there`,
      );
    }
    // As for the body: the compiled check decides, zod words the error of a plugin it rejects.
    if (!isValidRouterPlugin(plugin)) {
      const pluginParsed = pluginSchema.safeParse(plugin);
      const issue = pluginParsed.error?.issues[0];
      const received =
        issue?.path.length === 1 ? (plugin as Record<string, unknown>)[String(issue.path[0])] : undefined;
      const suffix = received === undefined ? '' : `, got ${JSON.stringify(received)}`;
      throw new RouterError('invalid_request', `${describeIssue(`plugins[${position}]`, issue)}${suffix}`);
    }
    const value = plugin as RouterPlugin;
    if (value.enabled === false) continue;
    if (value.tier !== undefined) {
      try {
        const score = scoreForTierAlias(value.tier);
        settings.tier = value.tier;
        if (value.min_coding_score === undefined && score !== undefined) settings.minCodingScore = score;
      } catch (error) {
        throw new RouterError('invalid_request', `plugins[${position}].tier: ${(error as Error).message}`);
      }
    }
    if (value.min_coding_score !== undefined) settings.minCodingScore = value.min_coding_score;
    if (value.max_price !== undefined) settings.maxPrice = value.max_price;
    if (value.price_source !== undefined) settings.priceSource = value.price_source;
    const caps = {
      ...(value.max_blended_price === undefined ? {} : { blended: value.max_blended_price }),
      ...(value.max_prompt_price === undefined ? {} : { input: value.max_prompt_price }),
      ...(value.max_completion_price === undefined ? {} : { output: value.max_completion_price }),
    };
    if (Object.keys(caps).length > 0) settings.priceCaps = caps;
    if (value.allowed_models !== undefined) settings.allowedModels = value.allowed_models;
    if (value.excluded_models !== undefined) settings.excludedModels = value.excluded_models;
  }
  if (settings.maxPrice !== undefined) {
    // As on the hosted router: a price cap replaces the quality tier.
    if (settings.minCodingScore !== undefined || settings.tier !== undefined) {
      warnings.push('min_coding_score and tier are not used when max_price is set');
    }
  } else if (settings.priceSource !== undefined) {
    warnings.push('price_source applies only with max_price; ignored');
  }

  const provider: ParsedChatRequest['provider'] = {};
  if (input.provider !== undefined) {
    const providerParsed = providerSchema.safeParse(input.provider);
    if (!providerParsed.success) {
      throw new RouterError('invalid_request', describeIssue('provider', providerParsed.error.issues[0]));
    }
    const value = providerParsed.data;
    if (value.order !== undefined) provider.order = value.order;
    if (value.only !== undefined) provider.only = value.only;
    if (value.ignore !== undefined) provider.ignore = value.ignore;
    if (value.allow_fallbacks !== undefined) provider.allowFallbacks = value.allow_fallbacks;
    if (value.max_price !== undefined) provider.maxPrice = toPriceCap(value.max_price);
  }

  const routerModel = input.model === undefined ? null : parseRouterModel(input.model);
  // A bar in the model name (`pareto-code@balanced`) is for callers that can set nothing else; a plugin
  // that names its own score or tier is the more specific setting and wins.
  if (routerModel !== null && settings.minCodingScore === undefined && settings.tier === undefined) {
    if (routerModel.minCodingScore !== undefined) settings.minCodingScore = routerModel.minCodingScore;
    if (routerModel.tier !== undefined) settings.tier = routerModel.tier;
  }
  const concreteModels: string[] = [];
  if (routerModel === null) {
    if (input.model !== undefined) concreteModels.push(input.model);
    for (const model of input.models ?? []) if (!concreteModels.includes(model)) concreteModels.push(model);
  }

  // Router-only fields stay here; the upstream gets the rest exactly as sent.
  const { plugins, models, provider: _provider, session_id, ...forward } = input;
  const otherPlugins = plugins?.filter((plugin) => plugin.id !== 'pareto-router');
  const request = forward as ChatRequest;
  if (otherPlugins !== undefined && otherPlugins.length > 0) request.plugins = otherPlugins;

  if (routerModel === null && (input.plugins ?? []).some((plugin) => plugin.id === 'pareto-router')) {
    warnings.push(`the pareto-router plugin applies only to router models; ${requestedModel} is not routed`);
  }
  return {
    request,
    stream: input.stream === true,
    routerModel,
    concreteModels,
    requestedModel,
    settings,
    provider,
    sessionKey: sessionKeyOf(input, headers),
    warnings,
    routingMetadata: routingMetadataRequested(headers),
  };
}

/** The request's own warnings, then `later` (what the upstream's protocol could not express). */
export function withRequestWarnings(parsed: ParsedChatRequest, later: readonly string[]): readonly string[] {
  return parsed.warnings.length === 0 ? later : [...parsed.warnings, ...later];
}

const maxReportedFields = 8;
const maxReportedFieldLength = 64;

/**
 * One warning per field of a `pareto-router` plugin entry the router does not know (at most a few), with
 * the known field it most likely means: its snake_case form (`minCodingScore`, the shape the
 * `@openrouter/sdk` types use, arrives unconverted through other clients) or a near spelling.
 */
function unknownFieldWarnings(plugin: Record<string, unknown>, position: number): string[] {
  const unknown = Object.keys(plugin).filter((name) => !pluginFieldNames.includes(name));
  const warnings = unknown.slice(0, maxReportedFields).map((name) => {
    const shown = name.length > maxReportedFieldLength ? `${name.slice(0, maxReportedFieldLength)}...` : name;
    const suggestion = suggestPluginField(name);
    return `plugins[${position}].${shown} is not a pareto-router field and was ignored${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`;
  });
  if (unknown.length > maxReportedFields) {
    warnings.push(`plugins[${position}]: ${unknown.length - maxReportedFields} more unknown fields ignored`);
  }
  return warnings;
}

/** The known plugin field a misspelt or camelCase name most likely stands for, if any. */
export function suggestPluginField(name: string): string | undefined {
  const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  if (pluginFieldNames.includes(snake)) return snake;
  let best: string | undefined;
  let bestDistance = 3;
  for (const field of pluginFieldNames) {
    const distance = editDistance(snake, field, bestDistance);
    if (distance < bestDistance) {
      best = field;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Optimal string alignment distance (Levenshtein with adjacent swaps), giving up above `limit`. Written
 * here rather than taken from a package: it serves one warning on names of a few dozen characters.
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const previous = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (previous[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(value);
    }
    rows.push(row);
  }
  return Math.min(limit, (rows[a.length] as number[])[b.length] as number);
}

/**
 * The hosted router's opt-in for routing metadata on the response: `X-OpenRouter-Metadata: enabled`
 * (or the older `X-OpenRouter-Experimental-Metadata`), case-insensitive; any other value means no.
 */
function routingMetadataRequested(headers: Record<string, string | string[] | undefined>): boolean {
  for (const name of ['x-openrouter-metadata', 'x-openrouter-experimental-metadata']) {
    const value = headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (text !== undefined && text.trim().toLowerCase() === 'enabled') return true;
  }
  return false;
}

function toPriceCap(value: z.infer<typeof priceSchema>): {
  blended?: number;
  input?: number;
  output?: number;
} {
  if (typeof value === 'number') return { blended: value };
  const cap: { input?: number; output?: number } = {};
  if (value.prompt !== undefined) cap.input = value.prompt;
  if (value.completion !== undefined) cap.output = value.completion;
  return cap;
}

// Hashing whole prompts would put megabytes through SHA-256 on every call; the start of the first system
// and user messages plus their lengths identifies a conversation just as well.
const sessionHashPrefix = 8 * 1024;

/**
 * Headers coding agents send with the same value on every turn of a conversation: opencode and others
 * (`x-session-id`), Claude Code (`x-claude-code-session-id`), Codex (`session-id`, older `session_id`).
 */
const sessionHeaders = ['x-session-id', 'x-claude-code-session-id', 'session-id', 'session_id'] as const;

/**
 * The conversation key for sticky sessions: `session_id`, a session header (`sessionHeaders`), `prompt_cache_key`,
 * or else a hash of the first system and first user message.
 */
export function sessionKeyOf(
  body: {
    session_id?: string | undefined;
    prompt_cache_key?: string | undefined;
    messages: readonly unknown[];
  },
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  if (body.session_id !== undefined && body.session_id !== '') return `id:${body.session_id}`;
  for (const name of sessionHeaders) {
    const header = headers[name];
    const headerValue = Array.isArray(header) ? header[0] : header;
    if (headerValue !== undefined && headerValue !== '') return `id:${headerValue.slice(0, 256)}`;
  }
  if (body.prompt_cache_key !== undefined && body.prompt_cache_key !== '')
    return `cache:${body.prompt_cache_key}`;
  const messages = body.messages as ChatMessage[];
  const system = messages.find((message) => message.role === 'system' || message.role === 'developer');
  const user = messages.find((message) => message.role === 'user');
  if (user === undefined) return undefined;
  const systemText = system === undefined ? '' : contentText(system.content);
  const userText = contentText(user.content);
  // One-shot hashing: a third of the cost of a Hash object for the short texts of a typical request.
  const digest = hash(
    'sha256',
    `${systemText.length}:${userText.length}:${systemText.slice(0, sessionHashPrefix)}\u0000${userText.slice(0, sessionHashPrefix)}`,
    'base64url',
  );
  return `hash:${digest.slice(0, 22)}`;
}

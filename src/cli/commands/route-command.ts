/** `pareto-router route`: the routing decision for a described request, offline, with every reason. */
import { type Command, Option } from 'commander';
import { RouterError } from '../../core/errors.js';
import { estimatePromptTokens } from '../../core/estimate-prompt-tokens.js';
import type { ModelIndex } from '../../core/model-index.js';
import { createModelMatcher } from '../../core/model-pattern.js';
import {
  type DropReason,
  defaultRoutePolicy,
  type ModelDecision,
  type PlannedCandidate,
  type RouteFeatures,
  type RoutePlan,
  type RoutingRule,
  route,
  routingRules,
} from '../../core/route.js';
import { tierNames } from '../../core/tiers.js';
import type { CliContext } from '../cli-context.js';
import { formatTable } from '../format-table.js';
import { formatJson, formatPercentile, formatPricePerMillion } from '../format-values.js';
import { addSnapshotOptions, loadCommandIndex } from '../load-command-index.js';
import { createPalette, type Palette } from '../palette.js';
import {
  parseNonNegativeNumber,
  parsePositiveInteger,
  parseTierChoice,
  parseUnitInterval,
  type TierChoice,
} from '../parse-option-values.js';
import { colourTier } from '../tier-colour.js';
import { UsageError } from '../usage-error.js';

// Context windows reach a few million tokens (~4 bytes each); a prompt file beyond this is a mistake.
const maxPromptFileBytes = 64 * 1024 * 1024;

/** The request a `route` call describes, in the units of the flags. */
export interface RouteQuestion {
  minCodingScore?: number | undefined;
  /** The tier alias the score came from, when `--tier` was used. */
  tierAlias?: string | undefined;
  nitro: boolean;
  /** The routing rule (`routing.policy`); the default is pareto. */
  policy?: RoutingRule | undefined;
  /** The hosted router's max_price: a cap on the input price that bypasses the tiers, USD per million tokens. */
  maxPrice?: number | undefined;
  /** Cap on the blended price inside the tier, USD per million tokens. */
  maxBlendedPrice?: number | undefined;
  estimatedPromptTokens?: number | undefined;
  maxTokens?: number | undefined;
  needsTools: boolean;
  needsStructuredOutput: boolean;
  needsImageInput: boolean;
  allow: string[];
  exclude: string[];
}

/** `route --json`: the plan as the routing core returns it, plus the request it answered. */
export interface RouteReport extends RoutePlan {
  request: {
    minCodingScore: number | null;
    tierAlias: string | null;
    nitro: boolean;
    policy: RoutingRule;
    maxPrice: number | null;
    maxBlendedPrice: number | null;
    estimatedPromptTokens: number | null;
    maxTokens: number | null;
    needsTools: boolean;
    needsStructuredOutput: boolean;
    needsImageInput: boolean;
    allow: string[];
    exclude: string[];
  };
}

/** The routing core's features for a question. */
export function featuresOfQuestion(question: RouteQuestion): RouteFeatures {
  const features: RouteFeatures = {
    minCodingScore: question.minCodingScore,
    nitro: question.nitro,
    estimatedPromptTokens: question.estimatedPromptTokens,
    maxTokens: question.maxTokens,
    needsTools: question.needsTools,
    needsStructuredOutput: question.needsStructuredOutput,
    needsImageInput: question.needsImageInput,
  };
  if (question.allow.length > 0) features.allowedModels = createModelMatcher(question.allow);
  if (question.exclude.length > 0) features.excludedModels = createModelMatcher(question.exclude);
  if (question.maxBlendedPrice !== undefined) features.priceCaps = { blended: question.maxBlendedPrice };
  if (question.maxPrice !== undefined) features.maxInputPrice = question.maxPrice;
  return features;
}

/** Routes a question on an index (no live stats: the CLI is offline). */
export function buildRouteReport(index: ModelIndex, question: RouteQuestion): RouteReport {
  const policy = question.policy ?? defaultRoutePolicy.rule;
  const plan = route(featuresOfQuestion(question), index, undefined, { ...defaultRoutePolicy, rule: policy });
  return {
    ...plan,
    request: {
      minCodingScore: question.minCodingScore ?? null,
      tierAlias: question.tierAlias ?? null,
      nitro: question.nitro,
      policy,
      maxPrice: question.maxPrice ?? null,
      maxBlendedPrice: question.maxBlendedPrice ?? null,
      estimatedPromptTokens: question.estimatedPromptTokens ?? null,
      maxTokens: question.maxTokens ?? null,
      needsTools: question.needsTools,
      needsStructuredOutput: question.needsStructuredOutput,
      needsImageInput: question.needsImageInput,
      allow: [...question.allow],
      exclude: [...question.exclude],
    },
  };
}

/** How many models one drop reason removed, in words: `13 over max_price $0.1/M`. */
export function describeDropCount(reason: DropReason, count: number, report: RouteReport): string {
  const request = report.request;
  switch (reason) {
    case 'other_tier':
      return report.rule === 'pareto'
        ? `${count} below the ${report.tier} bar`
        : `${count} in another tier than ${report.tier} and its neighbour`;
    case 'unbenchmarked':
      return `${count} without a coding benchmark`;
    case 'not_allowed':
      return `${count} not matched by --allow ${request.allow.join(',')}`;
    case 'excluded':
      return `${count} matched by --exclude ${request.exclude.join(',')}`;
    case 'context_too_small': {
      const needed = (request.estimatedPromptTokens ?? 0) + (request.maxTokens ?? 0);
      return `${count} with a context window below the ${needed} tokens needed`;
    }
    case 'max_tokens_too_large':
      return `${count} with max output below --max-tokens ${request.maxTokens ?? '?'}`;
    case 'no_tools':
      return `${count} without tool calling`;
    case 'no_structured_output':
      return `${count} without structured output`;
    case 'no_image_input':
      return `${count} without image input`;
    case 'over_max_price':
      return request.maxPrice !== null
        ? `${count} over max_price ${formatPricePerMillion(request.maxPrice)}/M of input${request.maxBlendedPrice === null ? '' : ' or the blended cap'}`
        : `${count} over max_blended_price ${formatPricePerMillion(request.maxBlendedPrice ?? 0)}/M`;
    case 'unavailable':
      return `${count} unavailable`;
    case 'dominated':
      return `${count} beaten on both price and percentile by another eligible model`;
    case 'beyond_fallbacks':
      return `${count} ranked after the fallbacks`;
  }
}

/** The one-line reason an empty plan is empty: `no model fits: 13 over max_price $0.1/M, 2 ...`. */
export function describeEmptyReport(report: RouteReport): string {
  const counts = new Map<DropReason, number>();
  for (const decision of report.decisions) {
    if (decision.reason === 'candidate') continue;
    counts.set(decision.reason, (counts.get(decision.reason) ?? 0) + 1);
  }
  if (counts.size === 0) return 'no model fits: the shortlist of this snapshot is empty';
  const parts = [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([reason, count]) => describeDropCount(reason, count, report));
  return `no model fits: ${parts.join(', ')}`;
}

/** Why the primary comes from another tier than the bar selects, or null when it does not. */
function describeStep(report: RouteReport): string | null {
  const tier = report.tier;
  const stepped = report.steppedTo;
  if (tier === null || stepped === null) return null;
  if (report.rule === 'bands') {
    return `nothing in the ${tier} tier fits; stepped to the neighbouring ${stepped} tier`;
  }
  const upwards = tierNames.indexOf(stepped) < tierNames.indexOf(tier);
  return upwards
    ? `the cheapest model at or above the ${tier} bar is in the ${stepped} tier: it beats every eligible ${tier} model on price and percentile`
    : `nothing at or above the ${tier} bar fits; stepped down to the ${stepped} tier, best first`;
}

function describeBar(report: RouteReport): string {
  if (report.request.tierAlias !== null) {
    const score = report.request.minCodingScore;
    return `--tier ${report.request.tierAlias}${score === null ? '' : ` (min_coding_score ${score})`}`;
  }
  return report.minCodingScore === null
    ? 'no min_coding_score (the high tier)'
    : `min_coding_score ${report.minCodingScore}`;
}

/** The request's constraints in words, or null when it has none beyond the bar. */
export function describeConstraints(request: RouteReport['request']): string | null {
  const parts: string[] = [];
  if (request.estimatedPromptTokens !== null) parts.push(`~${request.estimatedPromptTokens} prompt tokens`);
  if (request.maxTokens !== null) parts.push(`max_tokens ${request.maxTokens}`);
  if (request.needsTools) parts.push('tools');
  if (request.needsStructuredOutput) parts.push('json_schema output');
  if (request.needsImageInput) parts.push('image input');
  if (request.maxPrice !== null) {
    parts.push(`max_price ${formatPricePerMillion(request.maxPrice)}/M of input (tiers bypassed)`);
  }
  if (request.maxBlendedPrice !== null) {
    parts.push(`max_blended_price ${formatPricePerMillion(request.maxBlendedPrice)}/M`);
  }
  if (request.allow.length > 0) parts.push(`allow ${request.allow.join(',')}`);
  if (request.exclude.length > 0) parts.push(`exclude ${request.exclude.join(',')}`);
  return parts.length === 0 ? null : parts.join(', ');
}

/** The readable form of a route report: the tier, the candidates in order, every dropped model. */
export function formatRouteReport(report: RouteReport, colours: Palette): string {
  const lines: string[] = [];
  const rule = `${report.rule} rule`;
  if (report.tier === null) {
    const order = report.nitro ? 'nitro (fastest first)' : 'best under the cap first';
    lines.push(
      colours.bold(
        `snapshot ${report.snapshotVersion}: max_price ${formatPricePerMillion(report.maxInputPrice ?? 0)}/M of input -> tiers bypassed, ${order}`,
      ),
    );
  } else {
    const nitro = report.nitro ? ', nitro (fastest first)' : ', cheapest first';
    lines.push(
      colours.bold(
        `snapshot ${report.snapshotVersion}: ${describeBar(report)} -> ${report.tier} tier${nitro} (${rule})`,
      ),
    );
  }
  const constraints = describeConstraints(report.request);
  if (constraints !== null) lines.push(`request: ${constraints}`);
  const stepped = describeStep(report);
  if (stepped !== null) lines.push(colours.yellow(stepped));
  lines.push('');
  if (report.candidates.length === 0) {
    lines.push(colours.red(describeEmptyReport(report)));
  } else {
    lines.push(colours.bold(`candidates (${report.candidates.length}), tried in this order:`));
    const rows = report.candidates.map((candidate, position) => ({ candidate, position: position + 1 }));
    lines.push(
      formatTable<{ candidate: PlannedCandidate; position: number }>(
        [
          { header: '#', align: 'right', value: (row) => String(row.position) },
          {
            header: 'role',
            value: (row) => row.candidate.role,
            colour: (text, row, palette) => (row.candidate.role === 'primary' ? palette.bold(text) : text),
          },
          { header: 'model', value: (row) => row.candidate.modelId },
          {
            header: 'tier',
            value: (row) => row.candidate.tier,
            colour: (text, row, palette) => colourTier(text, row.candidate.tier, palette),
          },
          {
            header: 'coding',
            align: 'right',
            value: (row) => formatPercentile(row.candidate.codingPercentile),
          },
          {
            header: 'blended',
            align: 'right',
            value: (row) => formatPricePerMillion(row.candidate.blendedPrice),
          },
          { header: 'reason', value: (row) => row.candidate.reason },
        ],
        rows,
        colours,
      ).trimEnd(),
    );
  }
  const dropped = report.decisions.filter((decision) => !decision.kept);
  if (dropped.length > 0) {
    lines.push('', colours.bold(`dropped (${dropped.length}):`));
    lines.push(
      formatTable<ModelDecision>(
        [
          { header: 'model', value: (decision) => decision.modelId },
          {
            header: 'tier',
            value: (decision) => decision.tier ?? '-',
            colour: (text, decision, palette) => colourTier(text, decision.tier, palette),
          },
          { header: 'reason', value: (decision) => decision.reason },
          { header: 'detail', value: (decision) => decision.detail },
        ],
        dropped,
        colours,
      ).trimEnd(),
    );
  }
  return `${lines.join('\n')}\n`;
}

interface RouteOptions {
  minCodingScore?: number;
  tier?: TierChoice;
  nitro?: boolean;
  policy?: RoutingRule;
  maxPrice?: number;
  maxBlendedPrice?: number;
  promptFile?: string;
  maxTokens?: number;
  tools?: boolean;
  jsonSchema?: boolean;
  images?: boolean;
  allow?: string[];
  exclude?: string[];
  json?: boolean;
}

function splitPatterns(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((value) => value.split(',')).filter((pattern) => pattern.trim() !== '');
}

async function readPromptTokens(path: string, context: CliContext): Promise<number> {
  let text: string;
  try {
    text = await context.readTextFile(path, maxPromptFileBytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : error instanceof Error
            ? error.message
            : String(error);
    throw new UsageError(`cannot read --prompt-file "${path}": ${why}`);
  }
  return estimatePromptTokens({ messages: [{ role: 'user', content: text }] });
}

/** Adds `route` to the program. */
export function registerRouteCommand(program: Command, context: CliContext): void {
  const command = program
    .command('route')
    .description('show which models a request would go to, in order, and why every other model was dropped')
    .addOption(
      new Option('--min-coding-score <score>', 'the quality bar in 0..1 (omitted: the high tier)')
        .argParser(parseUnitInterval)
        .conflicts('tier'),
    )
    .addOption(
      new Option('--tier <name>', 'a named bar: quick, low, balanced, medium, high, reasoning, frontier')
        .argParser(parseTierChoice)
        .conflicts('minCodingScore'),
    )
    .option('--nitro', 'rank by throughput instead of price (as `pareto-code:nitro`)')
    .addOption(
      new Option('--policy <rule>', 'routing rule: pareto (the default) or bands').choices(routingRules),
    )
    .addOption(
      new Option(
        '--max-price <usd>',
        'the hosted max_price: most USD per million input tokens; bypasses the tiers',
      ).argParser(parseNonNegativeNumber),
    )
    .addOption(
      new Option(
        '--max-blended-price <usd>',
        'cap on the blended price inside the tier, USD per million tokens',
      ).argParser(parseNonNegativeNumber),
    )
    .option('--prompt-file <file>', 'estimate the prompt tokens from this file (for the context limit)')
    .addOption(
      new Option('--max-tokens <n>', 'the output cap the request would set').argParser(parsePositiveInteger),
    )
    .option('--tools', 'the request has tools (needs tool calling)')
    .option('--json-schema', 'the request asks for json_schema structured output')
    .option('--images', 'the request has image input')
    .option('--allow <patterns...>', 'only these model ids (exact or with * wildcards; commas allowed)')
    .option('--exclude <patterns...>', 'never these model ids (exact or with * wildcards; commas allowed)')
    .option('--json', 'print JSON (see docs/cli-json.md)');
  addSnapshotOptions(command).action(async (options: RouteOptions, self: Command) => {
    const question: RouteQuestion = {
      minCodingScore: options.minCodingScore ?? options.tier?.minCodingScore,
      tierAlias: options.tier?.name,
      nitro: options.nitro === true,
      policy: options.policy,
      maxPrice: options.maxPrice,
      maxBlendedPrice: options.maxBlendedPrice,
      maxTokens: options.maxTokens,
      needsTools: options.tools === true,
      needsStructuredOutput: options.jsonSchema === true,
      needsImageInput: options.images === true,
      allow: splitPatterns(options.allow),
      exclude: splitPatterns(options.exclude),
    };
    if (options.promptFile !== undefined) {
      question.estimatedPromptTokens = await readPromptTokens(options.promptFile, context);
    }
    const index = await loadCommandIndex(self, context);
    const report = buildRouteReport(index, question);
    if (options.json === true) context.stdout(formatJson(report));
    else context.stdout(formatRouteReport(report, createPalette(context.colour)));
    if (report.candidates.length === 0) throw new RouterError('no_candidate', describeEmptyReport(report));
  });
}

/**
 * `pareto-router forecast`: what a traffic profile would cost per month if all of it went to each tier,
 * and for a mix of tiers, priced at the model the router would actually pick first for each tier.
 */
import { type Command, Option } from 'commander';
import { computeCost } from '../../core/compute-cost.js';
import type { ModelIndex } from '../../core/model-index.js';
import { route } from '../../core/route.js';
import { type TierName, tierAliases, tierNames } from '../../core/tiers.js';
import type { CliContext } from '../cli-context.js';
import { formatTable } from '../format-table.js';
import { formatPricePerMillion, formatUsd } from '../format-values.js';
import { addSnapshotOptions, loadCommandIndex } from '../load-command-index.js';
import { createPalette, type Palette } from '../palette.js';
import {
  parseNonNegativeInteger,
  parseNonNegativeNumber,
  parseTierMix,
  parseUnitInterval,
  type TierMix,
} from '../parse-option-values.js';
import { colourTier } from '../tier-colour.js';

export const forecastDays = 30;

export const defaultTierMix: TierMix = { high: 0.2, medium: 0.5, low: 0.3 };

/** A traffic profile: how many requests, how large, how much of each prompt is a cache hit. */
export interface TrafficProfile {
  requestsPerDay: number;
  inputTokens: number;
  outputTokens: number;
  /** Share of input tokens read from the prompt cache, 0..1. */
  cachedShare: number;
}

/** The cost of sending all traffic to one tier. */
export interface TierForecast {
  tier: TierName;
  /** The primary candidate the router picks for a request of this size; null when nothing fits. */
  modelId: string | null;
  /** The tier the model came from when the requested tier had nothing that fits. */
  steppedTo: TierName | null;
  /** USD per million tokens; cacheRead null when the model has no cache price (input price applies). */
  pricing: { input: number; output: number; cacheRead: number | null } | null;
  blendedPrice: number | null;
  costPerRequest: number | null;
  dailyCost: number | null;
  monthlyCost: number | null;
}

/** The whole `forecast --json` document (money in USD). */
export interface ForecastReport {
  snapshotVersion: string;
  days: number;
  profile: TrafficProfile;
  tiers: TierForecast[];
  mix: { shares: TierMix; monthlyCost: number | null };
}

/** Prices a profile per tier and for the mix (pure). */
export function buildForecastReport(
  index: ModelIndex,
  profile: TrafficProfile,
  mix: TierMix,
): ForecastReport {
  const tiers = tierNames.map((tier): TierForecast => {
    const plan = route(
      {
        minCodingScore: tierAliases[tier],
        estimatedPromptTokens: profile.inputTokens,
        maxTokens: profile.outputTokens > 0 ? profile.outputTokens : undefined,
      },
      index,
    );
    const primary = plan.candidates[0];
    const model = primary === undefined ? undefined : index.byId.get(primary.modelId);
    if (primary === undefined || model === undefined) {
      return {
        tier,
        modelId: null,
        steppedTo: null,
        pricing: null,
        blendedPrice: null,
        costPerRequest: null,
        dailyCost: null,
        monthlyCost: null,
      };
    }
    const costPerRequest = computeCost(
      {
        promptTokens: profile.inputTokens,
        cachedTokens: profile.inputTokens * profile.cachedShare,
        cacheWriteTokens: 0,
        completionTokens: profile.outputTokens,
        reasoningTokens: 0,
      },
      model.pricing,
    );
    const dailyCost = costPerRequest * profile.requestsPerDay;
    return {
      tier,
      modelId: model.id,
      steppedTo: plan.steppedTo,
      pricing: {
        input: model.pricing.input,
        output: model.pricing.output,
        cacheRead: model.pricing.cacheRead ?? null,
      },
      blendedPrice: model.blendedPrice,
      costPerRequest,
      dailyCost,
      monthlyCost: dailyCost * forecastDays,
    };
  });
  let mixCost: number | null = 0;
  for (const forecast of tiers) {
    const share = mix[forecast.tier];
    if (share === 0) continue;
    mixCost =
      forecast.monthlyCost === null || mixCost === null ? null : mixCost + share * forecast.monthlyCost;
  }
  return {
    snapshotVersion: index.version,
    days: forecastDays,
    profile: { ...profile },
    tiers,
    mix: { shares: { ...mix }, monthlyCost: mixCost },
  };
}

function describeMix(shares: TierMix): string {
  return tierNames.map((tier) => `${tier} ${Number((shares[tier] * 100).toFixed(4))}%`).join(', ');
}

/** The readable table of a forecast. */
export function formatForecastReport(report: ForecastReport, colours: Palette): string {
  const profile = report.profile;
  const header = colours.bold(
    `snapshot ${report.snapshotVersion}: ${profile.requestsPerDay.toLocaleString('en-US')} requests/day, ` +
      `${profile.inputTokens.toLocaleString('en-US')} input + ${profile.outputTokens.toLocaleString('en-US')} output tokens each, ` +
      `${Number((profile.cachedShare * 100).toFixed(4))}% of input cached, ${report.days} days`,
  );
  const money = (value: number | null) => (value === null ? '-' : formatUsd(value));
  const table = formatTable<TierForecast>(
    [
      {
        header: 'all traffic to',
        value: (forecast) => forecast.tier,
        colour: (text, forecast, palette) => colourTier(text, forecast.tier, palette),
      },
      {
        header: 'model',
        value: (forecast) =>
          forecast.modelId === null
            ? 'no model fits'
            : `${forecast.modelId}${forecast.steppedTo === null ? '' : ` (from ${forecast.steppedTo})`}`,
      },
      {
        header: 'blended',
        align: 'right',
        value: (forecast) =>
          forecast.blendedPrice === null ? '-' : formatPricePerMillion(forecast.blendedPrice),
      },
      { header: 'per request', align: 'right', value: (forecast) => money(forecast.costPerRequest) },
      { header: 'per day', align: 'right', value: (forecast) => money(forecast.dailyCost) },
      {
        header: 'per month',
        align: 'right',
        value: (forecast) => money(forecast.monthlyCost),
        colour: (text, _forecast, palette) => palette.bold(text),
      },
    ],
    report.tiers,
    colours,
  ).trimEnd();
  const mix =
    report.mix.monthlyCost === null
      ? `mix (${describeMix(report.mix.shares)}): cannot be priced, a tier in the mix has no model that fits`
      : `mix (${describeMix(report.mix.shares)}): ${colours.bold(formatUsd(report.mix.monthlyCost))} per month`;
  return `${header}\n\n${table}\n\n${mix}\n${colours.dim('prices: USD per million tokens; cached input at the cache-read price where the model has one')}\n`;
}

interface ForecastOptions {
  requestsPerDay: number;
  inputTokens: number;
  outputTokens: number;
  mix?: TierMix;
  cachedShare?: number;
  json?: boolean;
}

/** Adds `forecast` to the program. */
export function registerForecastCommand(program: Command, context: CliContext): void {
  const command = program
    .command('forecast')
    .description('estimate monthly spend for a traffic profile, per tier and for a mix of tiers')
    .addOption(
      new Option('--requests-per-day <n>', 'requests per day')
        .argParser(parseNonNegativeNumber)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--input-tokens <n>', 'prompt tokens per request')
        .argParser(parseNonNegativeInteger)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--output-tokens <n>', 'completion tokens per request')
        .argParser(parseNonNegativeInteger)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option(
        '--mix <shares>',
        'share of traffic per tier, summing to 1 (default high=0.2,medium=0.5,low=0.3)',
      ).argParser(parseTierMix),
    )
    .addOption(
      new Option(
        '--cached-share <share>',
        'share of input tokens served from the prompt cache, 0..1 (default 0)',
      ).argParser(parseUnitInterval),
    )
    .option('--json', 'print JSON (see docs/cli-json.md)');
  addSnapshotOptions(command).action(async (options: ForecastOptions, self: Command) => {
    const index = await loadCommandIndex(self, context);
    const report = buildForecastReport(
      index,
      {
        requestsPerDay: options.requestsPerDay,
        inputTokens: options.inputTokens,
        outputTokens: options.outputTokens,
        cachedShare: options.cachedShare ?? 0,
      },
      options.mix ?? defaultTierMix,
    );
    if (options.json === true) context.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else context.stdout(formatForecastReport(report, createPalette(context.colour)));
  });
}

/**
 * `pareto-router forecast`: what a traffic profile would cost per month if all of it went to each tier,
 * and for a mix of tiers, priced at the model the router would actually pick first for each tier. The
 * profile is given by flags, or measured from the request log with `--from-log`.
 */
import { type Command, Option } from 'commander';
import { buildModelIndex } from '../../core/build-model-index.js';
import { computeCost } from '../../core/compute-cost.js';
import type { ModelIndex } from '../../core/model-index.js';
import { defaultRoutePolicy, type RoutingRule, route, routingRules } from '../../core/route.js';
import { type TierName, tierAliases, tierNames } from '../../core/tiers.js';
import type { CliContext } from '../cli-context.js';
import { formatTable } from '../format-table.js';
import {
  formatCount,
  formatJson,
  formatPercent,
  formatPricePerMillion,
  formatSpan,
  formatTokenCount,
  formatUsd,
  formatUtcTime,
} from '../format-values.js';
import { addSnapshotOptions, loadCommandIndex, snapshotRequestOf } from '../load-command-index.js';
import { type LogTrafficMeasurement, measureLogTraffic } from '../measure-log-traffic.js';
import { createPalette, type Palette } from '../palette.js';
import {
  parseNonNegativeInteger,
  parseNonNegativeNumber,
  parseTierMix,
  parseUnitInterval,
  type TierMix,
} from '../parse-option-values.js';
import { parseSince, resolveSince, type SinceSpec } from '../parse-since.js';
import { colourTier } from '../tier-colour.js';
import { UsageError } from '../usage-error.js';
import { addConfigOption, storeLocationOf, withCommandStore } from '../with-command-store.js';

export const forecastDays = 30;

export const defaultTierMix: TierMix = { high: 0.2, medium: 0.5, low: 0.3 };

/** The window `--from-log` measures when `--since` is not given. */
export const defaultFromLogWindow: SinceSpec = { kind: 'ago', milliseconds: 30 * 86_400_000, text: '30d' };

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
  /** The routing rule the primaries were picked by (`--policy`). */
  policy: RoutingRule;
  days: number;
  profile: TrafficProfile;
  tiers: TierForecast[];
  mix: { shares: TierMix; monthlyCost: number | null };
  /** With `--from-log`: what the log measured and over which window; null when the flags gave the profile. */
  fromLog: FromLogReport | null;
}

/** The measurement, and which of its values flags replaced. */
export interface FromLogReport extends LogTrafficMeasurement {
  /** Profile fields (or `mix`) given by a flag instead of measured: `requestsPerDay`, `cachedShare`... */
  overridden: (keyof TrafficProfile | 'mix')[];
}

/** Prices a profile per tier and for the mix (pure). */
export function buildForecastReport(
  index: ModelIndex,
  profile: TrafficProfile,
  mix: TierMix,
  fromLog: FromLogReport | null = null,
  policy: RoutingRule = defaultRoutePolicy.rule,
): ForecastReport {
  const tiers = tierNames.map((tier): TierForecast => {
    const plan = route(
      {
        minCodingScore: tierAliases[tier],
        estimatedPromptTokens: profile.inputTokens,
        maxTokens: profile.outputTokens > 0 ? profile.outputTokens : undefined,
      },
      index,
      undefined,
      { ...defaultRoutePolicy, rule: policy },
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
    policy,
    days: forecastDays,
    profile: { ...profile },
    tiers,
    mix: { shares: { ...mix }, monthlyCost: mixCost },
    fromLog,
  };
}

function describeMix(shares: TierMix): string {
  return tierNames.map((tier) => `${tier} ${formatPercent(shares[tier])}`).join(', ');
}

/** The readable table of a forecast. */
export function formatForecastReport(report: ForecastReport, colours: Palette): string {
  const profile = report.profile;
  const header = colours.bold(
    `snapshot ${report.snapshotVersion}: ${formatCount(profile.requestsPerDay)} requests/day, ` +
      `${formatTokenCount(profile.inputTokens)} input + ${formatTokenCount(profile.outputTokens)} output tokens each, ` +
      `${formatPercent(profile.cachedShare)} of input cached, ${report.days} days`,
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
  const measured = report.fromLog === null ? '' : `${describeMeasurement(report.fromLog)}\n`;
  return `${measured}${header}\n\n${table}\n\n${mix}\n${colours.dim('prices: USD per million tokens; cached input at the cache-read price where the model has one')}\n`;
}

const overrideFlags: Readonly<Record<FromLogReport['overridden'][number], string>> = {
  requestsPerDay: '--requests-per-day',
  inputTokens: '--input-tokens',
  outputTokens: '--output-tokens',
  cachedShare: '--cached-share',
  mix: '--mix',
};

/** Where the profile came from: the window, the request count, and what flags replaced. */
function describeMeasurement(fromLog: FromLogReport): string {
  const from = Date.parse(fromLog.measuredFrom);
  const until = Date.parse(fromLog.until);
  const lines = [
    `measured from the request log: ${formatCount(fromLog.requests)} requests from ` +
      `${formatUtcTime(from)} to ${formatUtcTime(until)} (${formatSpan(until - from)})`,
  ];
  if (fromLog.measuredFrom !== fromLog.since) {
    lines.push(
      `  the log starts after the window asked for (since ${formatUtcTime(Date.parse(fromLog.since))}): the daily rate is taken over the logged span`,
    );
  }
  if (until - from < 86_400_000) {
    lines.push('  less than a day of traffic: the daily rate is extrapolated and may be far off');
  }
  if (fromLog.requestsWithoutTier > 0) {
    lines.push(
      `  ${formatCount(fromLog.requestsWithoutTier)} ${fromLog.requestsWithoutTier === 1 ? 'request' : 'requests'} without a tier (failed before routing, or naming a model) priced at the mix of the others`,
    );
  }
  if (fromLog.overridden.length > 0) {
    lines.push(
      `  given by flags instead of measured: ${fromLog.overridden.map((field) => overrideFlags[field]).join(', ')}`,
    );
  }
  return lines.join('\n');
}

interface ForecastOptions {
  policy?: RoutingRule;
  requestsPerDay?: number;
  inputTokens?: number;
  outputTokens?: number;
  mix?: TierMix;
  cachedShare?: number;
  fromLog?: boolean;
  since?: SinceSpec;
  json?: boolean;
}

const profileFlags = [
  ['requestsPerDay', '--requests-per-day <n>'],
  ['inputTokens', '--input-tokens <n>'],
  ['outputTokens', '--output-tokens <n>'],
] as const;

/** The profile the flags give; without `--from-log`, requests and token counts are required. */
function profileFromFlags(options: ForecastOptions): TrafficProfile {
  for (const [field, flag] of profileFlags) {
    if (options[field] === undefined) {
      throw new UsageError(
        `required option '${flag}' not specified (or measure the profile from the request log with --from-log)`,
      );
    }
  }
  return {
    requestsPerDay: options.requestsPerDay ?? 0,
    inputTokens: options.inputTokens ?? 0,
    outputTokens: options.outputTokens ?? 0,
    cachedShare: options.cachedShare ?? 0,
  };
}

/** The measured profile and mix, each value replaced by its flag when one was given. */
function profileFromLog(
  options: ForecastOptions,
  measurement: LogTrafficMeasurement,
): { profile: TrafficProfile; mix: TierMix; fromLog: FromLogReport } {
  const measured = measurement.measured;
  const overridden: FromLogReport['overridden'] = [];
  const pick = <Value>(field: keyof TrafficProfile | 'mix', flag: Value | undefined, value: Value): Value => {
    if (flag === undefined) return value;
    overridden.push(field);
    return flag;
  };
  const profile: TrafficProfile = {
    requestsPerDay: pick('requestsPerDay', options.requestsPerDay, measured.requestsPerDay),
    inputTokens: pick('inputTokens', options.inputTokens, measured.inputTokens),
    outputTokens: pick('outputTokens', options.outputTokens, measured.outputTokens),
    cachedShare: pick('cachedShare', options.cachedShare, measured.cachedShare),
  };
  const mix = pick('mix', options.mix, measured.mix);
  if (mix === null) {
    throw new UsageError(
      `no request logged since ${formatUtcTime(Date.parse(measurement.since))} has a tier, so there is no mix to measure: give one with --mix`,
    );
  }
  return { profile, mix, fromLog: { ...measurement, overridden } };
}

/** Adds `forecast` to the program. */
export function registerForecastCommand(program: Command, context: CliContext): void {
  const command = program
    .command('forecast')
    .description('estimate monthly spend for a traffic profile, per tier and for a mix of tiers')
    .addOption(
      new Option('--requests-per-day <n>', 'requests per day (required unless --from-log)').argParser(
        parseNonNegativeNumber,
      ),
    )
    .addOption(
      new Option('--input-tokens <n>', 'prompt tokens per request (required unless --from-log)').argParser(
        parseNonNegativeInteger,
      ),
    )
    .addOption(
      new Option(
        '--output-tokens <n>',
        'completion tokens per request (required unless --from-log)',
      ).argParser(parseNonNegativeInteger),
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
    .addOption(
      new Option(
        '--policy <rule>',
        'routing rule the primaries are picked by: pareto (default) or bands',
      ).choices(routingRules),
    )
    .option(
      '--from-log',
      'measure requests per day, tokens per request, cached share and tier mix from the request log; flags given as well replace the measured value',
    )
    .addOption(
      new Option(
        '--since <when>',
        'with --from-log: the window measured, 30m, 1h, 2d, 1w or an ISO date (default 30d)',
      ).argParser(parseSince),
    )
    .option('--json', 'print JSON (see docs/cli-json.md)');
  addConfigOption(addSnapshotOptions(command)).action(async (options: ForecastOptions, self: Command) => {
    if (options.fromLog !== true && options.since !== undefined) {
      throw new UsageError('--since only applies with --from-log');
    }
    let report: ForecastReport;
    if (options.fromLog === true) {
      report = await forecastFromLog(self, context, options);
    } else {
      const flagProfile = profileFromFlags(options);
      const index = await loadCommandIndex(self, context);
      report = buildForecastReport(index, flagProfile, options.mix ?? defaultTierMix, null, options.policy);
    }
    if (options.json === true) context.stdout(formatJson(report));
    else context.stdout(formatForecastReport(report, createPalette(context.colour)));
  });
}

/** `forecast --from-log`: the profile measured over the window, priced like any other. */
async function forecastFromLog(
  command: Command,
  context: CliContext,
  options: ForecastOptions,
): Promise<ForecastReport> {
  const now = context.now();
  const since = resolveSince(options.since ?? defaultFromLogWindow, now);
  // Priced on the snapshot the router writing this log would use: the configuration's data directory and
  // pinned version, unless the command line names its own.
  const location = storeLocationOf(command, context);
  const version = snapshotRequestOf(command, context).version ?? location.snapshotVersion;
  const index = buildModelIndex(
    await context.loadSnapshot({
      dataDir: location.dataDir,
      ...(version === undefined ? {} : { version }),
    }),
  );
  const measurement = await withCommandStore(command, context, { mustExist: true }, (store) =>
    measureLogTraffic(store, since, now),
  );
  const { profile, mix, fromLog } = profileFromLog(options, measurement);
  return buildForecastReport(index, profile, mix, fromLog, options.policy);
}

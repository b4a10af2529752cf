/**
 * The zod schema of a snapshot file (`IndexSnapshot` of `src/core/model-index.ts`). Strict about the
 * fields the router reads, so a hand-edited file fails at load time with the path of the bad field
 * instead of misrouting later.
 */
import { z } from 'zod';
import type { IndexSnapshot } from '../core/model-index.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/, 'expected an ISO date (YYYY-MM or YYYY-MM-DD)');
const price = z.number().finite().nonnegative();
const tokenCount = z.number().int().positive();

const pricingSchema = z.object({
  input: price,
  output: price,
  cacheRead: price.optional(),
  cacheWrite: price.optional(),
});

const capabilitiesSchema = z.object({
  tools: z.boolean(),
  structuredOutput: z.boolean(),
  reasoning: z.boolean(),
  imageInput: z.boolean(),
});

export const benchmarkResultSchema = z.object({
  benchmark: z.string().min(1),
  value: z.number().finite(),
  metric: z.string().min(1).optional(),
  source: z.string().min(1),
  date: isoDate,
  note: z.string().optional(),
});

const upstreamRouteSchema = z.object({
  upstream: z.string().min(1),
  model: z.string().min(1),
});

const sourceSchema = z.object({
  field: z.string().min(1),
  source: z.string().min(1),
  date: isoDate,
});

export const modelEntrySchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  pricing: pricingSchema,
  contextLength: tokenCount,
  maxOutputTokens: tokenCount,
  capabilities: capabilitiesSchema,
  benchmarks: z.array(benchmarkResultSchema),
  throughputTokensPerSecond: z.number().finite().positive().optional(),
  timeToFirstTokenMs: z.number().finite().positive().optional(),
  upstreams: z.array(upstreamRouteSchema).min(1),
  sources: z.array(sourceSchema),
  shortlist: z.boolean(),
});

/** Snapshot versions: `YYYY-MM`, optionally with a suffix such as `.1` (`2026-11.1`). */
export const snapshotVersionPattern = /^\d{4}-\d{2}(\.\d+)?$/;

export const indexSnapshotSchema = z
  .object({
    schemaVersion: z.literal(1),
    version: z.string().regex(snapshotVersionPattern, 'expected a version like 2026-11 or 2026-11.1'),
    createdAt: z.iso.datetime({ offset: true }),
    description: z.string().optional(),
    models: z.array(modelEntrySchema),
  })
  .superRefine((snapshot, context) => {
    const seen = new Set<string>();
    snapshot.models.forEach((model, position) => {
      if (seen.has(model.id)) {
        context.addIssue({
          code: 'custom',
          path: ['models', position, 'id'],
          message: `duplicate model id "${model.id}"`,
        });
      }
      seen.add(model.id);
    });
  });

// Compile-time proof that every IndexSnapshot passes the schema's shape. The other direction differs only
// in `?: T | undefined` versus `?: T`, which parsed JSON never produces (JSON has no undefined).
type SchemaOutput = z.output<typeof indexSnapshotSchema>;
const typeMatchesSchema = (value: IndexSnapshot): SchemaOutput => value;
void typeMatchesSchema;

/**
 * Tolerant schema of a GenerateContentResponse, the body of `generateContent` and each SSE chunk of
 * `streamGenerateContent`. It names only the fields the adapter reads; everything else passes through.
 */
import { z } from 'zod';

const tokenCount = z.number().int().nonnegative().nullish();

const functionCallSchema = z.object({
  name: z.string(),
  args: z.record(z.string(), z.unknown()).nullish(),
  /** Set by some Gemini surfaces; absent on most `generateContent` answers. */
  id: z.string().nullish(),
});

const partSchema = z.object({
  text: z.string().nullish(),
  thought: z.boolean().nullish(),
  functionCall: functionCallSchema.nullish(),
});

const candidateSchema = z.object({
  content: z.object({ parts: z.array(partSchema).nullish() }).nullish(),
  finishReason: z.string().nullish(),
});

const usageMetadataSchema = z.object({
  promptTokenCount: tokenCount,
  cachedContentTokenCount: tokenCount,
  candidatesTokenCount: tokenCount,
  thoughtsTokenCount: tokenCount,
});

/** The fields of a GenerateContentResponse the adapter reads. */
export const generateContentResponseSchema = z.object({
  candidates: z.array(candidateSchema).nullish(),
  promptFeedback: z.object({ blockReason: z.string().nullish() }).nullish(),
  usageMetadata: usageMetadataSchema.nullish(),
  responseId: z.string().nullish(),
  modelVersion: z.string().nullish(),
});

export type GenerateContentResponse = z.infer<typeof generateContentResponseSchema>;
export type GeminiResponsePart = z.infer<typeof partSchema>;
export type GeminiFunctionCall = z.infer<typeof functionCallSchema>;
export type GeminiUsageMetadata = z.infer<typeof usageMetadataSchema>;

/** A short description of why `value` failed the schema, for error messages (first issue only). */
export function describeSchemaIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'unexpected shape';
  const path = issue.path.length === 0 ? 'body' : issue.path.join('.');
  return `${path}: ${issue.message}`;
}

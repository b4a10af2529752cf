/** A Gemini `generateContent` / `streamGenerateContent` / `countTokens` body parsed into the pipeline's form. */
import { RouterError } from '../../core/errors.js';
import { isRecord } from '../../core/is-record.js';
import type { IngressContext, IngressRequest } from '../ingress-adapter.js';
import { assertMaxDepth } from './assert-max-depth.js';
import { convertContents } from './convert-contents.js';
import { convertGenerationConfig } from './convert-generation-config.js';
import { convertSystemInstruction } from './convert-system-instruction.js';
import { convertTools } from './convert-tools.js';
import { invalidField } from './json-checks.js';

/** The router's own fields a Gemini caller may add: copied to the chat body, kept out of the native one. */
const routerFields = ['plugins', 'provider', 'session_id'] as const;

/**
 * Gemini fields with nothing to convert: `safetySettings` tunes Gemini's own filters and `labels` tag
 * Google billing, neither of which other upstreams have. Accepted, and sent on the native path.
 */
const geminiOnlyFields = ['safetySettings', 'labels'];

const convertedFields = new Set([
  'contents',
  'systemInstruction',
  'tools',
  'toolConfig',
  'generationConfig',
  'cachedContent',
  ...geminiOnlyFields,
  ...routerFields,
]);

/**
 * Parses a Gemini request body. The model comes from the path (`context.pathModel`), streaming from the
 * method (`context.pathStream`). A countTokens body may wrap the request as `generateContentRequest`.
 */
export function parseGenerateContentRequest(body: unknown, context: IngressContext): IngressRequest {
  if (!isRecord(body)) throw new RouterError('invalid_request', 'the request body must be a JSON object');
  assertMaxDepth(body);
  const model = context.pathModel;
  if (model === undefined || model === '') {
    throw new RouterError(
      'invalid_request',
      'the model must be named in the path: /v1beta/models/{model}:{method}',
    );
  }
  const stream = context.pathStream === true;
  if (stream && context.query.get('alt') !== 'sse') {
    // Without alt=sse Google streams one JSON array; this router streams Server-Sent Events only, as every
    // Google SDK and the Gemini CLI ask for.
    throw new RouterError(
      'invalid_request',
      'streamGenerateContent is served as Server-Sent Events only: add ?alt=sse',
    );
  }
  const request = unwrapCountTokensRequest(body);
  const warnings: string[] = [];

  const system = convertSystemInstruction(request.systemInstruction, warnings);
  const { messages, droppedThoughtSignatures } = convertContents(request.contents, warnings);
  if (messages.length === 0) throw invalidField('contents', 'every part is empty; there is nothing to send');
  if (droppedThoughtSignatures > 0) {
    warnings.push(
      `contents: ${droppedThoughtSignatures} thoughtSignature value(s) dropped; they only carry over to a Gemini upstream`,
    );
  }
  const { tools, toolChoice } = convertTools(request.tools, request.toolConfig, warnings);
  const generation = convertGenerationConfig(request.generationConfig, warnings);
  if (request.cachedContent != null) {
    warnings.push('cachedContent: a Gemini context cache is readable only by Gemini; dropped');
  }
  for (const key of Object.keys(request)) {
    if (!convertedFields.has(key) && request[key] != null) warnings.push(`${key}: unknown field; ignored`);
  }

  const chatBody: Record<string, unknown> = {
    model,
    messages: system === undefined ? messages : [system, ...messages],
    stream,
    ...generation,
  };
  if (tools !== undefined) chatBody.tools = tools;
  if (toolChoice !== undefined) chatBody.tool_choice = toolChoice;
  const nativeBody: Record<string, unknown> = { ...body };
  for (const field of routerFields) {
    if (body[field] !== undefined) chatBody[field] = body[field];
    delete nativeBody[field];
  }
  return { body: chatBody, warnings, native: { protocol: 'gemini', body: nativeBody, headers: {} } };
}

/**
 * countTokens takes either `{contents}` or `{generateContentRequest: {model, contents, ...}}`; the second
 * form counts the whole request (system instruction and tools too), so its inner request is parsed.
 */
function unwrapCountTokensRequest(body: Record<string, unknown>): Record<string, unknown> {
  const inner = body.generateContentRequest;
  if (inner == null) return body;
  if (body.contents != null) {
    throw invalidField('generateContentRequest', 'send either contents or generateContentRequest, not both');
  }
  if (!isRecord(inner))
    throw invalidField('generateContentRequest', 'expected a GenerateContentRequest object');
  // The path names the model; the inner request's own `model` is the same resource name.
  const { model: _model, ...request } = inner;
  return request;
}

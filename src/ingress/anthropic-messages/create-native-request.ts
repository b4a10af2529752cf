/**
 * The caller's Messages body as it may go, unconverted, to an Anthropic upstream: the router's own fields
 * removed, and the thinking blocks Anthropic would refuse taken out. Claude Code sends back every
 * thinking block it was given; those of an answer the router converted from another protocol carry an
 * empty signature, which Anthropic rejects as invalid.
 */

import { isRecord } from '../../core/is-record.js';
import type { IngressContext, NativeRequest } from '../ingress-adapter.js';

/** Fields that are the router's, not Anthropic's. */
export const routerOnlyFields: ReadonlySet<string> = new Set(['plugins', 'provider', 'session_id', 'models']);

/** Caller headers an Anthropic upstream must see as sent: they select the API version and beta features. */
const forwardedHeaders = ['anthropic-version', 'anthropic-beta'] as const;

function isUnsignedThinking(block: unknown): boolean {
  if (!isRecord(block) || block.type !== 'thinking') return false;
  return typeof block.signature !== 'string' || block.signature === '';
}

/** The messages without unsigned thinking blocks; the same array when there are none. */
function withoutUnsignedThinking(messages: unknown): unknown {
  if (!Array.isArray(messages)) return messages;
  let changed = false;
  const kept: unknown[] = [];
  for (const message of messages) {
    if (!isRecord(message) || message.role !== 'assistant' || !Array.isArray(message.content)) {
      kept.push(message);
      continue;
    }
    const content = message.content.filter((block) => !isUnsignedThinking(block));
    if (content.length === message.content.length) {
      kept.push(message);
      continue;
    }
    changed = true;
    // A turn left empty is dropped; Anthropic joins the neighbouring turns of one role anyway.
    if (content.length > 0) kept.push({ ...message, content });
  }
  return changed ? kept : messages;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** The native form of a Messages request (already checked by the conversion). */
export function createNativeRequest(body: Record<string, unknown>, context: IngressContext): NativeRequest {
  const nativeBody: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    if (!routerOnlyFields.has(field)) nativeBody[field] = value;
  }
  nativeBody.messages = withoutUnsignedThinking(body.messages);
  const headers: Record<string, string> = {};
  for (const name of forwardedHeaders) {
    const value = headerValue(context.headers[name]);
    if (value !== undefined) headers[name] = value;
  }
  return { protocol: 'anthropic', body: nativeBody, headers };
}

/**
 * The OpenAI error `code` for a RouterError. Clients branch on these strings: Codex stops on
 * `context_length_exceeded`, `insufficient_quota` and `invalid_prompt`, backs off on `rate_limit_exceeded`
 * (reading "try again in Ns" from the message) and retries anything else. Codes with no OpenAI counterpart
 * keep the router's own stable code.
 */
import type { RouterError } from '../../core/errors.js';

/** The OpenAI-style code for `error`. */
export function mapErrorCode(error: RouterError): string {
  switch (error.code) {
    case 'context_length_exceeded':
      return 'context_length_exceeded';
    case 'rate_limited':
    case 'upstream_rate_limited':
      return 'rate_limit_exceeded';
    case 'budget_exceeded':
      return 'insufficient_quota';
    case 'unauthorized':
      return 'invalid_api_key';
    case 'unknown_model':
    case 'no_candidate':
      return 'model_not_found';
    case 'content_policy':
      return 'invalid_prompt';
    default:
      return error.code;
  }
}

/** The error's message, with the wait spelled out the way Codex parses it when the error gives one. */
export function describeError(error: RouterError): string {
  if (mapErrorCode(error) !== 'rate_limit_exceeded' || error.retryAfterSeconds === undefined) {
    return error.message;
  }
  return `${error.message} Please try again in ${Math.ceil(error.retryAfterSeconds)}s.`;
}

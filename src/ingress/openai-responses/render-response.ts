/** The non-streamed Responses body for a canonical result. */
import type { ChatResult, Usage } from '../../core/chat-result.js';
import type { ResponseIdentity } from '../ingress-adapter.js';
import { createResponseObject, type ResponseObjectOptions } from './create-response-object.js';
import { itemStatusOf, mapFinishReason } from './map-finish-reason.js';
import { renderOutputItems } from './render-output-items.js';
import { renderUsage } from './render-usage.js';

/** The answer as a Response object (JSON text), usage with cost included. */
export function renderResponse(
  identity: ResponseIdentity,
  result: ChatResult,
  usage: Usage,
  cost: number,
): string {
  const finish = mapFinishReason(result.finishReason);
  const options: ResponseObjectOptions = {
    status: finish.status,
    output: renderOutputItems(identity.id, result, itemStatusOf(finish.status)),
    usage: renderUsage(usage, cost),
  };
  if (finish.incompleteReason !== undefined) options.incompleteReason = finish.incompleteReason;
  if (finish.status === 'failed') {
    options.error = { code: 'server_error', message: 'the model ended its answer with an error' };
  }
  return JSON.stringify(createResponseObject(identity, options));
}

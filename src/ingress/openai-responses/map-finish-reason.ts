/** A canonical finish reason as a Responses status, with the reason of an incomplete answer. */
import type { FinishReason } from '../../core/chat-result.js';

/** The status of a Response. */
export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';
/** Why a Response is incomplete. */
export type IncompleteReason = 'max_output_tokens' | 'content_filter';

/** The status of a finished Response, with the reason when it is incomplete. */
export interface FinishStatus {
  status: Exclude<ResponseStatus, 'in_progress'>;
  incompleteReason?: IncompleteReason;
}

/** The status an answer that ended for `finishReason` gets. */
export function mapFinishReason(finishReason: FinishReason): FinishStatus {
  switch (finishReason) {
    case 'stop':
    case 'tool_calls':
      return { status: 'completed' };
    case 'length':
      return { status: 'incomplete', incompleteReason: 'max_output_tokens' };
    case 'content_filter':
      return { status: 'incomplete', incompleteReason: 'content_filter' };
    case 'error':
      return { status: 'failed' };
  }
}

/** The status of the output items of an answer with `status`: an answer cut short leaves them incomplete. */
export function itemStatusOf(status: FinishStatus['status']): 'completed' | 'incomplete' {
  return status === 'completed' ? 'completed' : 'incomplete';
}

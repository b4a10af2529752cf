/** A canonical tool call's JSON arguments text as the object Gemini's `functionCall.args` holds. */
import { isRecord } from '../../core/is-record.js';

/**
 * The arguments object, `{}` for empty text, or undefined when the text is not a JSON object (a call cut
 * short by the output cap, or a model that wrote something else): Gemini cannot carry such a call.
 */
export function parseToolArguments(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

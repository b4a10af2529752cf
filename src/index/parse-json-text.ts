/** Guarded JSON parsing for imported files: a size cap and a one-line `import_failed` naming the input. */
import { RouterError } from '../core/errors.js';

/** Largest imported text accepted (the 2026 OpenRouter catalog is about 0.5 MB). */
export const maxImportBytes = 32 * 1024 * 1024;

/** Parses `text` as JSON; errors name `label` (a file name or a format). */
export function parseJsonText(text: string, label: string): unknown {
  if (text.length > maxImportBytes) {
    throw new RouterError('import_failed', `${label}: larger than ${maxImportBytes} bytes`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RouterError('import_failed', `${label}: not valid JSON: ${reason}`, { cause: error });
  }
}

/** A bound on how deeply a caller's JSON body may nest, checked without recursion. */
import { RouterError } from '../../core/errors.js';

/**
 * Deepest nesting of arrays and objects accepted in a body. Real requests stay far below it (a tool
 * schema nests a dozen levels); Google's own protobuf parser refuses far deeper input. The bound keeps
 * every recursive step after it (schema conversion, `JSON.stringify` of arguments) clear of the stack.
 */
export const maxBodyDepth = 128;

/** Throws a 400 when `value` nests arrays or objects deeper than `limit` levels. */
export function assertMaxDepth(value: unknown, limit: number = maxBodyDepth): void {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    const depth = next.depth + 1;
    if (depth > limit) {
      throw new RouterError('invalid_request', `the request body nests deeper than ${limit} levels`);
    }
    const children = Array.isArray(next.value) ? next.value : Object.values(next.value);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) pending.push({ value: child, depth });
    }
  }
}

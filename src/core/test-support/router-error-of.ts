/**
 * For tests that expect a RouterError: the error itself, so the test can assert its code, status and
 * message. Anything else (no error, or an error of another kind) fails the test with what happened.
 */
import { RouterError } from '../errors.js';

function asRouterError(thrown: unknown): RouterError {
  if (thrown instanceof RouterError) return thrown;
  throw new Error(`expected a RouterError, got ${thrown instanceof Error ? thrown.stack : String(thrown)}`);
}

/** The RouterError `run` throws. */
export function routerErrorOf(run: () => unknown): RouterError {
  try {
    run();
  } catch (error) {
    return asRouterError(error);
  }
  throw new Error('expected a RouterError, but nothing was thrown');
}

/** The RouterError `promise` rejects with. */
export async function routerRejectionOf(promise: Promise<unknown>): Promise<RouterError> {
  try {
    await promise;
  } catch (error) {
    return asRouterError(error);
  }
  throw new Error('expected a RouterError, but the promise resolved');
}

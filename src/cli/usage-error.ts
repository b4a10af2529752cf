/**
 * A mistake in how the command was called (a bad flag value, a missing file): the CLI prints its message
 * on one line and exits with 2, the conventional status for usage errors, instead of 1.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

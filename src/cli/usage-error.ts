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

/**
 * A failure the command has already reported on stdout (`doctor` finding a broken setup): the CLI exits
 * with 1 and prints nothing more.
 */
export class ReportedFailure extends Error {
  constructor() {
    super('failure already reported');
    this.name = 'ReportedFailure';
  }
}

/**
 * Conversion warnings, folded by reason. A long Claude Code conversation carries dozens of signed thinking
 * blocks; the warnings travel in a response header, so each reason is reported once with its first place
 * and how many more blocks it concerned.
 */

/** Collects what a conversion could not carry. */
export interface WarningList {
  /** Records that `path` could not be converted as sent, for `reason`. */
  add(path: string, reason: string): void;
  /** The warnings in the order their reasons first appeared. */
  list(): string[];
}

/** A fresh, empty warning list. */
export function createWarningList(): WarningList {
  const byReason = new Map<string, { path: string; count: number }>();
  return {
    add(path, reason) {
      const seen = byReason.get(reason);
      if (seen === undefined) byReason.set(reason, { path, count: 1 });
      else seen.count += 1;
    },
    list() {
      const warnings: string[] = [];
      for (const [reason, { path, count }] of byReason) {
        const more = count > 1 ? ` (and ${count - 1} more like it)` : '';
        warnings.push(`${path}: ${reason}${more}`);
      }
      return warnings;
    },
  };
}

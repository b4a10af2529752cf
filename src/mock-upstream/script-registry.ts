/**
 * The fake upstream's state: the script of each model, how many attempts each model received, and the
 * last requests. Scripts are found by exact model id, then by the longest `prefix*` pattern, then the
 * default script.
 */
import type { MockProtocol, ModelScript } from './model-script.js';

export interface RecordedRequest {
  protocol: MockProtocol;
  /** The model the request named; empty when it named none (for example a body that is not JSON). */
  model: string;
  path: string;
  /** Request headers, names lower-cased, repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  /** Milliseconds since the epoch. */
  time: number;
  /** Which attempt this was for its model (1-based). */
  attempt: number;
  /** Milliseconds since the epoch when the response ended or the connection closed; absent until then. */
  endTime?: number;
}

const recordedRequestLimit = 1_000;

export class ScriptRegistry {
  private readonly scripts: Map<string, ModelScript>;
  private patterns: { prefix: string; script: ModelScript }[] = [];
  /** When each script (by model id or pattern) was set; start-up scripts count from start or reset. */
  private readonly setTimes = new Map<string, number>();
  private startedAt = Date.now();
  private readonly attemptsByModel = new Map<string, number>();
  private totalAttempts = 0;
  // A ring: `recorded` fills up to the limit, then `nextSlot` overwrites the oldest entry.
  private recorded: RecordedRequest[] = [];
  private nextSlot = 0;

  constructor(
    private readonly initialScripts: Readonly<Record<string, ModelScript>>,
    private readonly defaultScript: ModelScript,
  ) {
    this.scripts = new Map(Object.entries(initialScripts));
    this.rebuildPatterns();
  }

  /** The script for `model`. */
  scriptFor(model: string): ModelScript {
    return this.find(model).script;
  }

  /** Milliseconds since the script that governs `model` was set (or since the start or the last reset). */
  scriptAgeMs(model: string, now: number): number {
    const key = this.find(model).key;
    return now - (key === undefined ? this.startedAt : (this.setTimes.get(key) ?? this.startedAt));
  }

  /** Replaces one model's (or pattern's) script and clears the counters it governs. */
  setScript(model: string, script: ModelScript): void {
    this.scripts.set(model, script);
    this.setTimes.set(model, Date.now());
    if (model.endsWith('*')) {
      this.rebuildPatterns();
      const prefix = model.slice(0, -1);
      for (const known of [...this.attemptsByModel.keys()]) {
        if (known.startsWith(prefix)) this.attemptsByModel.delete(known);
      }
    } else {
      this.attemptsByModel.delete(model);
    }
  }

  /** Back to the scripts given at start, with every counter and record cleared. */
  reset(): void {
    this.scripts.clear();
    this.setTimes.clear();
    this.startedAt = Date.now();
    for (const [model, script] of Object.entries(this.initialScripts)) this.scripts.set(model, script);
    this.rebuildPatterns();
    this.attemptsByModel.clear();
    this.totalAttempts = 0;
    this.recorded = [];
    this.nextSlot = 0;
  }

  /** Counts one attempt; returns its 1-based number for `model`. */
  countAttempt(model: string): number {
    this.totalAttempts += 1;
    if (model.length === 0) return this.totalAttempts;
    const attempt = (this.attemptsByModel.get(model) ?? 0) + 1;
    this.attemptsByModel.set(model, attempt);
    return attempt;
  }

  /** Attempts received for `model`, or for all models. */
  attempts(model?: string): number {
    return model === undefined ? this.totalAttempts : (this.attemptsByModel.get(model) ?? 0);
  }

  /** Attempts per model. */
  attemptsByModelId(): Record<string, number> {
    return Object.fromEntries(this.attemptsByModel);
  }

  record(request: RecordedRequest): void {
    if (this.recorded.length < recordedRequestLimit) {
      this.recorded.push(request);
      return;
    }
    this.recorded[this.nextSlot] = request;
    this.nextSlot = (this.nextSlot + 1) % recordedRequestLimit;
  }

  /** The recorded requests, oldest first. */
  requests(): RecordedRequest[] {
    return [...this.recorded.slice(this.nextSlot), ...this.recorded.slice(0, this.nextSlot)];
  }

  /** The script for `model` and the key (model id or pattern) it was set under; no key for the default. */
  private find(model: string): { key: string | undefined; script: ModelScript } {
    const exact = this.scripts.get(model);
    if (exact !== undefined) return { key: model, script: exact };
    for (const pattern of this.patterns) {
      if (model.startsWith(pattern.prefix)) return { key: `${pattern.prefix}*`, script: pattern.script };
    }
    return { key: undefined, script: this.defaultScript };
  }

  private rebuildPatterns(): void {
    this.patterns = [...this.scripts.entries()]
      .filter(([model]) => model.endsWith('*'))
      .map(([model, script]) => ({ prefix: model.slice(0, -1), script }))
      .sort((left, right) => right.prefix.length - left.prefix.length);
  }
}

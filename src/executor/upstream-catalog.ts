/**
 * Which configured upstream serves which model, and under which name. Built once per configuration and
 * index; the executor asks it for the ordered upstream targets of a model.
 */
import type { UpstreamConfig } from '../config/router-config.js';
import type { IndexedModel, ModelIndex } from '../core/model-index.js';

export interface UpstreamTarget {
  /** The model id the router reports (OpenRouter form for index models, as asked for otherwise). */
  modelId: string;
  upstream: UpstreamConfig;
  /** The model name the upstream expects. */
  upstreamModel: string;
  /** The index entry, when the model is in the index (prices, context). */
  model: IndexedModel | undefined;
}

/** The `provider` object of an OpenRouter request, as far as it selects upstreams. */
export interface ProviderPreferences {
  order?: string[] | undefined;
  only?: string[] | undefined;
  ignore?: string[] | undefined;
  allowFallbacks?: boolean | undefined;
}

/** Whether preferences change a model's targets: `allow_fallbacks` alone does not (it acts with `order`). */
function ordersTargets(preferences: ProviderPreferences): boolean {
  return (
    preferences.order !== undefined || preferences.only !== undefined || preferences.ignore !== undefined
  );
}

export class UpstreamCatalog {
  readonly #upstreams: readonly UpstreamConfig[];
  readonly #byName: ReadonlyMap<string, UpstreamConfig>;
  readonly #preference: readonly string[];
  readonly #passthrough: UpstreamConfig | undefined;
  /**
   * The targets of an index model when the request's preferences leave them alone, per index entry (each
   * snapshot's entries are their own objects): the same for every such request, and building them was
   * the largest allocation of a routed call.
   */
  readonly #plainTargets = new WeakMap<IndexedModel, readonly UpstreamTarget[]>();
  /** The names of those targets' upstreams, for the circuit checks of routing. */
  readonly #upstreamNames = new WeakMap<IndexedModel, readonly string[]>();

  constructor(upstreams: readonly UpstreamConfig[], preference: readonly string[] = []) {
    this.#upstreams = upstreams;
    this.#byName = new Map(upstreams.map((upstream) => [upstream.name, upstream] as const));
    this.#preference = preference;
    this.#passthrough = upstreams.find((upstream) => upstream.passthrough);
  }

  get upstreams(): readonly UpstreamConfig[] {
    return this.#upstreams;
  }

  /**
   * Upstream targets for a model, best first: the configured preference order, then the vendor's own
   * API before a pass-through aggregator (cheaper hops, direct prompt caches). The list is shared between
   * calls: callers must not change it.
   */
  targetsFor(
    modelId: string,
    model: IndexedModel | undefined,
    preferences?: ProviderPreferences,
  ): readonly UpstreamTarget[] {
    if (
      model === undefined ||
      model.id !== modelId ||
      (preferences !== undefined && ordersTargets(preferences))
    )
      return this.#buildTargets(modelId, model, preferences);
    let targets = this.#plainTargets.get(model);
    if (targets === undefined) {
      targets = this.#buildTargets(modelId, model, undefined);
      this.#plainTargets.set(model, targets);
    }
    return targets;
  }

  #buildTargets(
    modelId: string,
    model: IndexedModel | undefined,
    preferences: ProviderPreferences | undefined,
  ): UpstreamTarget[] {
    const targets: UpstreamTarget[] = [];
    const seen = new Set<string>();
    const add = (upstream: UpstreamConfig | undefined, upstreamModel: string) => {
      if (upstream === undefined || seen.has(upstream.name)) return;
      seen.add(upstream.name);
      targets.push({ modelId, upstream, upstreamModel, model });
    };
    if (model !== undefined) {
      for (const upstream of this.#upstreams) {
        const mapped = upstream.models[model.id];
        if (mapped !== undefined) add(upstream, mapped);
      }
      for (const route of model.upstreams) add(this.#byName.get(route.upstream), route.model);
      for (const upstream of this.#upstreams) if (upstream.passthrough) add(upstream, model.id);
    } else {
      for (const upstream of this.#upstreams) {
        const mapped = upstream.models[modelId];
        if (mapped !== undefined) add(upstream, mapped);
      }
      for (const upstream of this.#upstreams) if (upstream.passthrough) add(upstream, modelId);
    }
    const rank = (target: UpstreamTarget): number => {
      const explicit = preferences?.order?.indexOf(target.upstream.name) ?? -1;
      if (explicit >= 0) return explicit - 10_000;
      const configured = this.#preference.indexOf(target.upstream.name);
      if (configured >= 0) return configured - 1_000;
      return target.upstream.passthrough ? 1 : 0;
    };
    let ordered = targets
      .map((target, position) => ({ target, position, rank: rank(target) }))
      .sort((a, b) => a.rank - b.rank || a.position - b.position)
      .map((entry) => entry.target);
    if (preferences?.only !== undefined) {
      const only = new Set(preferences.only);
      ordered = ordered.filter((target) => only.has(target.upstream.name));
    }
    if (preferences?.ignore !== undefined) {
      const ignore = new Set(preferences.ignore);
      ordered = ordered.filter((target) => !ignore.has(target.upstream.name));
    }
    if (preferences?.allowFallbacks === false && preferences.order !== undefined) {
      const order = new Set(preferences.order);
      ordered = ordered.filter((target) => order.has(target.upstream.name));
    }
    return ordered;
  }

  /** The names of the upstreams that serve an index model, best first (shared: do not change it). */
  upstreamNamesFor(model: IndexedModel): readonly string[] {
    let names = this.#upstreamNames.get(model);
    if (names === undefined) {
      names = this.targetsFor(model.id, model).map((target) => target.upstream.name);
      this.#upstreamNames.set(model, names);
    }
    return names;
  }

  /** Whether any configured upstream can serve an index model. */
  isServable(model: IndexedModel): boolean {
    return this.targetsFor(model.id, model).length > 0;
  }

  /** The upstream that takes model ids the index does not know, if one is configured. */
  get passthrough(): UpstreamConfig | undefined {
    return this.#passthrough;
  }

  /** For the start-up report: each index model and the upstreams that serve it. */
  servingReport(index: ModelIndex): { modelId: string; upstreams: string[] }[] {
    return index.shortlist.map((model) => ({
      modelId: model.id,
      upstreams: this.targetsFor(model.id, model).map((target) => target.upstream.name),
    }));
  }
}

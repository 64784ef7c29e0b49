import { type Attributes, type Meter, type ObservableResult, metrics } from '@opentelemetry/api';
import { type TieredCache } from './tieredCache.js';

export interface CacheMetricsOptions {
  /** Meter to use (default `metrics.getMeter('@hp/cache')`). */
  meter?: Meter;
  /** `cache.name` attribute on every point (default `default`). */
  name?: string;
}

type Observable = Parameters<Meter['addBatchObservableCallback']>[1][number];

/**
 * Exports a TieredCache's statistics as OpenTelemetry observable instruments: the hot path only
 * increments plain fields; these callbacks read them when the SDK collects.
 */
export function registerCacheMetrics(
  cache: TieredCache,
  options: CacheMetricsOptions = {},
): { unregister(): void } {
  const meter = options.meter ?? metrics.getMeter('@hp/cache');
  const base: Attributes = { 'cache.name': options.name ?? 'default' };
  const counter = (name: string, description: string, unit = '{operation}') =>
    meter.createObservableCounter(`hp.cache.${name}`, { description, unit });
  const gauge = (name: string, description: string, unit: string) =>
    meter.createObservableGauge(`hp.cache.${name}`, { description, unit });
  const i = {
    hits: counter('hits', 'Lookups answered by the tier'),
    misses: counter('misses', 'Lookups the tier could not answer'),
    sets: counter('sets', 'Entries written to the tier'),
    deletes: counter('deletes', 'Entries deleted from the tier'),
    evictions: counter('evictions', 'Entries that left an in-process tier, by reason', '{entry}'),
    promotions: counter('promotions', 'Entries moved into the tier from a slower one', '{entry}'),
    demotions: counter(
      'demotions',
      'Entries moved into the tier after eviction from a faster one',
      '{entry}',
    ),
    errors: counter('errors', 'Failed store operations (errors and timeouts)'),
    skipped: counter('skipped', 'Store operations skipped while the circuit was open'),
    loaderCalls: counter('loader.calls', 'Loader calls made by getOrCompute'),
    loaderCoalesced: counter('loader.coalesced', 'getOrCompute calls that joined a running load'),
    entries: gauge('entries', 'Entries in the tier', '{entry}'),
    bytes: gauge('bytes', 'Estimated bytes held by the tier', 'By'),
    hitRatio: gauge('hit_ratio', 'Hits / lookups (overall when tier is absent)', '1'),
    latency: gauge('store.latency', 'Mean store operation latency since start', 'ms'),
    circuitOpen: gauge('store.circuit_open', '1 while the store circuit is open', '1'),
  };
  const callback = (
    r: ObservableResult & { observe(o: Observable, v: number, a?: Attributes): void },
  ): void => {
    const s = cache.stats();
    r.observe(i.hitRatio, s.hitRatio, base);
    r.observe(i.loaderCalls, s.loader.calls, base);
    r.observe(i.loaderCoalesced, s.loader.coalesced, base);
    for (const t of s.tiers) {
      const a = { ...base, 'cache.tier': t.tier };
      r.observe(i.hits, t.hits, a);
      r.observe(i.misses, t.misses, a);
      r.observe(i.sets, t.sets, a);
      r.observe(i.deletes, t.deletes, a);
      r.observe(i.promotions, t.promotions, a);
      r.observe(i.demotions, t.demotions, a);
      r.observe(i.errors, t.errors, a);
      r.observe(i.entries, t.entries, a);
      r.observe(i.bytes, t.bytes, a);
      r.observe(i.hitRatio, t.hitRatio, a);
      for (const [reason, n] of Object.entries(t.evictions))
        r.observe(i.evictions, n, { ...a, 'cache.reason': reason });
    }
    for (const st of s.stores) {
      const a = { ...base, 'cache.tier': st.name };
      r.observe(i.hits, st.hits, a);
      r.observe(i.misses, st.misses, a);
      r.observe(i.sets, st.sets, a);
      r.observe(i.deletes, st.deletes, a);
      r.observe(i.errors, st.errors, a);
      r.observe(i.skipped, st.skipped, a);
      r.observe(i.latency, st.latency.count === 0 ? 0 : st.latency.totalMs / st.latency.count, a);
      r.observe(i.circuitOpen, st.circuit === 'open' ? 1 : 0, a);
      const total = st.hits + st.misses;
      r.observe(i.hitRatio, total === 0 ? 0 : st.hits / total, a);
    }
  };
  const all = Object.values(i) as Observable[];
  meter.addBatchObservableCallback(callback as never, all);
  return { unregister: () => meter.removeBatchObservableCallback(callback as never, all) };
}

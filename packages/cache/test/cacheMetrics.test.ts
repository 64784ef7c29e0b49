import { type Meter } from '@opentelemetry/api';
import { registerCacheMetrics, TieredCache } from '../src/index.js';

function fakeMeter() {
  const names = new Map<object, string>();
  let cb: ((r: unknown) => void) | undefined;
  const make = (name: string) => {
    const o = {};
    names.set(o, name);
    return o;
  };
  const meter = {
    createObservableCounter: make,
    createObservableGauge: make,
    addBatchObservableCallback: (f: (r: unknown) => void) => (cb = f),
    removeBatchObservableCallback: () => (cb = undefined),
  } as unknown as Meter;
  const collect = () => {
    const points: Array<{ name: string; value: number; attrs: Record<string, unknown> }> = [];
    cb?.({
      observe: (o: object, value: number, attrs: Record<string, unknown>) =>
        points.push({ name: names.get(o)!, value, attrs }),
    });
    return points;
  };
  return { meter, collect, registered: () => cb !== undefined };
}

describe('registerCacheMetrics', () => {
  it('exports per-tier statistics as observable instruments', async () => {
    const cache = new TieredCache({ seed: 1, stores: [{ name: 'map', store: new Map() }] });
    const m = fakeMeter();
    const handle = registerCacheMetrics(cache, { meter: m.meter, name: 'agents' });
    await cache.set('agent_memory:1', 'x');
    await cache.get('agent_memory:1');
    await cache.get('absent');
    const points = m.collect();
    const find = (name: string, tier?: string) =>
      points.find(
        (p) => p.name === name && p.attrs['cache.tier'] === tier && p.attrs['cache.name'] === 'agents',
      );
    expect(find('hp.cache.hits', 'hot')!.value).toBe(1);
    expect(find('hp.cache.entries', 'hot')!.value).toBe(1);
    expect(find('hp.cache.bytes', 'hot')!.value).toBeGreaterThan(0);
    expect(find('hp.cache.sets', 'map')!.value).toBe(1);
    expect(find('hp.cache.misses', 'map')!.value).toBe(1);
    expect(find('hp.cache.hit_ratio')!.value).toBe(0.5);
    expect(points.some((p) => p.name === 'hp.cache.evictions' && p.attrs['cache.reason'] === 'expire')).toBe(
      true,
    );
    handle.unregister();
    expect(m.registered()).toBe(false);
    const s = cache.stats();
    expect(s.tiers.map((t) => t.tier)).toEqual(['hot', 'warm', 'cold']);
    expect(s.stores[0]!.latency.count).toBeGreaterThan(0);
    await cache.close();
  });
});

import { type KeyvStoreAdapter } from 'keyv';
import { EventEmitter } from 'node:events';
import { CacheError, TieredCache } from '../src/index.js';

function clock(start = 1_000_000) {
  const c = { now: start, fn: () => c.now };
  return c;
}

/** A keyv store that can be made to fail or hang. */
class FlakyStore extends EventEmitter implements KeyvStoreAdapter {
  opts = {};
  namespace?: string;
  data = new Map<string, unknown>();
  mode: 'ok' | 'fail' | 'hang' = 'ok';
  calls = 0;
  private _op<T>(f: () => T): Promise<T> {
    this.calls++;
    if (this.mode === 'fail') return Promise.reject(new Error('store down'));
    if (this.mode === 'hang') return new Promise<T>(() => undefined);
    return Promise.resolve(f());
  }
  get(key: string) {
    return this._op(() => this.data.get(key) as never);
  }
  set(key: string, value: unknown) {
    return this._op(() => {
      this.data.set(key, value);
      return true;
    });
  }
  delete(key: string) {
    return this._op(() => this.data.delete(key));
  }
  clear() {
    return this._op(() => this.data.clear());
  }
}

describe('TieredCache', () => {
  it('uses the sketch defaults and validates options', () => {
    const c = new TieredCache();
    expect(c.tier('hot')!.max).toBe(500);
    expect(c.tier('hot')!.policyName).toBe('w-tinylfu');
    expect(c.tier('warm')!.policyName).toBe('lru');
    expect(c.tier('cold')!.max).toBe(10_000);
    expect(c.tier('cold')!.policyName).toBe('lfu');
    expect(() => new TieredCache({ hot: { max: -1 } })).toThrow(/hot\.max/);
    expect(() => new TieredCache({ promoteThreshold: 99 })).toThrow(CacheError);
  });

  it('selects the level by size and key type (configurable rules)', async () => {
    const c = new TieredCache({ seed: 1 });
    await c.set('agent_memory:1', 'm');
    await c.set('llm_response:1', 'r');
    await c.set('state_snapshot:1', 's');
    await c.set('other', 'x'.repeat(20_000));
    await c.set('huge', 'x'.repeat(60_000));
    expect(c.tier('hot')!.has('agent_memory:1')).toBe(true);
    expect(c.tier('warm')!.has('llm_response:1')).toBe(true);
    expect(c.tier('cold')!.has('state_snapshot:1')).toBe(true);
    expect(c.tier('warm')!.has('other')).toBe(true);
    expect(c.tier('cold')!.has('huge')).toBe(true);
    const custom = new TieredCache({ levelRules: [{ level: 'hot', keyPrefix: 'k' }], defaultLevel: 'cold' });
    await custom.set('k1', 1);
    await custom.set('z1', 1);
    expect(custom.tier('hot')!.has('k1')).toBe(true);
    expect(custom.tier('cold')!.has('z1')).toBe(true);
  });

  it('promotes on sketch frequency (not on the first read) and demotes evictions', async () => {
    const c = new TieredCache({
      seed: 1,
      hot: { max: 2 },
      warm: { max: 2 },
      cold: { max: 10 },
      promoteThreshold: 2,
    });
    await c.set('a', 1, { level: 'warm' });
    expect(await c.get('a')).toBe(1);
    expect(c.tier('warm')!.has('a')).toBe(true);
    expect(await c.get('a')).toBe(1);
    expect(c.tier('hot')!.has('a')).toBe(true);
    expect(c.tier('warm')!.has('a')).toBe(false);
    for (const k of ['h1', 'h2', 'h3', 'h4']) await c.set(k, k, { level: 'hot' });
    const s = c.stats();
    const [hot, warm, cold] = s.tiers;
    expect(hot!.promotions).toBe(1);
    expect(warm!.demotions).toBeGreaterThanOrEqual(2);
    expect(cold!.demotions + warm!.entries + hot!.entries).toBeGreaterThanOrEqual(5);
    for (const k of ['a', 'h1', 'h2', 'h3', 'h4']) expect(await c.get(k)).toBe(k === 'a' ? 1 : k);
  });

  it('keeps TTLs across tiers with an injected clock', async () => {
    const t = clock();
    const c = new TieredCache({ clock: t.fn, seed: 1, hot: { max: 1, ttl: 1000 } });
    await c.set('x', 1, { level: 'hot', ttl: 500 });
    await c.set('y', 2, { level: 'hot' }); // x demoted to warm with ~500 ms left
    t.now += 400;
    expect(await c.get('x')).toBe(1);
    t.now += 200;
    expect(await c.get('x')).toBeUndefined();
  });

  it('getOrCompute: single flight, negative caching, timeout and abort', async () => {
    const c = new TieredCache<string>({ seed: 1, negativeTtl: 1000 });
    let calls = 0;
    let release!: (v: string) => void;
    const loader = () => {
      calls++;
      return new Promise<string>((r) => (release = r));
    };
    const p = Promise.all([
      c.getOrCompute('k', loader),
      c.getOrCompute('k', loader),
      c.getOrCompute('k', loader),
    ]);
    await new Promise((r) => setImmediate(r));
    release('v');
    expect(await p).toEqual(['v', 'v', 'v']);
    expect(calls).toBe(1);
    expect(c.stats().loader.coalesced).toBe(2);
    expect(await c.getOrCompute('k', loader)).toBe('v');
    expect(calls).toBe(1);

    let negCalls = 0;
    const none = async () => {
      negCalls++;
      return undefined as unknown as string;
    };
    await c.getOrCompute('missing', none);
    await c.getOrCompute('missing', none);
    expect(negCalls).toBe(1);

    let sawAbort = false;
    await expect(
      c.getOrCompute(
        'slow',
        (signal) =>
          new Promise<string>((_, reject) => {
            signal.addEventListener('abort', () => {
              sawAbort = true;
              reject(signal.reason);
            });
          }),
        { timeoutMs: 20 },
      ),
    ).rejects.toMatchObject({ code: 'LOADER_TIMEOUT' });
    expect(sawAbort).toBe(true);
    expect(c.stats().loader.timeouts).toBe(1);

    const ac = new AbortController();
    let finish!: (v: string) => void;
    const waiting = c.getOrCompute('wait', () => new Promise<string>((r) => (finish = r)), {
      signal: ac.signal,
    });
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    finish('late');
    await new Promise((r) => setImmediate(r));
    expect(await c.get('wait')).toBe('late');
    await c.close();
  });

  it('stale-while-revalidate serves the old value once and refreshes in the background', async () => {
    const t = clock();
    const c = new TieredCache<number>({ clock: t.fn, seed: 1, staleWhileRevalidate: 10_000 });
    let n = 0;
    const loader = async () => ++n;
    expect(await c.getOrCompute('k', loader, { ttl: 1000 })).toBe(1);
    t.now += 1500;
    expect(await c.getOrCompute('k', loader, { ttl: 1000 })).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(await c.getOrCompute('k', loader, { ttl: 1000 })).toBe(2);
    expect(c.stats().loader.staleServed).toBe(1);
    t.now += 20_000;
    expect(await c.getOrCompute('k', loader, { ttl: 1000 })).toBe(3);
    await c.close();
  });

  it('writes through to a keyv store, reads back from it and backfills the in-process tier', async () => {
    const store = new Map<string, unknown>();
    const a = new TieredCache({ seed: 1, stores: [{ name: 'shared', store }] });
    await a.set('k', { deep: [1, 2] }, { ttl: 60_000 });
    const b = new TieredCache({ seed: 2, stores: [{ name: 'shared', store }] });
    expect(await b.get('k')).toEqual({ deep: [1, 2] });
    expect(b.stats().stores[0]!.hits).toBe(1);
    expect(await b.get('k')).toEqual({ deep: [1, 2] });
    expect(b.stats().stores[0]!.hits).toBe(1);
    await b.delete('k');
    expect(await a.get('k')).toEqual({ deep: [1, 2] }); // a's own tier still has it
    expect(await new TieredCache({ stores: [{ name: 'shared', store }] }).get('k')).toBeUndefined();
    await a.close();
    await b.close();
  });

  it('a failing or hanging store is skipped: timeout, circuit breaker, counted errors, recovery', async () => {
    const t = clock();
    const flaky = new FlakyStore();
    const c = new TieredCache({
      clock: t.fn,
      seed: 1,
      hot: false,
      warm: { max: 1 },
      cold: false,
      stores: [{ name: 'flaky', store: flaky, timeoutMs: 20, failureThreshold: 2, cooldownMs: 5000 }],
    });
    await c.set('a', 1);
    flaky.mode = 'hang';
    await c.set('b', 2); // times out, still stored locally
    expect(await c.get('b')).toBe(2);
    flaky.mode = 'fail';
    expect(await c.get('a')).toBeUndefined(); // evicted locally; store failing -> a miss, no throw
    let s = c.stats().stores[0]!;
    expect(s.timeouts).toBe(1);
    expect(s.errors).toBe(2);
    expect(s.circuit).toBe('open');
    const before = flaky.calls;
    await c.get('zz');
    await c.set('zz', 1);
    expect(flaky.calls).toBe(before); // open circuit: not hammered
    expect(c.stats().stores[0]!.skipped).toBe(2);
    flaky.mode = 'ok';
    t.now += 5000; // half-open: one probe
    await c.get('a');
    s = c.stats().stores[0]!;
    expect(s.circuit).toBe('closed');
    await c.close();
  });

  it('wrap() keys calls and close() rejects further use', async () => {
    const c = new TieredCache<number>({ seed: 1 });
    let calls = 0;
    const square = c.wrap(
      async (x: number) => {
        calls++;
        return x * x;
      },
      (x) => `sq:${x}`,
    );
    expect(await square(3)).toBe(9);
    expect(await square(3)).toBe(9);
    expect(calls).toBe(1);
    await c.close();
    await expect(c.set('x', 1)).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

import { DEFAULT_POOL_CONFIGS, PoolConfigError, PoolRegistry, SmartConnectionManager } from '../src/index.js';
import { fieldOf } from './configErrors.js';
import { FakeFactory, until } from './fakeFactory.js';

describe('PoolRegistry (SmartConnectionManager)', () => {
  it('creates named pools lazily from config and keeps their min size', async () => {
    const db = new FakeFactory();
    const cache = new FakeFactory();
    const reg = new PoolRegistry({
      pools: {
        database_primary: { min_size: 2, max_size: 4, health_check_interval: 0 },
        cache_db: { min_size: 1, max_size: 3, health_check_interval: 0 },
      },
      factories: { database_primary: db, cache_db: cache },
    });
    expect(db.createCalls).toBe(0); // nothing before first use
    const pool = reg.get('database_primary');
    expect(reg.get('database_primary')).toBe(pool);
    await until(() => pool.stats().free === 2);
    expect(await reg.use('database_primary', (r) => r.id)).toBeGreaterThan(0);
    expect(cache.createCalls).toBe(0);
    expect(Object.keys(reg.stats())).toEqual(['database_primary']);
    const [knob] = reg.knobs();
    expect(knob).toMatchObject({ name: 'pool.database_primary.max_size', min: 1, max: 8 });
    knob!.set(8);
    expect(reg.knobs()[0]!.max).toBe(8); // bounds stay those of the config, not of the moved knob
    expect(pool.max).toBe(8);
    await reg.close();
    expect(db.live).toHaveLength(0);
    expect(() => reg.get('database_primary')).toThrow(/closed/);
  });

  it('defaults to the sketch configs and names unknown pools at construction', () => {
    const f = new FakeFactory();
    expect(new SmartConnectionManager({ factories: { vector_db: f } }).names()).toEqual(
      Object.keys(DEFAULT_POOL_CONFIGS),
    );
    expect(fieldOf(() => new PoolRegistry({ factories: { nope: f } }))).toBe('UNKNOWN_POOL:factories.nope');
    expect(
      fieldOf(() => new PoolRegistry({ pools: { a: { min_size: 3, max_size: 1 } }, factories: { a: f } })),
    ).toBe('INVALID_CONFIG:pools.a.min_size');
    expect(
      fieldOf(
        () =>
          new PoolRegistry({
            factories: { llm_primary: f },
            failover: { llm: { primary: 'llm_primary', fallback: 'llm_backup' } },
          }),
      ),
    ).toBe('UNKNOWN_POOL:failover.llm.fallback');
    const reg = new PoolRegistry({ factories: { llm_primary: f } });
    expect(fieldOf(() => reg.get('nope' as 'llm_primary'))).toBe('UNKNOWN_POOL:nope');
    expect(fieldOf(() => reg.get('cache_db' as 'llm_primary'))).toBe('INVALID_CONFIG:factories.cache_db');
  });

  it('builds named failover pairs and adaptive sizers', async () => {
    const p = new FakeFactory();
    const fb = new FakeFactory();
    const config = { min_size: 0, max_size: 2, health_check_interval: 0, acquire_timeout: 0.05 };
    const reg = new PoolRegistry({
      pools: { llm_primary: config, llm_fallback: config },
      factories: { llm_primary: p, llm_fallback: fb },
      failover: {
        llm: { primary: 'llm_primary', fallback: 'llm_fallback', breaker: { failureThreshold: 1 } },
      },
      adaptive: { intervalMs: 60_000 },
    });
    const pair = reg.failover('llm');
    expect(reg.failover('llm')).toBe(pair);
    p.mode = 'throw';
    expect(await pair.use((_r, route) => route)).toBe('fallback');
    expect(pair.state).toBe('open');
    expect(reg.sizer('llm_primary')).toBeDefined();
    expect(() => reg.failover('other')).toThrow(PoolConfigError);
    await reg.close();
  });
});

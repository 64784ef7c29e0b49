import fc from 'fast-check';
import { DEFAULT_POOL_CONFIGS, parsePoolConfig, PoolConfigError } from '../src/index.js';
import { fieldOf } from './configErrors.js';

describe('parsePoolConfig', () => {
  it('reads the sketch numbers in seconds and resolves milliseconds', () => {
    expect(parsePoolConfig(DEFAULT_POOL_CONFIGS.database_primary)).toEqual({
      minSize: 5,
      maxSize: 20,
      maxIdleTimeMs: 600_000,
      connectionTimeoutMs: 10_000,
      healthCheckIntervalMs: 30_000,
      acquireTimeoutMs: 10_000,
      createRetryIntervalMs: 200,
      validateOnBorrow: false,
      failFast: false,
    });
  });

  it('accepts camelCase with the same meaning', () => {
    expect(
      parsePoolConfig({ minSize: 1, maxSize: 4, maxIdleTime: 60, healthCheckInterval: 0 }),
    ).toMatchObject({
      minSize: 1,
      maxSize: 4,
      maxIdleTimeMs: 60_000,
      healthCheckIntervalMs: 0,
    });
    expect(parsePoolConfig(undefined)).toMatchObject({ minSize: 0, maxSize: 10 });
  });

  it('names the field of every bad option', () => {
    expect(fieldOf(() => parsePoolConfig({ min_size: 5, max_size: 2 }))).toBe('INVALID_CONFIG:min_size');
    expect(fieldOf(() => parsePoolConfig({ minSize: 5, maxSize: 2 }))).toBe('INVALID_CONFIG:minSize');
    expect(fieldOf(() => parsePoolConfig({ max_idle_time: -1 }))).toBe('INVALID_CONFIG:max_idle_time');
    expect(fieldOf(() => parsePoolConfig({ connection_timeout: 0 }))).toBe(
      'INVALID_CONFIG:connection_timeout',
    );
    expect(fieldOf(() => parsePoolConfig({ healthCheckInterval: -5 }))).toBe(
      'INVALID_CONFIG:healthCheckInterval',
    );
    expect(fieldOf(() => parsePoolConfig({ max_size: 0 }))).toBe('INVALID_CONFIG:max_size');
    expect(fieldOf(() => parsePoolConfig({ min_size: 1.5 }))).toBe('INVALID_CONFIG:min_size');
    expect(fieldOf(() => parsePoolConfig({ max_size: '3' }))).toBe('INVALID_CONFIG:max_size');
    expect(fieldOf(() => parsePoolConfig({ maxsize: 3 }))).toBe('INVALID_CONFIG:maxsize');
    expect(fieldOf(() => parsePoolConfig({ max_size: 3, maxSize: 4 }))).toBe('INVALID_CONFIG:maxSize');
    expect(fieldOf(() => parsePoolConfig({ max_size: -1 }, 'pools.cache_db'))).toBe(
      'INVALID_CONFIG:pools.cache_db.max_size',
    );
    expect(() => parsePoolConfig({ min_size: 3, max_size: 1 })).toThrow(/min_size: must not exceed max_size/);
  });

  it('never accepts min > max nor negative times (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -3, max: 30 }),
        fc.integer({ min: -3, max: 30 }),
        fc.double({ min: -10, max: 10, noNaN: true }),
        (min, max, idle) => {
          let ok = true;
          try {
            const c = parsePoolConfig({ min_size: min, max_size: max, max_idle_time: idle });
            expect(c.minSize).toBeLessThanOrEqual(c.maxSize);
            expect(c.maxIdleTimeMs).toBeGreaterThanOrEqual(0);
          } catch (err) {
            expect(err).toBeInstanceOf(PoolConfigError);
            ok = false;
          }
          expect(ok).toBe(min >= 0 && max >= 1 && min <= max && idle >= 0);
        },
      ),
      { seed: 7 },
    );
  });
});

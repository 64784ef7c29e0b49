import { AdaptiveSizer, Pool, PoolConfigError, type PoolUsage, type SizablePool } from '../src/index.js';
import { FakeFactory } from './fakeFactory.js';

/** A pool stand-in whose usage the test scripts window by window. */
class ScriptedPool implements SizablePool {
  name = 'database_primary';
  min = 1;
  max = 10;
  private _u: PoolUsage = {
    atMs: 0,
    acquires: 0,
    releases: 0,
    busyMs: 0,
    waitCounts: new Array<number>(19).fill(0),
    inUse: 0,
    pending: 0,
    peakInUse: 0,
  };
  resizes: Array<[number, number]> = [];
  /** One window: `rate` acquires/s each held `holdMs`, waits recorded in bucket `waitBucket`. */
  window(
    ms: number,
    rate: number,
    holdMs: number,
    opts: { peak?: number; waitBucket?: number; pending?: number } = {},
  ) {
    const n = Math.round((rate * ms) / 1000);
    const waitCounts = this._u.waitCounts.slice();
    waitCounts[opts.waitBucket ?? 0]! += n;
    this._u = {
      atMs: this._u.atMs + ms,
      acquires: this._u.acquires + n,
      releases: this._u.releases + n,
      busyMs: this._u.busyMs + n * holdMs,
      waitCounts,
      inUse: 0,
      pending: opts.pending ?? 0,
      peakInUse: opts.peak ?? Math.ceil((rate * holdMs) / 1000),
    };
  }
  usage(): PoolUsage {
    return this._u;
  }
  resize(min: number, max: number): void {
    this.min = min;
    this.max = max;
    this.resizes.push([min, max]);
  }
}

describe('AdaptiveSizer', () => {
  it("applies Little's law: 200 req/s held 20 ms need 4 connections (+25 % headroom -> 5)", () => {
    const pool = new ScriptedPool();
    const sizer = new AdaptiveSizer(pool);
    expect(sizer.apply()).toBeUndefined(); // first call opens the window
    pool.window(10_000, 200, 20);
    const d = sizer.apply()!;
    expect(d.arrivalsPerSec).toBeCloseTo(200);
    expect(d.holdMs).toBeCloseTo(20);
    expect(d.concurrency).toBeCloseTo(4);
    expect(d.to).toEqual({ min: 4, max: 5 });
    expect(pool.resizes).toEqual([[4, 5]]);
  });

  it('grows when the p99 wait is above target at max, up to its bound', () => {
    const pool = new ScriptedPool();
    const sizer = new AdaptiveSizer(pool, { maxSize: 12, targetWaitMs: 5 });
    sizer.apply();
    pool.window(1000, 400, 25, { peak: 10, waitBucket: 10, pending: 30 }); // waits ~100 ms
    const d = sizer.apply()!;
    expect(d.p99WaitMs).toBeGreaterThan(5);
    expect(d.to.max).toBe(12);
    expect(d.reason).toMatch(/grow/);
  });

  it('does not apply changes below the threshold', () => {
    const pool = new ScriptedPool();
    const sizer = new AdaptiveSizer(pool, { threshold: 0.2, headroom: 0 });
    sizer.apply();
    pool.window(1000, 100, 90, { peak: 9 }); // L = 9 -> 9 (10 %)
    expect(sizer.apply()!.applied).toBe(false);
    expect(pool.resizes).toEqual([]);
  });

  it('runs at its interval on injected timers, and exposes max_size as a knob', () => {
    const pool = new ScriptedPool();
    let tick: (() => void) | undefined;
    let cleared = false;
    const sizer = new AdaptiveSizer(pool, {
      intervalMs: 300_000,
      timers: { setInterval: (fn) => ((tick = fn), 1), clearInterval: () => void (cleared = true) },
    });
    sizer.start();
    pool.window(300_000, 50, 100); // L = 5
    tick!();
    expect(sizer.lastDecision?.to.max).toBe(7);
    sizer.stop();
    expect(cleared).toBe(true);
    expect(sizer.knob).toMatchObject({ name: 'pool.database_primary.max_size', min: 1, max: 20 });
    sizer.knob.set(50);
    expect(sizer.knob.get()).toBe(20);
    expect(() => new AdaptiveSizer(pool, { headroom: -1 })).toThrow(PoolConfigError);
  });

  it('measures a real Pool through usage() with an injected clock', async () => {
    let t = 0;
    const pool = new Pool({
      factory: new FakeFactory(),
      config: { max_size: 8, health_check_interval: 0 },
      now: () => t,
    });
    const sizer = new AdaptiveSizer(pool, { headroom: 0 });
    sizer.apply();
    // 3 resources held 100 ms each, every 100 ms, for 1 s: concurrency 3.
    for (let step = 0; step < 10; step++) {
      const held = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
      t += 100;
      held.forEach((r) => pool.release(r));
    }
    const d = sizer.apply()!;
    expect(d.concurrency).toBeCloseTo(3);
    expect(d.holdMs).toBeCloseTo(100);
    expect(d.arrivalsPerSec).toBeCloseTo(30);
    expect(pool.max).toBe(3);
    await pool.close();
  });
});

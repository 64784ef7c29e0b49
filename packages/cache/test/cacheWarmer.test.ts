import { CacheWarmer, nextCronTime, type Timers, TieredCache } from '../src/index.js';

function fakeTimers() {
  const pending: Array<{ fn: () => void; at: number; id: number }> = [];
  let id = 0;
  const t: Timers & { fire(): void; count(): number; delays: number[] } = {
    delays: [],
    setTimeout(fn, ms) {
      t.delays.push(ms);
      pending.push({ fn, at: ms, id: ++id });
      return id;
    },
    clearTimeout(h) {
      const i = pending.findIndex((p) => p.id === h);
      if (i >= 0) pending.splice(i, 1);
    },
    fire() {
      pending.shift()?.fn();
    },
    count: () => pending.length,
  };
  return t;
}

describe('CacheWarmer', () => {
  it('dumps and loads snapshots through the @hp/data envelope (levels and TTLs kept)', async () => {
    let now = 1_000_000;
    const a = new TieredCache({ seed: 1, clock: () => now });
    await a.set('llm_response:1', { text: 'x' }, { ttl: 10_000 });
    await a.set('agent_memory:7', ['saw a tree']);
    await a.set('state_snapshot:3', new Map([['tick', 3]]));
    const bytes = new CacheWarmer({ cache: a }).dump();
    const b = new TieredCache({ seed: 2, clock: () => now });
    expect(await new CacheWarmer({ cache: b }).load(bytes)).toBe(3);
    expect(await b.get('llm_response:1')).toEqual({ text: 'x' });
    expect(b.tier('hot')!.has('agent_memory:7')).toBe(true);
    expect(await b.get('state_snapshot:3')).toEqual(new Map([['tick', 3]]));
    now += 10_001;
    expect(await b.get('llm_response:1')).toBeUndefined();

    const only = new TieredCache({ seed: 3 });
    const w = new CacheWarmer({ cache: only }).registerSnapshot('agent_memories', () => bytes);
    expect(await w.warm('agent_memories')).toBe(1);
    expect(await only.get('agent_memory:7')).toEqual(['saw a tree']);
    expect(await only.get('llm_response:1')).toBeUndefined();
    await expect(new CacheWarmer({ cache: only }).load(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({
      code: 'INVALID_SNAPSHOT',
    });
    await expect(w.warm('nope')).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });

  it('warms from a key list with a loader (bounded concurrency, single flight)', async () => {
    const cache = new TieredCache({ seed: 1 });
    let active = 0;
    let peak = 0;
    const loaded = await new CacheWarmer({ cache }).warmFromKeys(
      Array.from({ length: 20 }, (_, i) => `llm_response:${i}`),
      async (key) => {
        peak = Math.max(peak, ++active);
        await new Promise((r) => setImmediate(r));
        active--;
        return key.toUpperCase();
      },
      { concurrency: 4 },
    );
    expect(loaded).toBe(20);
    expect(peak).toBeLessThanOrEqual(4);
    expect(await cache.get('llm_response:5')).toBe('LLM_RESPONSE:5');
  });

  it('runs schedules on injected timers (interval and cron) and cancels them on close', async () => {
    const timers = fakeTimers();
    const now = Date.UTC(2026, 0, 1, 10, 7, 30);
    const cache = new TieredCache({ seed: 1 });
    let runs = 0;
    const w = new CacheWarmer({ cache, timers, clock: () => now }).register('llm_responses', async () => {
      runs++;
      return 1;
    });
    w.schedule('llm_responses', { everyMs: 60_000 });
    w.schedule('llm_responses', { cron: '*/15 * * * *' });
    expect(timers.delays).toEqual([60_000, Date.UTC(2026, 0, 1, 10, 15) - now]);
    timers.fire();
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(1);
    expect(timers.count()).toBe(2); // re-armed
    expect(w.runs.get('llm_responses')).toEqual({ runs: 1, entries: 1, failures: 0 });
    w.close();
    expect(timers.count()).toBe(0);
  });

  it('computes next cron times', () => {
    const t = Date.UTC(2026, 0, 1, 23, 59);
    expect(nextCronTime('0 0 * * *', t)).toBe(Date.UTC(2026, 0, 2, 0, 0));
    expect(nextCronTime('30 9 * * 1', t)).toBe(Date.UTC(2026, 0, 5, 9, 30)); // next Monday
    expect(() => nextCronTime('61 * * * *', t)).toThrow(/out of range/);
    expect(() => nextCronTime('* *', t)).toThrow(/5 fields/);
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunSignals } from '../src/llmOptimizer.js';
import { parseShiftSchedule, ShiftRunner, type ShiftTarget } from '../src/shiftSchedule.js';
import { runShifting } from './support/shiftingRun.js';

const popularity = { a: { share: 1, keys: 4, zipf: 1 } };

describe('shift schedule: key-popularity phases', () => {
  it('needs a cache budget for phases with keys', () => {
    expect(() =>
      parseShiftSchedule({ windowSeconds: 1, phases: [{ name: 'k', at: 0, keys: popularity }] }),
    ).toThrow(/cache: phases with keys need a cache budget/);
    const s = parseShiftSchedule({
      windowSeconds: 1,
      phases: [{ name: 'k', at: 0, keys: popularity }],
      cache: { budget: 10, initial: { a: 10 } },
    });
    expect(s.cache).toEqual({ budget: 10, initial: { a: 10 } });
  });

  it('hands each new popularity to the target and measures the hit ratio and cache sizes per window', async () => {
    jest.useFakeTimers();
    try {
      let now = 0;
      const seen: unknown[] = [];
      const target: ShiftTarget = {
        reconfigure: () => undefined,
        count429: () => 0,
        concurrency: () => 1,
        keys: (p) => seen.push(p),
        cacheSizes: () => ({ a: 3 }),
      };
      const runner = new ShiftRunner(
        parseShiftSchedule({
          windowSeconds: 1,
          phases: [
            { name: 'p1', at: 0, keys: popularity },
            { name: 'p2', at: 1, keys: { a: { share: 1, keys: 8, zipf: 0.5 } } },
          ],
          cache: { budget: 6 },
        }),
        target,
        () => now,
      ).start();
      expect(seen).toEqual([popularity]);
      runner.record(0.1, true, true);
      runner.record(0.1, true, false);
      runner.record(0.1, true, true);
      runner.record(0.1, true);
      now = 1000;
      jest.advanceTimersByTime(1000);
      expect(seen).toHaveLength(2);
      await runner.close();
      expect(runner.windows[0]).toMatchObject({ hitRatio: 0.5, cacheSizes: { a: 3 } });
    } finally {
      jest.useRealTimers();
    }
  });

  it('RunSignals hitRatio is the share of cached completions in the window', () => {
    const s = new RunSignals({ clock: () => 0, windowSeconds: 1, count429: () => 0 });
    expect(s.signals().hitRatio!()).toBeNaN();
    s.add(NaN);
    s.add(0.5);
    s.add(NaN);
    s.add(0.2);
    expect(s.signals().hitRatio!()).toBe(0.5);
  });

  it('the shifting driver answers a popularity phase from the response caches and tunes their split', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-runner-keys-'));
    try {
      const out = join(dir, 'windows.json');
      const shifts = join(dir, 'shifts.json');
      writeFileSync(
        shifts,
        JSON.stringify({
          windowSeconds: 0.2,
          durationSeconds: 0.8,
          phases: [
            { name: 'own prompts', at: 0, rpm: 6000 },
            {
              name: 'popular',
              at: 0.2,
              keys: { a: { share: 1, keys: 5, zipf: 1 }, b: { share: 1, keys: 1000, zipf: 0.5 } },
            },
          ],
          cache: { budget: 20, initial: { a: 10, b: 10 } },
          out,
        }),
      );
      const { report } = await runShifting(shifts);
      expect(report.errors).toBe(0);
      expect(Object.keys(report.optimizer!.knobs).sort()).toEqual([
        'cache.a.entries',
        'cache.b.entries',
        'llm.concurrency',
      ]);
      const { windows } = JSON.parse(readFileSync(out, 'utf8')) as {
        windows: { phase: string; hitRatio: number | null; cacheSizes: Record<string, number> }[];
      };
      const popular = windows.filter((w) => w.phase === 'popular');
      expect(popular.length).toBeGreaterThan(0);
      expect(Math.max(...popular.map((w) => w.hitRatio ?? 0))).toBeGreaterThan(0);
      for (const w of windows) expect(w.cacheSizes.a! + w.cacheSizes.b!).toBe(20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

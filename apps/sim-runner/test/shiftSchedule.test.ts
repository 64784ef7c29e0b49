import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunSignals } from '../src/llmOptimizer.js';
import { defaultConfig } from '../src/config.js';
import { runSimulation } from '../src/runner.js';
import {
  loadShiftSchedule,
  parseShiftSchedule,
  ShiftRunner,
  ShiftScheduleError,
  type ShiftTarget,
} from '../src/shiftSchedule.js';
import { createShiftingLlmDriver } from '../src/shiftingDriver.js';
import { runShifting } from './support/shiftingRun.js';

describe('parseShiftSchedule', () => {
  it('accepts phases in time order from 0 and names the first bad key otherwise', () => {
    const s = parseShiftSchedule({
      windowSeconds: 2,
      phases: [
        { name: 'base', at: 0, rpm: 600, latency: { ttftMs: 300 } },
        { name: 'limit / 2', at: 60, rpm: 300 },
      ],
    });
    expect(s.phases[1]).toEqual({ name: 'limit / 2', at: 60, rpm: 300 });
    expect(() => parseShiftSchedule({ windowSeconds: 2, phases: [{ name: 'a', at: 5 }] })).toThrow(
      /phases: the first phase must start at 0/,
    );
    const unordered = {
      windowSeconds: 2,
      phases: [
        { name: 'a', at: 0 },
        { name: 'b', at: 0 },
      ],
    };
    expect(() => parseShiftSchedule(unordered)).toThrow(/increasing order/);
    expect(() => parseShiftSchedule({ windowSeconds: 2, phases: [{ name: 'a', at: 0, rmp: 1 }] })).toThrow(
      ShiftScheduleError,
    );
  });

  it('loadShiftSchedule reports an unreadable file with its name', async () => {
    await expect(loadShiftSchedule('/nonexistent/shifts.json')).rejects.toThrow(
      /shift schedule \/nonexistent\/shifts\.json/,
    );
  });
});

describe('ShiftRunner', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-runner-shifts-'));
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies each phase at its time and measures fixed windows', async () => {
    let now = 0;
    let total429 = 0;
    const changes: unknown[] = [];
    const target: ShiftTarget = {
      reconfigure: (c) => changes.push(c),
      count429: () => total429,
      concurrency: () => 7,
    };
    const out = join(dir, 'windows.json');
    const runner = new ShiftRunner(
      parseShiftSchedule({
        windowSeconds: 1,
        durationSeconds: 2,
        phases: [
          { name: 'base', at: 0, rpm: 600, rateLimitFill: 0 },
          { name: 'slow', at: 1, latency: { ttftMs: 600 } },
        ],
        out,
      }),
      target,
      () => now,
    ).start();
    expect(changes).toEqual([{ rpm: 600, rateLimitFill: 0 }]);
    expect(runner.phase).toBe('base');
    for (const s of [0.1, 0.2, 0.3, 0.4]) runner.record(s, true);
    runner.record(0.5, false);
    total429 = 2;
    now = 1000;
    jest.advanceTimersByTime(1000);
    expect(changes).toEqual([{ rpm: 600, rateLimitFill: 0 }, { latency: { ttftMs: 600 } }]);
    runner.record(1, true);
    now = 2000;
    jest.advanceTimersByTime(1000);
    expect(runner.expired).toBe(true);
    await runner.close();
    expect(runner.windows).toEqual([
      expect.objectContaining({
        index: 0,
        start: 0,
        end: 1,
        requests: 5,
        throughput: 5,
        errors: 1,
        p95: 0.5,
        rateLimited: 2,
        concurrency: 7,
      }),
      expect.objectContaining({ index: 1, phase: 'slow', requests: 1, rateLimited: 0, p95: 1 }),
    ]);
    expect(runner.windows[0]!.mean).toBeCloseTo(0.3, 9);
    const written = JSON.parse(readFileSync(out, 'utf8')) as { windows: unknown[] };
    expect(written.windows).toHaveLength(2);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('RunSignals queueDelay', () => {
  it('is the mean wait of the requests started since the last read', () => {
    let wait = { waitMs: 0, started: 0 };
    const s = new RunSignals({ clock: () => 0, windowSeconds: 1, count429: () => 0, queueWait: () => wait });
    const signals = s.signals();
    expect(signals.queueDelay!()).toBeNaN();
    wait = { waitMs: 1000, started: 4 };
    expect(signals.queueDelay!()).toBe(0.25);
    wait = { waitMs: 1000, started: 6 };
    expect(signals.queueDelay!()).toBe(0);
    expect(new RunSignals({ clock: () => 0, windowSeconds: 1, count429: () => 0 }).signals().queueDelay).toBe(
      undefined,
    );
  });
});

describe('createShiftingLlmDriver', () => {
  it('runs the LLM-agent model against the emulator while its conditions shift, and stops at the duration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-runner-shifting-'));
    try {
      const out = join(dir, 'windows.json');
      const shifts = join(dir, 'shifts.json');
      writeFileSync(
        shifts,
        JSON.stringify({
          windowSeconds: 0.2,
          durationSeconds: 0.8,
          phases: [
            { name: 'base', at: 0, rpm: 6000 },
            { name: 'slow', at: 0.4, latency: { ttftMs: 600 }, rpm: 3000 },
          ],
          out,
        }),
      );
      const { report } = await runShifting(shifts);
      expect(report.wallSeconds).toBeLessThan(5);
      expect(report.requests).toBeGreaterThan(0);
      expect(report.errors).toBe(0);
      expect(report.optimizer?.enabled).toBe(true);
      const { windows } = JSON.parse(readFileSync(out, 'utf8')) as { windows: { phase: string }[] };
      expect(windows.map((w) => w.phase)).toEqual(expect.arrayContaining(['base', 'slow']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('needs a schedule', async () => {
    await expect(
      runSimulation({
        scenario: { name: 's', agents: 2, steps: 1, concurrency: 1 },
        config: defaultConfig(),
        seed: 1,
        model: 'shifting',
        drivers: { shifting: createShiftingLlmDriver },
      }),
    ).rejects.toThrow(ShiftScheduleError);
  });
});

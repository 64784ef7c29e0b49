import { DueScheduler, type SchedulerHost } from '../../src/emulator/dueScheduler.js';

/**
 * A manual event loop: a clock, timers that fire off their target by a seeded error (early by up to
 * `earlyMs`, as Node's millisecond timers do from a stale loop time, or late by up to `lateMs`), and immediates
 * that each cost `turnMs` of clock.
 */
function manualLoop(opts: {
  earlyMs: number;
  lateMs: number;
  turnMs: number;
  seed: number;
  /** 1 = Node's whole-ms timers (default), 0 = a sub-ms timer. */
  resolutionMs?: number;
}) {
  const resolution = opts.resolutionMs ?? 1;
  let t = 1000;
  let seed = opts.seed;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const timers = new Map<number, { at: number; fn: () => void }>();
  const immediates = new Map<number, () => void>();
  let ids = 0;
  let timersSet = 0;
  let immediatesRun = 0;
  const host: SchedulerHost = {
    now: () => t,
    resolutionMs: resolution,
    setTimeout(fn, ms) {
      const at =
        t +
        (resolution === 1 ? Math.max(1, Math.trunc(ms)) : ms) -
        opts.earlyMs +
        rand() * (opts.earlyMs + opts.lateMs);
      timers.set(++ids, { at, fn });
      timersSet++;
      return ids;
    },
    clearTimeout: (h) => void timers.delete(h as number),
    setImmediate(fn) {
      immediates.set(++ids, fn);
      return ids;
    },
    clearImmediate: (h) => void immediates.delete(h as number),
  };
  // like Node: a timer waits a whole number of ms, at least 1
  /** Runs the loop until nothing is armed. */
  const run = (): void => {
    for (let guard = 0; guard < 1_000_000; guard++) {
      if (immediates.size > 0) {
        const [id, fn] = immediates.entries().next().value!;
        immediates.delete(id);
        t += opts.turnMs;
        immediatesRun++;
        fn();
        continue;
      }
      if (timers.size === 0) return;
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of timers) if (!next || e[1].at < next[1].at) next = e;
      timers.delete(next![0]);
      t = Math.max(t, next![1].at);
      next![1].fn();
    }
    throw new Error('loop did not settle');
  };
  return {
    host,
    run,
    now: () => t,
    armed: () => timers.size + immediates.size,
    counts: () => ({ timersSet, immediatesRun }),
  };
}

function dues(n: number, from: number): number[] {
  // spread over 0-60 ms, several equal and several within a fraction of a ms of each other
  return Array.from({ length: n }, (_, i) => from + ((i * 37) % 60) + (i % 3) * 0.3);
}

describe('DueScheduler', () => {
  for (const spinMs of [0, 1]) {
    it(`never runs a callback before its due time, with timers that fire up to a tick early (spinMs ${spinMs})`, () => {
      const loop = manualLoop({ earlyMs: 1, lateMs: 1, turnMs: 0.05, seed: 7 + spinMs });
      const s = new DueScheduler(spinMs, loop.host);
      const ran: { due: number; at: number; late: number; i: number }[] = [];
      const all = dues(200, loop.now() + 2);
      all.forEach((due, i) => s.at(due, (late) => ran.push({ due, at: loop.now(), late, i })));
      loop.run();
      expect(ran).toHaveLength(200);
      for (const r of ran) {
        expect(r.at).toBeGreaterThanOrEqual(r.due);
        expect(r.late).toBeGreaterThanOrEqual(0);
        expect(r.late).toBeCloseTo(r.at - r.due, 9);
      }
      // in due order, FIFO among equal dues
      for (let k = 1; k < ran.length; k++) {
        const a = ran[k - 1]!;
        const b = ran[k]!;
        expect(a.due < b.due || (a.due === b.due && a.i < b.i)).toBe(true);
      }
      expect(loop.armed()).toBe(0);
      expect(s.size).toBe(0);
    });
  }

  it('precise mode: a release is late by at most a loop turn when timers fire within a tick of their target', () => {
    const loop = manualLoop({ earlyMs: 1, lateMs: 0.99, turnMs: 0.05, seed: 3 });
    const s = new DueScheduler(1, loop.host);
    const late: number[] = [];
    for (const due of dues(100, loop.now() + 5)) s.at(due, (l) => late.push(l));
    loop.run();
    expect(late).toHaveLength(100);
    expect(Math.max(...late)).toBeLessThan(0.05 + 1e-9);
  });

  it('sub-ms host (resolution 0): a short spin window covers a wake-up that comes up to the window late', () => {
    const loop = manualLoop({ earlyMs: 0, lateMs: 0.25, turnMs: 0.02, seed: 9, resolutionMs: 0 });
    const s = new DueScheduler(0.25, loop.host);
    const late: number[] = [];
    for (const due of dues(100, loop.now() + 5)) s.at(due, (l) => late.push(l));
    loop.run();
    expect(late).toHaveLength(100);
    expect(Math.min(...late)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...late)).toBeLessThan(0.02 + 1e-9);
  });

  it('plain mode (spinMs 0) waits on timers only, re-arming one that fired early', () => {
    const loop = manualLoop({ earlyMs: 1, lateMs: 1, turnMs: 0.05, seed: 11 });
    const s = new DueScheduler(0, loop.host);
    let late = -1;
    s.at(loop.now() + 50, (l) => (late = l));
    loop.run();
    expect(late).toBeGreaterThanOrEqual(0);
    // one timer, plus one re-arm if it fired early; no busy turns beyond a due that had already passed
    expect(loop.counts().timersSet).toBeLessThanOrEqual(3);
    expect(loop.counts().immediatesRun).toBeLessThanOrEqual(1);
  });

  it('re-arms for an entry due sooner than the armed one, and never calls back synchronously', () => {
    const loop = manualLoop({ earlyMs: 0, lateMs: 0, turnMs: 0.05, seed: 1 });
    const s = new DueScheduler(1, loop.host);
    const order: string[] = [];
    s.at(loop.now() + 50, () => order.push('late'));
    s.at(loop.now() + 10, () => order.push('soon'));
    s.at(loop.now() - 1, () => order.push('past'));
    expect(order).toEqual([]);
    loop.run();
    expect(order).toEqual(['past', 'soon', 'late']);
  });

  it('a callback that schedules another runs it in a later wake, never early', () => {
    const loop = manualLoop({ earlyMs: 1, lateMs: 1, turnMs: 0.05, seed: 5 });
    const s = new DueScheduler(1, loop.host);
    const at: [number, number][] = [];
    const step = (k: number): void => {
      const due = loop.now() + 0.4;
      s.at(due, () => {
        at.push([due, loop.now()]);
        if (k < 20) step(k + 1);
      });
    };
    step(0);
    loop.run();
    expect(at).toHaveLength(21);
    for (const [due, t] of at) expect(t).toBeGreaterThanOrEqual(due);
  });

  it('clear() drops every entry and disarms', () => {
    const loop = manualLoop({ earlyMs: 0, lateMs: 0, turnMs: 0.05, seed: 1 });
    const s = new DueScheduler(1, loop.host);
    let ran = 0;
    s.at(loop.now() + 20, () => ran++);
    s.at(loop.now() + 0.5, () => ran++);
    expect(loop.armed()).toBe(1);
    s.clear();
    expect(loop.armed()).toBe(0);
    expect(s.size).toBe(0);
    loop.run();
    expect(ran).toBe(0);
  });
});

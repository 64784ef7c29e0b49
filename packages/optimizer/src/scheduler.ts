/** Runs a callback every `ms`; returns a function that stops it. Injected so tests and simulations drive time. */
export interface Scheduler {
  every(ms: number, fn: () => unknown): () => void;
}

/** Real timers (`setInterval`, unref'ed so a forgotten optimizer does not keep the process alive). */
export const timerScheduler: Scheduler = {
  every(ms, fn) {
    const handle = setInterval(() => void fn(), ms);
    handle.unref();
    return () => clearInterval(handle);
  },
};

/**
 * A scheduler driven by hand, with its own clock: `advance(ms)` runs every due callback in time order
 * and awaits each one, so a simulation of hours runs in milliseconds.
 */
export class ManualScheduler implements Scheduler {
  private _now: number;
  private readonly _tasks = new Set<{ ms: number; next: number; fn: () => unknown }>();

  constructor(start = 0) {
    this._now = start;
  }

  /** The clock (epoch ms) to hand to whatever this scheduler drives. */
  readonly clock = (): number => this._now;

  every(ms: number, fn: () => unknown): () => void {
    const task = { ms, next: this._now + ms, fn };
    this._tasks.add(task);
    return () => this._tasks.delete(task);
  }

  async advance(ms: number): Promise<void> {
    const end = this._now + ms;
    for (;;) {
      let due: { ms: number; next: number; fn: () => unknown } | undefined;
      for (const t of this._tasks) if (t.next <= end && (!due || t.next < due.next)) due = t;
      if (!due) break;
      this._now = due.next;
      due.next += due.ms;
      await due.fn();
    }
    this._now = end;
  }
}

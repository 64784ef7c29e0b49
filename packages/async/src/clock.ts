/**
 * Time as @hp/async sees it. Everything time-dependent takes a `clock` so simulations are reproducible
 * and tests run on a {@link ManualClock} without real waiting.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch (used to read HTTP-date headers too). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export type TimerHandle = unknown;

/**
 * The real clock: epoch ms with sub-millisecond resolution (performance.timeOrigin + performance.now(),
 * monotonic) and Node timers. Every timer here is one a caller's promise waits on (a batch timeout, a
 * rate-limit wait, a backoff), so it keeps the process alive like the await it serves; there are no
 * background timers, and close() clears them all.
 */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface ManualTimer {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * A clock that only moves when told to. `advance(ms)` fires due timers in time order and lets promise
 * callbacks run between them, so code awaiting timers behaves as under real time, only instantly.
 */
export class ManualClock implements Clock {
  private _now: number;
  private _nextId = 1;
  private _timers = new Map<number, ManualTimer>();

  constructor(start = 0) {
    this._now = start;
  }

  now(): number {
    return this._now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this._nextId++;
    this._timers.set(id, { id, at: this._now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this._timers.delete(handle as number);
  }

  /** Number of timers not yet fired or cleared (tests assert it is 0 after close()). */
  get pendingTimers(): number {
    return this._timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, earliest first. */
  async advance(ms: number): Promise<void> {
    const target = this._now + ms;
    await flushMicrotasks();
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this._timers.values()) if (t.at <= target && (!next || t.at < next.at)) next = t;
      if (!next) break;
      this._timers.delete(next.id);
      this._now = Math.max(this._now, next.at);
      next.fn();
      await flushMicrotasks();
    }
    this._now = target;
    await flushMicrotasks();
  }

  /** Lets pending promise callbacks run without moving time. */
  async tick(): Promise<void> {
    await flushMicrotasks();
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

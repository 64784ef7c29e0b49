/**
 * One shared scheduler for the emulator's release times ("due" times on the `performance.now()` clock): a
 * min-heap of due entries, one timer (or one `setImmediate`) armed for the earliest, and callbacks run in due
 * order (FIFO among equal dues), **never before their due time**.
 *
 * Why not one `setTimeout` per release: Node's timers count in whole milliseconds of libuv's cached loop time,
 * so a timer fires up to ~1 ms late (and, from a stale loop time, up to a tick early); the emulator then held
 * a request L + 0.7-0.8 ms on average, 1.5% more than its own latency model at L = 50 ms. Whatever the timer,
 * the clock is checked when it fires and an early one is re-armed, so nothing runs early. The emulator's
 * precise mode gives it a sub-millisecond timer (PreciseWaker, a helper thread) set `spinMs` = 0.25 ms early,
 * the rest being waited across event-loop turns (`setImmediate`, which keeps polling I/O): the thread's wake-up
 * and its message to the main loop take ~0.3 ms on this machine, so the short spin covers them. Its plain
 * mode: Node's timers, no spin. A spin window on Node's timers alone (resolution 1 ms) also reaches sub-ms
 * lateness, but with a busy loop of ~1-2 ms per wake (measured: 0.74 vs 0.34 ms of emulator CPU per request
 * at 320 req/s), so the emulator does not do that.
 * Hand-written: no timer library offers "never early, sub-ms late" on Node's millisecond timers, and the heap
 * is a few lines.
 */

/** The timer functions the scheduler uses (injected in tests, with a manual clock). */
export interface SchedulerHost {
  now(): number;
  /** Granularity of `setTimeout`, ms: 1 for Node's timers (whole ms), 0 for a sub-ms timer. Default 1. */
  readonly resolutionMs?: number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setImmediate(fn: () => void): unknown;
  clearImmediate(handle: unknown): void;
}

const realHost: SchedulerHost = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setImmediate: (fn) => setImmediate(fn),
  clearImmediate: (h) => clearImmediate(h as NodeJS.Immediate),
};

interface Entry {
  due: number;
  seq: number;
  fn: (lateMs: number) => void;
}

const before = (a: Entry, b: Entry): boolean => a.due < b.due || (a.due === b.due && a.seq < b.seq);

export class DueScheduler {
  private readonly _heap: Entry[] = [];
  private readonly _host: SchedulerHost;
  private _seq = 0;
  private _timer: unknown = undefined;
  /** The due time the armed timer is for (Infinity: none armed). */
  private _timerFor = Infinity;
  private _immediate: unknown = undefined;
  private _running = false;

  /**
   * @param spinMs how long before the earliest due time the timer wakes, the rest being waited across
   *   event-loop turns; 0 = plain millisecond timers.
   */
  constructor(
    private readonly _spinMs: number,
    host: SchedulerHost = realHost,
  ) {
    this._host = host;
  }

  /** Entries waiting. */
  get size(): number {
    return this._heap.length;
  }

  /**
   * Runs `fn(lateMs)` once the clock reaches `due`, never sooner (`lateMs` >= 0: how late it ran). `fn` is never
   * called synchronously from `at`.
   */
  at(due: number, fn: (lateMs: number) => void): void {
    this._push({ due, seq: this._seq++, fn });
    if (!this._running) this._arm();
  }

  /** Drops every entry and the armed timer (the emulator's close). */
  clear(): void {
    this._heap.length = 0;
    this._disarm();
  }

  private _disarm(): void {
    if (this._timer !== undefined) this._host.clearTimeout(this._timer);
    if (this._immediate !== undefined) this._host.clearImmediate(this._immediate);
    this._timer = undefined;
    this._timerFor = Infinity;
    this._immediate = undefined;
  }

  /** Arms the timer or the immediate for the earliest entry (keeps an armed one that is early enough). */
  private _arm(): void {
    const first = this._heap[0];
    if (!first) return this._disarm();
    if (this._immediate !== undefined) return; // a turn is coming: it re-arms
    const left = first.due - this._host.now();
    // Node runs a timer after a whole number of ms (at least 1): with a spin window, a wait shorter than the
    // window plus the timer's resolution is done across turns, or the timer could wake after the due time
    if (left <= (this._spinMs > 0 ? this._spinMs + (this._host.resolutionMs ?? 1) : 0)) {
      if (this._timer !== undefined) this._host.clearTimeout(this._timer);
      this._timer = undefined;
      this._timerFor = Infinity;
      this._immediate = this._host.setImmediate(this._wake);
      return;
    }
    if (this._timer !== undefined && this._timerFor <= first.due) return;
    if (this._timer !== undefined) this._host.clearTimeout(this._timer);
    this._timerFor = first.due;
    // plain mode: the whole wait (a tick-early firing is caught in _wake and re-armed); precise mode: wake
    // spinMs early and wait out the rest across turns
    this._timer = this._host.setTimeout(this._wake, this._spinMs > 0 ? left - this._spinMs : left);
  }

  private readonly _wake = (): void => {
    this._timer = undefined;
    this._timerFor = Infinity;
    this._immediate = undefined;
    this._running = true;
    try {
      // the clock is read again after each callback: a slow callback must not make a later entry run early
      let now = this._host.now();
      while (this._heap.length > 0 && this._heap[0]!.due <= now) {
        const e = this._pop();
        e.fn(now - e.due);
        now = this._host.now();
      }
    } finally {
      this._running = false;
      this._arm();
    }
  };

  private _push(e: Entry): void {
    const h = this._heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  private _pop(): Entry {
    const h = this._heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && before(h[r]!, h[l]!) ? r : l;
        if (!before(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

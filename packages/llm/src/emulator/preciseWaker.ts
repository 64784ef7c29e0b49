/**
 * A sub-millisecond one-shot timer for the emulator's DueScheduler: a worker thread sleeps in `Atomics.wait`
 * (whose timeout has microsecond resolution, unlike Node's millisecond timers) and posts a message when the
 * time is up, which wakes the main event loop at once. Costs no busy loop (a spin across event-loop turns to
 * cover a timer's 1-ms jitter cost the emulator ~0.4 ms of CPU per request at 320 req/s); the main thread
 * pays one `Atomics.notify` per arming and one message per wake. Never early: the worker counts the delay from
 * when it reads it, after the main thread wrote it, and DueScheduler checks the clock again anyway.
 *
 * Hand-written: no library offers a sub-ms timer on Node; the thread is started on the first arming, unref'd
 * (it never keeps a process alive) and stopped by `close()`. If it cannot start, arming falls back to
 * `setTimeout` (millisecond precision).
 */
import { Worker } from 'node:worker_threads';
import { type SchedulerHost } from './dueScheduler.js';

// the worker's code, evaluated as a CommonJS script so that it works from the sources and the bundles alike
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const i32 = new Int32Array(workerData, 0, 2); // [0] generation, [1] stop
const f64 = new Float64Array(workerData, 8, 1); // delay of the generation, ms (NaN: disarmed)
let seen = 0;
for (;;) {
  Atomics.wait(i32, 0, seen);
  if (Atomics.load(i32, 1) !== 0) break;
  const g = Atomics.load(i32, 0);
  const delay = f64[0];
  seen = g;
  if (Atomics.load(i32, 0) !== g || Number.isNaN(delay)) continue;
  const target = performance.now() + delay;
  for (;;) {
    const left = target - performance.now();
    if (left <= 0) {
      parentPort.postMessage(g);
      break;
    }
    Atomics.wait(i32, 0, g, left);
    if (Atomics.load(i32, 0) !== g) break;
  }
}
`;

export class PreciseWaker {
  private _worker: Worker | undefined;
  private _online = false;
  private _failed = false;
  private readonly _shared = new SharedArrayBuffer(16);
  private readonly _i32 = new Int32Array(this._shared, 0, 2);
  private readonly _f64 = new Float64Array(this._shared, 8, 1);
  private _gen = 0;
  private _fn: (() => void) | undefined;
  private _fallback: NodeJS.Timeout | undefined;

  /** A SchedulerHost whose timers are this waker (one armed at a time, as DueScheduler uses them). */
  host(): SchedulerHost {
    return {
      now: () => performance.now(),
      resolutionMs: 0,
      setTimeout: (fn, ms) => this.arm(fn, ms),
      clearTimeout: (h) => this.disarm(h as number),
      setImmediate: (fn) => setImmediate(fn),
      clearImmediate: (h) => clearImmediate(h as NodeJS.Immediate),
    };
  }

  /** Calls `fn` in `ms` (sub-millisecond), replacing any armed call; returns a handle for `disarm`. */
  arm(fn: () => void, ms: number): number {
    this._clearFallback();
    this._fn = fn;
    const worker = this._start();
    if (!worker) {
      this._fallback = setTimeout(() => this._fire(this._gen), Math.max(1, Math.ceil(ms)));
      return this._gen;
    }
    this._f64[0] = ms;
    this._gen = Atomics.add(this._i32, 0, 1) + 1;
    Atomics.notify(this._i32, 0);
    return this._gen;
  }

  disarm(handle: number): void {
    if (handle !== this._gen) return;
    this._fn = undefined;
    this._clearFallback();
    if (this._worker) {
      this._f64[0] = Number.NaN;
      this._gen = Atomics.add(this._i32, 0, 1) + 1;
      Atomics.notify(this._i32, 0);
    }
  }

  /**
   * Starts the thread now and waits until it runs (~30-50 ms), so that the first arming is not late by the
   * thread's start-up. Optional: arming starts it too.
   */
  async start(): Promise<void> {
    const worker = this._start();
    if (!worker) return;
    await new Promise<void>((resolve) => {
      if (this._online) return resolve();
      worker.once('online', () => resolve());
      worker.once('error', () => resolve());
    });
  }

  /** Stops the thread (the emulator's close). */
  async close(): Promise<void> {
    this._fn = undefined;
    this._clearFallback();
    const worker = this._worker;
    this._worker = undefined;
    if (!worker) return;
    Atomics.store(this._i32, 1, 1);
    Atomics.add(this._i32, 0, 1);
    Atomics.notify(this._i32, 0);
    await worker.terminate();
  }

  private _start(): Worker | undefined {
    if (this._worker || this._failed) return this._worker;
    try {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: this._shared });
      worker.unref();
      worker.once('online', () => (this._online = true));
      worker.on('message', (g: number) => this._fire(g));
      worker.on('error', () => {
        // fall back to millisecond timers for what is armed now and later
        this._failed = true;
        this._worker = undefined;
        const fn = this._fn;
        if (fn) this.arm(fn, 0);
      });
      this._worker = worker;
    } catch {
      this._failed = true;
    }
    return this._worker;
  }

  private _fire(g: number): void {
    if (g !== this._gen) return; // re-armed or disarmed since
    this._fallback = undefined;
    const fn = this._fn;
    this._fn = undefined;
    fn?.();
  }

  private _clearFallback(): void {
    if (this._fallback !== undefined) clearTimeout(this._fallback);
    this._fallback = undefined;
  }
}

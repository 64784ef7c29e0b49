// Hand-written: p-queue has priorities and concurrency but neither weighted fair shares across
// priority levels, per-key fairness, a bounded queue with a 'wait' policy, nor a token-aware gate;
// it is also ESM-only. Scheduling here is stride scheduling (weighted fair queueing) over per-priority
// deques, with a round-robin of keys inside a level: insert and dispatch are O(1) (O(levels) to pick).
import { z } from 'zod';
import { type Clock, systemClock, type TimerHandle } from './clock.js';
import { Deque } from './deque.js';
import {
  abortedError,
  type AsyncError,
  clearedError,
  closedError,
  InvalidOptionsError,
  QueueFullError,
  timeoutError,
} from './errors.js';
import { type AsyncMetrics, defaultAsyncMetrics, type MetricsSource } from './metrics.js';
import { parseOptions, zClock, zLimit, zNonNegMs, zObject, zPosInt } from './options.js';

/** What a task receives: a signal that aborts on its timeout, its caller's signal, close() or clear(). */
export interface TaskContext {
  readonly signal: AbortSignal;
  readonly priority: number;
  readonly key: string | undefined;
  /** The rate-limit permit granted to this task (renewed after each pause), when the queue has a gate. */
  readonly permit: unknown;
  /**
   * Gives this task's concurrency slot back for `ms` (e.g. a retry back-off), then waits at the head of its
   * priority level for a slot (and a gate permit) again: resolves when the task holds a slot once more. Rejects when the task is aborted, times out, or the queue is cleared or closed meanwhile.
   */
  pause(ms: number): Promise<void>;
}

export type Task<T> = (context: TaskContext) => T | PromiseLike<T>;

export interface AddOptions {
  /** 0 is the highest level, `priority_levels - 1` the lowest; out-of-range integers are clamped. Default: middle level. */
  priority?: number;
  /** Fairness key (e.g. agent id): with `fairness: 'key'`, keys of one level take turns. */
  key?: string;
  signal?: AbortSignal;
  /** Deadline in ms from add(), queue wait included; the task's signal aborts and the promise rejects with TIMEOUT. */
  timeout?: number;
  /** Estimated tokens, handed to the gate (rate limiter). */
  tokens?: number;
}

/**
 * A synchronous admission check run just before a task starts (a rate limiter): returns a permit, or
 * the number of ms to wait before asking again. The queue holds its head item meanwhile (no slot used).
 */
export interface QueueGate {
  tryAcquire(tokens: number): object | number;
}

export type SchedulingAlgorithm = 'priority_round_robin' | 'strict_priority' | 'fifo';
export type WhenFull = 'reject' | 'wait';

/** The scheduling options a PriorityQueue takes, shared with the TaskRunner that owns one. */
export const schedulingOptionsShape = {
  concurrency: zLimit.default(20),
  maxConcurrentTasks: zLimit.optional(),
  queueSizeLimit: zLimit.default(1000),
  whenFull: z.enum(['reject', 'wait']).default('reject'),
  /** Bound on producers blocked by when_full 'wait'; default: queue_size_limit. */
  maxWaiting: zLimit.optional(),
  algorithm: z.enum(['priority_round_robin', 'strict_priority', 'fifo']).default('priority_round_robin'),
  priorityLevels: zPosInt.max(64).default(3),
  /** Shares per level under saturation (priority_round_robin); default 2^(levels-1-i), e.g. 4:2:1. */
  weights: z.array(z.number().positive().finite()).optional(),
  fairness: z.enum(['none', 'key']).default('none'),
};

const optionsSchema = z.object({
  name: z.string().min(1).default('queue'),
  ...schedulingOptionsShape,
  timeout: zNonNegMs.optional(),
  gate: zObject<QueueGate>('a gate { tryAcquire(tokens) }').optional(),
  clock: zClock.optional(),
  metrics: zObject<AsyncMetrics>('an AsyncMetrics').optional(),
  /** Record wait and run histograms per task (off by default: the queue is a hot path). */
  histograms: z.boolean().default(false),
});

export type PriorityQueueOptions = z.input<typeof optionsSchema> & {
  max_concurrent_tasks?: number;
  queue_size_limit?: number;
  when_full?: WhenFull;
  max_waiting?: number;
  priority_levels?: number;
};

const QUEUED = 0;
const WAITING = 1;
const RUNNING = 2;
const DONE = 3;
/** Started, then paused: its slot is free until its pause timer puts it back in the queue. */
const PAUSED = 4;

class Item<T> implements TaskContext {
  state = QUEUED;
  settled = false;
  /** Clock time of add(), or -1 when this task is not timed. */
  addedAt = -1;
  startedAt = -1;
  permit: unknown = undefined;
  timer: TimerHandle | undefined = undefined;
  controller: AbortController | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  /** While paused (or queued again after a pause): settles the promise pause() returned. */
  resume: (() => void) | undefined = undefined;
  pauseFailed: ((error: unknown) => void) | undefined = undefined;
  pauseTimer: TimerHandle | undefined = undefined;
  pauser!: (item: Item<unknown>, ms: number) => Promise<void>;

  constructor(
    readonly fn: Task<T>,
    readonly priority: number,
    readonly key: string | undefined,
    readonly tokens: number,
    readonly userSignal: AbortSignal | undefined,
  ) {}

  pause(ms: number): Promise<void> {
    return this.pauser(this as Item<unknown>, ms);
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.userSignal?.aborted) this.controller.abort(this.userSignal.reason);
    }
    return this.controller.signal;
  }
}

class Level {
  pass = 0;
  size = 0;
  readonly items = new Deque<Item<unknown>>();
  readonly byKey = new Map<string, Deque<Item<unknown>>>();
  readonly ring = new Deque<string>();

  constructor(public stride: number) {}

  push(item: Item<unknown>, keyed: boolean): void {
    this._add(item, keyed, false);
  }

  /** Puts an item at the head of its level (and of its key, whose turn comes next). */
  pushFront(item: Item<unknown>, keyed: boolean): void {
    this._add(item, keyed, true);
  }

  private _add(item: Item<unknown>, keyed: boolean, front: boolean): void {
    this.size++;
    if (!keyed) {
      if (front) this.items.unshift(item);
      else this.items.push(item);
      return;
    }
    const key = item.key ?? '';
    let dq = this.byKey.get(key);
    if (!dq) {
      dq = new Deque();
      this.byKey.set(key, dq);
      if (!front) this.ring.push(key);
    } else if (front) this.ring.filter((k) => k !== key); // O(keys), once per retry
    if (front) {
      this.ring.unshift(key);
      dq.unshift(item);
    } else dq.push(item);
  }

  /** The next live item (dropping cancelled ones met on the way). */
  peek(keyed: boolean): Item<unknown> | undefined {
    if (!keyed) {
      let head = this.items.peek();
      while (head && head.state !== QUEUED) {
        this.items.shift();
        head = this.items.peek();
      }
      return head;
    }
    for (;;) {
      const key = this.ring.peek();
      if (key === undefined) return undefined;
      const dq = this.byKey.get(key)!;
      let head = dq.peek();
      while (head && head.state !== QUEUED) {
        dq.shift();
        head = dq.peek();
      }
      if (head) return head;
      this.ring.shift();
      this.byKey.delete(key);
    }
  }

  /** Removes the item peek() returned; its key goes to the back of the ring. */
  pop(keyed: boolean): void {
    this.size--;
    if (!keyed) {
      this.items.shift();
      return;
    }
    const key = this.ring.shift()!;
    const dq = this.byKey.get(key)!;
    dq.shift();
    if (dq.length > 0) this.ring.push(key);
    else this.byKey.delete(key);
  }

  *all(): IterableIterator<Item<unknown>> {
    yield* this.items;
    for (const dq of this.byKey.values()) yield* dq;
  }

  reset(): void {
    this.items.filter(() => false);
    this.byKey.clear();
    this.ring.filter(() => false);
    this.size = 0;
  }
}

/**
 * A bounded priority task queue with a concurrency limit (the sketch's task scheduler and LLM request
 * pool). Under saturation, `priority_round_robin` gives each level a weighted fair share, so low
 * priorities progress and are never starved; `fairness: 'key'` makes keys (agents) of a level take turns.
 *
 * When full, `when_full: 'reject'` rejects add() with {@link QueueFullError}; `'wait'` makes add() wait
 * for room (backpressure), abortable by its signal. A task that throws only fails its own promise.
 */
export class PriorityQueue implements MetricsSource {
  readonly name: string;
  private _concurrency: number;
  private _limit: number;
  private readonly _whenFull: WhenFull;
  private _maxWaiting: number;
  private readonly _algorithm: SchedulingAlgorithm;
  private readonly _levels: Level[];
  private readonly _keyed: boolean;
  private readonly _defaultPriority: number;
  private readonly _defaultTimeout: number | undefined;
  private readonly _gate: QueueGate | undefined;
  private readonly _clock: Clock;
  private readonly _metrics: AsyncMetrics;
  private readonly _histograms: boolean;
  private readonly _unregister: () => void;
  private readonly _waiters = new Deque<Item<unknown>>();
  private readonly _running = new Set<Item<unknown>>();
  /** Started tasks that gave their slot back (TaskContext.pause) and wait for their pause timer. */
  private readonly _paused = new Set<Item<unknown>>();
  private readonly _pauser = (item: Item<unknown>, ms: number): Promise<void> => this._pause(item, ms);
  private _size = 0;
  private _waiting = 0;
  private _dead = 0;
  private _vtime = 0;
  private _pumping = false;
  private _closed = false;
  private _wakeTimer: TimerHandle | undefined;
  private _wakeAt = 0;
  private _idle: (() => void)[] = [];
  /** Plain counters read by the metrics (and by tests). */
  readonly stats = {
    added: 0,
    started: 0,
    completed: 0,
    failed: 0,
    rejected: 0,
    waitMsTotal: 0,
    runMsTotal: 0,
  };

  constructor(options: PriorityQueueOptions = {}) {
    const o = parseOptions(optionsSchema, options, 'PriorityQueue');
    this.name = o.name;
    this._concurrency = o.maxConcurrentTasks ?? o.concurrency;
    this._limit = o.queueSizeLimit;
    this._whenFull = o.whenFull;
    this._maxWaiting = o.maxWaiting ?? o.queueSizeLimit;
    this._algorithm = o.algorithm;
    const n = o.algorithm === 'fifo' ? 1 : o.priorityLevels;
    if (o.weights && o.weights.length !== o.priorityLevels) {
      throw new InvalidOptionsError('weights', `needs one weight per priority level (${o.priorityLevels})`);
    }
    this._levels = Array.from({ length: n }, (_, i) => new Level(1 / (o.weights?.[i] ?? 2 ** (n - 1 - i))));
    this._keyed = o.fairness === 'key';
    this._defaultPriority = Math.floor((o.priorityLevels - 1) / 2);
    this._defaultTimeout = o.timeout;
    this._gate = o.gate;
    this._clock = o.clock ?? systemClock;
    this._metrics = o.metrics ?? defaultAsyncMetrics();
    this._histograms = o.histograms;
    this._unregister = this._metrics.register(this);
  }

  /** Tasks waiting to start. */
  get size(): number {
    return this._size;
  }

  /** Tasks running now. */
  get pending(): number {
    return this._running.size;
  }

  /** Producers blocked in add() by when_full 'wait'. */
  get waiting(): number {
    return this._waiting;
  }

  get concurrency(): number {
    return this._concurrency;
  }

  get queueSizeLimit(): number {
    return this._limit;
  }

  get closed(): boolean {
    return this._closed;
  }

  /** Changes the concurrency limit at run time (raising it starts waiting tasks at once). */
  setConcurrency(concurrency: number): void {
    if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency > 0))) {
      throw new InvalidOptionsError('concurrency', 'must be a positive integer or Infinity');
    }
    this._concurrency = concurrency;
    this._pump();
  }

  /** Changes the queue bound at run time (raising it admits waiting producers). */
  setQueueSizeLimit(limit: number): void {
    if (!(limit === Infinity || (Number.isInteger(limit) && limit > 0))) {
      throw new InvalidOptionsError('queue_size_limit', 'must be a positive integer or Infinity');
    }
    this._limit = limit;
    this._maxWaiting = Math.max(this._maxWaiting, limit);
    this._admitWaiters();
    this._pump();
  }

  /** Queues `fn`; resolves or rejects with its result. */
  add<T>(fn: Task<T>, options?: AddOptions): Promise<T> {
    if (this._closed) return Promise.reject(closedError(`PriorityQueue "${this.name}"`));
    let priority = this._defaultPriority;
    let key: string | undefined;
    let signal: AbortSignal | undefined;
    let timeout = this._defaultTimeout;
    let tokens = 0;
    if (options) {
      if (options.priority !== undefined) priority = this._level(options.priority);
      key = options.key;
      signal = options.signal;
      if (options.timeout !== undefined) timeout = options.timeout;
      if (options.tokens !== undefined) tokens = options.tokens;
      if (!(tokens >= 0 && tokens < Infinity)) {
        return Promise.reject(new InvalidOptionsError('tokens', 'must be a finite number >= 0'));
      }
      if (timeout !== undefined && !(timeout >= 0 && timeout < Infinity)) {
        return Promise.reject(new InvalidOptionsError('timeout', 'must be a finite number of ms >= 0'));
      }
    }
    if (this._algorithm === 'fifo') priority = 0;
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    const item = new Item<T>(fn, priority, key, tokens, signal);
    item.pauser = this._pauser;
    const promise = new Promise<T>((resolve, reject) => {
      item.resolve = resolve;
      item.reject = reject;
    });
    this.stats.added++;
    // Timing costs two clock reads per task: only when histograms, a gate or a deadline ask for it.
    if (this._histograms || this._gate !== undefined || timeout !== undefined)
      item.addedAt = this._clock.now();
    // Fast path: nothing queued, a slot free, no gate: start at once.
    if (
      this._size === 0 &&
      this._waiting === 0 &&
      this._running.size < this._concurrency &&
      this._gate === undefined &&
      !this._pumping
    ) {
      if (signal || timeout !== undefined) this._arm(item as Item<unknown>, signal, timeout);
      this._start(item as Item<unknown>);
      return promise;
    }
    if (this._size >= this._limit) {
      if (this._whenFull === 'reject' || this._waiting >= this._maxWaiting) {
        this.stats.rejected++;
        return Promise.reject(
          new QueueFullError(
            this._whenFull === 'wait' ? this._maxWaiting : this._limit,
            `PriorityQueue "${this.name}"`,
          ),
        );
      }
      item.state = WAITING;
      this._waiting++;
      this._waiters.push(item as Item<unknown>);
      if (signal || timeout !== undefined) this._arm(item as Item<unknown>, signal, timeout);
      return promise;
    }
    if (signal || timeout !== undefined) this._arm(item as Item<unknown>, signal, timeout);
    this._enqueue(item as Item<unknown>);
    this._pump();
    return promise;
  }

  /** Resolves when nothing is queued or running. */
  onIdle(): Promise<void> {
    if (this._closed) return Promise.resolve();
    if (this._size === 0 && this._running.size === 0 && this._waiting === 0 && this._paused.size === 0)
      return Promise.resolve();
    return new Promise((resolve) => this._idle.push(resolve));
  }

  /** Rejects every queued task and blocked producer with CLEARED; running tasks continue. */
  clear(): void {
    const error = clearedError(`PriorityQueue "${this.name}"`);
    this._dropQueued(error);
    this._checkIdle();
  }

  /**
   * Rejects queued tasks and blocked producers and the promises of running tasks with CLOSED, aborts
   * running tasks' signals and clears every timer. Idempotent.
   */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    const error = closedError(`PriorityQueue "${this.name}"`);
    this._dropQueued(error);
    for (const item of this._running) this._fail(item, error);
    this._clearWake();
    this._unregister();
    this._checkIdle();
    const idle = this._idle;
    this._idle = [];
    for (const resolve of idle) resolve();
  }

  collect(): Record<string, number> {
    return {
      'queue.depth': this._size,
      'queue.running': this._running.size,
      'queue.waiting_producers': this._waiting,
      'queue.concurrency': this._concurrency === Infinity ? -1 : this._concurrency,
      'tasks.completed': this.stats.completed,
      'tasks.failed': this.stats.failed,
      'queue.rejections': this.stats.rejected,
    };
  }

  private _level(priority: number): number {
    if (typeof priority !== 'number' || Number.isNaN(priority)) {
      throw new InvalidOptionsError('priority', `must be an integer 0..${this._levels.length - 1}`);
    }
    const p = Math.round(priority);
    return p < 0 ? 0 : p >= this._levels.length ? this._levels.length - 1 : p;
  }

  private _arm(item: Item<unknown>, signal: AbortSignal | undefined, timeout: number | undefined): void {
    if (signal) {
      item.onAbort = () => this._fail(item, abortedError(signal));
      signal.addEventListener('abort', item.onAbort, { once: true });
    }
    if (timeout !== undefined) {
      item.timer = this._clock.setTimeout(() => {
        item.timer = undefined;
        this._fail(item, timeoutError(timeout));
      }, timeout);
    }
  }

  private _disarm(item: Item<unknown>): void {
    if (item.onAbort) {
      item.userSignal!.removeEventListener('abort', item.onAbort);
      item.onAbort = undefined;
    }
    if (item.timer !== undefined) {
      this._clock.clearTimeout(item.timer);
      item.timer = undefined;
    }
  }

  private _enqueue(item: Item<unknown>, front = false): void {
    item.state = QUEUED;
    const level = this._levels[item.priority]!;
    if (level.size === 0 && level.pass < this._vtime) level.pass = this._vtime;
    if (front) level.pushFront(item, this._keyed);
    else level.push(item, this._keyed);
    this._size++;
  }

  /** Settles an item's promise with an error (abort, timeout, close, clear); a running task keeps its slot until it returns. */
  private _fail(item: Item<unknown>, error: unknown): void {
    if (item.settled) return;
    item.settled = true;
    this._disarm(item);
    if (item.state === QUEUED) {
      this._size--;
      this._levels[item.priority]!.size--;
      item.state = DONE;
      if (item.pauseFailed) {
        this.stats.failed++;
        this._failPause(item, error);
      } else this.stats.rejected++;
      // Cancelled items stay in their deque until reached; compact when they outnumber live ones.
      if (++this._dead > 1024 && this._dead > this._size) this._compact();
      this._admitWaiters();
    } else if (item.state === PAUSED) {
      this._paused.delete(item);
      item.state = DONE;
      this.stats.failed++;
      this._failPause(item, error);
    } else if (item.state === WAITING) {
      this._waiting--;
      item.state = DONE;
      this.stats.rejected++;
    } else if (item.state === RUNNING) {
      this.stats.failed++;
      item.controller?.abort(error);
      if (!item.controller) item.controller = abortedController(error);
    }
    item.reject(error);
    this._checkIdle();
  }

  /** A paused task's pause() rejects and its signal aborts, so that the task returns. */
  private _failPause(item: Item<unknown>, error: unknown): void {
    if (item.pauseTimer !== undefined) {
      this._clock.clearTimeout(item.pauseTimer);
      item.pauseTimer = undefined;
    }
    const failed = item.pauseFailed;
    item.resume = item.pauseFailed = undefined;
    item.controller?.abort(error);
    if (!item.controller) item.controller = abortedController(error);
    failed?.(error);
  }

  private _pause(item: Item<unknown>, ms: number): Promise<void> {
    if (item.state !== RUNNING || item.settled || this._closed) {
      return Promise.reject(
        item.controller?.signal.aborted
          ? item.controller.signal.reason
          : closedError(`PriorityQueue "${this.name}"`),
      );
    }
    if (!(ms >= 0 && ms < Infinity)) {
      return Promise.reject(new InvalidOptionsError('ms', 'must be a finite number of ms >= 0'));
    }
    this._running.delete(item);
    item.state = PAUSED;
    this._paused.add(item);
    const resumed = new Promise<void>((resolve, reject) => {
      item.resume = resolve;
      item.pauseFailed = reject;
    });
    item.pauseTimer = this._clock.setTimeout(() => {
      item.pauseTimer = undefined;
      if (item.state !== PAUSED) return;
      this._paused.delete(item);
      // back in the queue, at the head of its level: it was admitted (and waited) before the tasks behind it,
      // and the queue bound does not apply to it
      this._enqueue(item, true);
      this._pump();
    }, ms);
    this._pump();
    return resumed;
  }

  private _compact(): void {
    for (const level of this._levels) {
      level.items.filter((item) => item.state === QUEUED);
      for (const [key, dq] of level.byKey) {
        dq.filter((item) => item.state === QUEUED);
        if (dq.length === 0) level.byKey.delete(key);
      }
      level.ring.filter((key) => level.byKey.has(key));
    }
    this._dead = 0;
  }

  private _dropQueued(error: AsyncError): void {
    for (const level of this._levels) {
      for (const item of level.all()) {
        if (item.state !== QUEUED || item.settled) continue;
        item.settled = true;
        item.state = DONE;
        this._disarm(item);
        if (item.pauseFailed) {
          this.stats.failed++;
          this._failPause(item, error);
        } else this.stats.rejected++;
        item.reject(error);
      }
      level.reset();
    }
    this._size = 0;
    for (const item of this._paused) {
      item.settled = true;
      item.state = DONE;
      this._disarm(item);
      this.stats.failed++;
      this._failPause(item, error);
      item.reject(error);
    }
    this._paused.clear();
    for (const item of this._waiters) {
      if (item.state !== WAITING || item.settled) continue;
      item.settled = true;
      item.state = DONE;
      this._disarm(item);
      this.stats.rejected++;
      item.reject(error);
    }
    this._waiters.filter(() => false);
    this._waiting = 0;
    this._dead = 0;
  }

  private _admitWaiters(): void {
    while (this._waiting > 0 && this._size < this._limit) {
      const item = this._waiters.shift()!;
      if (item.state !== WAITING) continue;
      this._waiting--;
      this._enqueue(item);
    }
  }

  private _pickLevel(): Level | undefined {
    let best: Level | undefined;
    const strict = this._algorithm === 'strict_priority';
    for (const level of this._levels) {
      if (level.size === 0) continue;
      if (strict) return level;
      if (!best || level.pass < best.pass) best = level;
    }
    return best;
  }

  private _pump(): void {
    if (this._pumping || this._closed) return;
    this._pumping = true;
    try {
      while (this._size > 0 && this._running.size < this._concurrency) {
        const level = this._pickLevel()!;
        const item = level.peek(this._keyed)!;
        if (this._gate) {
          let permit: object | number;
          try {
            permit = this._gate.tryAcquire(item.tokens);
          } catch (error) {
            this._fail(item, error);
            continue;
          }
          if (typeof permit === 'number') {
            this._wakeIn(permit);
            break;
          }
          item.permit = permit;
        }
        level.pop(this._keyed);
        this._size--;
        this._vtime = level.pass;
        level.pass += level.stride;
        this._start(item);
      }
      this._admitWaiters();
    } finally {
      this._pumping = false;
    }
    if (this._size > 0 && this._running.size < this._concurrency && !this._wakeTimer) this._pump();
    this._checkIdle();
  }

  private _wakeIn(ms: number): void {
    const at = this._clock.now() + ms;
    if (this._wakeTimer !== undefined) {
      if (this._wakeAt <= at) return;
      this._clock.clearTimeout(this._wakeTimer);
    }
    this._wakeAt = at;
    this._wakeTimer = this._clock.setTimeout(
      () => {
        this._wakeTimer = undefined;
        this._pump();
      },
      Math.max(1, ms),
    );
  }

  private _clearWake(): void {
    if (this._wakeTimer !== undefined) {
      this._clock.clearTimeout(this._wakeTimer);
      this._wakeTimer = undefined;
    }
  }

  private _start(item: Item<unknown>): void {
    item.state = RUNNING;
    this._running.add(item);
    const resume = item.resume;
    if (resume) {
      // a paused task holds a slot again: its pause() resolves (it was counted as started once)
      item.resume = item.pauseFailed = undefined;
      resume();
      return;
    }
    this.stats.started++;
    if (item.addedAt !== -1) {
      item.startedAt = this._clock.now();
      const wait = item.startedAt - item.addedAt;
      this.stats.waitMsTotal += wait;
      if (this._histograms) this._metrics.waitTime.record(wait, { 'hp.async.component': this.name });
    }
    let result: unknown;
    try {
      result = item.fn(item);
    } catch (error) {
      this._finish(item, false, error);
      return;
    }
    if (
      result !== null &&
      typeof result === 'object' &&
      typeof (result as PromiseLike<unknown>).then === 'function'
    ) {
      (result as PromiseLike<unknown>).then(
        (value) => this._finish(item, true, value),
        (error: unknown) => this._finish(item, false, error),
      );
    } else {
      this._finish(item, true, result);
    }
  }

  private _finish(item: Item<unknown>, ok: boolean, value: unknown): void {
    this._running.delete(item);
    if (item.state === PAUSED || item.state === QUEUED) {
      // it returned while paused (without awaiting pause()): drop its pause
      if (item.state === QUEUED) {
        this._size--;
        this._levels[item.priority]!.size--;
        this._dead++;
      }
      this._paused.delete(item);
      if (item.pauseTimer !== undefined) this._clock.clearTimeout(item.pauseTimer);
      item.pauseTimer = item.resume = item.pauseFailed = undefined;
    }
    item.state = DONE;
    if (item.startedAt !== -1) {
      const run = this._clock.now() - item.startedAt;
      this.stats.runMsTotal += run;
      if (this._histograms) this._metrics.runTime.record(run, { 'hp.async.component': this.name });
    }
    if (!item.settled) {
      item.settled = true;
      if (item.onAbort !== undefined || item.timer !== undefined) this._disarm(item);
      if (ok) {
        this.stats.completed++;
        item.resolve(value);
      } else {
        this.stats.failed++;
        item.reject(value);
      }
    }
    if (this._size > 0) this._pump();
    else if (this._running.size === 0) this._checkIdle();
  }

  private _checkIdle(): void {
    if (
      this._idle.length === 0 ||
      this._size > 0 ||
      this._running.size > 0 ||
      this._waiting > 0 ||
      this._paused.size > 0
    )
      return;
    const idle = this._idle;
    this._idle = [];
    for (const resolve of idle) resolve();
  }
}

function abortedController(reason: unknown): AbortController {
  const c = new AbortController();
  c.abort(reason);
  return c;
}

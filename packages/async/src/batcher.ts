// Hand-written: DataLoader batches per tick and does not flush early when full; no well-kept library
// groups by a tolerance rule, bounds pending items and fails items one by one.
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { z } from 'zod';
import { type Clock, systemClock, type TimerHandle } from './clock.js';
import { abortedError, AsyncError, closedError, InvalidOptionsError, QueueFullError } from './errors.js';
import { type AsyncMetrics, defaultAsyncMetrics, type MetricsSource } from './metrics.js';
import { parseOptions, zClock, zFunction, zLimit, zNonNegMs, zObject, zPosInt } from './options.js';

/** An LLM-style request as the default grouping rule reads it; other fields are ignored. */
export interface LlmRequestLike {
  model?: string;
  temperature?: number;
  max_tokens?: number;
  maxTokens?: number;
}

function near(a: number | undefined, b: number | undefined, tolerance: number): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Math.abs(a - b) < tolerance;
}

/**
 * The sketch's rule for batching LLM requests: same model, temperature within 0.1 and max_tokens
 * within 100 of the group's first request (strictly less, as the sketch writes it). Fields absent on
 * both sides match; items without any of them all fall in one group.
 */
export function llmCompatible(item: unknown, leader: unknown): boolean {
  const a = (item ?? {}) as LlmRequestLike;
  const b = (leader ?? {}) as LlmRequestLike;
  return (
    a.model === b.model &&
    near(a.temperature, b.temperature, 0.1) &&
    near(a.max_tokens ?? a.maxTokens, b.max_tokens ?? b.maxTokens, 100)
  );
}

export interface BatchContext {
  /** Aborts when the batcher closes. */
  readonly signal: AbortSignal;
  readonly priority: number;
  /** The group key, when batching by `key`. */
  readonly key: string | undefined;
  readonly reason: 'full' | 'timeout' | 'flush';
}

/**
 * Processes one batch; returns one result per item, in order. An `Error` in the array fails that item
 * alone; a thrown error fails the whole batch; a missing result fails its item with BATCH_RESULT_MISSING.
 */
export type BatchProcessor<I, O> = (items: I[], context: BatchContext) => Promise<readonly (O | Error)[]>;

const optionsSchema = z.object({
  name: z.string().min(1).default('batcher'),
  batchSize: zPosInt.default(5),
  /** Longest wait of a group's first item before the group goes, in ms; a number, or one per priority level. */
  timeout: z.union([zNonNegMs, z.array(zNonNegMs).min(1)]).default(1000),
  batchTimeout: z.union([zNonNegMs, z.array(zNonNegMs).min(1)]).optional(),
  priorityLevels: zPosInt.max(64).default(3),
  /** Exact grouping key; when given, `compatible` is not used. */
  key: zFunction<(item: unknown) => string>().optional(),
  /** Whether an item may join a group, judged against the group's first item; default {@link llmCompatible}. */
  compatible: zFunction<(item: unknown, leader: unknown) => boolean>().optional(),
  /** Bound on items waiting in open groups; add() beyond it rejects with QueueFullError. */
  maxPending: zLimit.default(10_000),
  process: zFunction<BatchProcessor<unknown, unknown>>(),
  clock: zClock.optional(),
  metrics: zObject<AsyncMetrics>('an AsyncMetrics').optional(),
});

export type BatcherOptions<I, O> = Omit<
  z.input<typeof optionsSchema>,
  'process' | 'key' | 'compatible' | 'batchTimeout'
> & {
  process: BatchProcessor<I, O>;
  key?: (item: I) => string;
  compatible?: (item: I, leader: I) => boolean;
  batch_size?: number;
  batch_timeout?: number | number[];
  batchTimeout?: number | number[];
  priority_levels?: number;
  max_pending?: number;
};

interface Entry<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
  settled: boolean;
  group: Group<I, O> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface Group<I, O> {
  priority: number;
  key: string | undefined;
  leader: I;
  entries: Entry<I, O>[];
  timer: TimerHandle | undefined;
  /** When the first item's wait ends (clock time). */
  deadline: number;
}

/**
 * Collects items into groups of compatible items and hands each group to `process` as one batch:
 * at once when it reaches `batch_size`, else when its first item has waited `timeout` ms. Items of
 * different priority levels never share a batch, and a higher level can wait less (per-level timeout).
 * Results are split back to each caller; only the items that failed reject.
 */
export class Batcher<I, O> implements MetricsSource {
  readonly name: string;
  private _batchSize: number;
  private _timeouts: number[];
  private readonly _levels: number;
  private readonly _key: ((item: I) => string) | undefined;
  private readonly _compatible: (item: I, leader: I) => boolean;
  private readonly _maxPending: number;
  private readonly _process: BatchProcessor<I, O>;
  private readonly _clock: Clock;
  private readonly _metrics: AsyncMetrics;
  private readonly _unregister: () => void;
  private readonly _open: Group<I, O>[][];
  private readonly _byKey: Map<string, Group<I, O>>[];
  private readonly _inflight = new Set<{ entries: Entry<I, O>[]; controller: AbortController }>();
  private _pending = 0;
  private _closed = false;
  readonly stats = { added: 0, flushes: 0, full: 0, timedOut: 0, items: 0, itemFailures: 0, rejected: 0 };

  constructor(options: BatcherOptions<I, O>) {
    const o = parseOptions(optionsSchema, options, 'Batcher');
    this.name = o.name;
    this._batchSize = o.batchSize;
    this._levels = o.priorityLevels;
    const timeout = o.batchTimeout ?? o.timeout;
    this._timeouts = this._levelTimeouts(timeout);
    this._key = o.key as ((item: I) => string) | undefined;
    this._compatible = (o.compatible as ((item: I, leader: I) => boolean) | undefined) ?? llmCompatible;
    this._maxPending = o.maxPending;
    this._process = o.process as BatchProcessor<I, O>;
    this._clock = o.clock ?? systemClock;
    this._metrics = o.metrics ?? defaultAsyncMetrics();
    this._open = Array.from({ length: this._levels }, () => []);
    this._byKey = Array.from({ length: this._levels }, () => new Map());
    this._unregister = this._metrics.register(this);
  }

  /** Items waiting in open groups. */
  get pending(): number {
    return this._pending;
  }

  get batchSize(): number {
    return this._batchSize;
  }

  /** Changes the batch size at run time; groups already at the new size go at once. */
  setBatchSize(size: number): void {
    if (!Number.isInteger(size) || size <= 0)
      throw new InvalidOptionsError('batch_size', 'must be a positive integer');
    this._batchSize = size;
    for (const level of this._open)
      for (const g of [...level]) if (g.entries.length >= size) this._dispatch(g, 'full');
  }

  /** Changes the timeout(s) at run time, for groups opened from now on. */
  setTimeout(timeout: number | number[]): void {
    this._timeouts = this._levelTimeouts(timeout);
  }

  /** Adds an item; resolves with its own result from its batch. Priority 0 is the highest level. */
  add(item: I, options: { priority?: number; signal?: AbortSignal } = {}): Promise<O> {
    if (this._closed) return Promise.reject(closedError(`Batcher "${this.name}"`));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortedError(signal, 'batch item'));
    const p = options.priority ?? 1;
    if (typeof p !== 'number' || Number.isNaN(p)) {
      return Promise.reject(new InvalidOptionsError('priority', `must be an integer 0..${this._levels - 1}`));
    }
    const priority = Math.min(this._levels - 1, Math.max(0, Math.round(p)));
    if (this._pending >= this._maxPending) {
      this.stats.rejected++;
      return Promise.reject(new QueueFullError(this._maxPending, `Batcher "${this.name}"`));
    }
    let group: Group<I, O> | undefined;
    let key: string | undefined;
    if (this._key) {
      key = this._key(item);
      group = this._byKey[priority]!.get(key);
    } else {
      for (const g of this._open[priority]!) {
        if (this._compatible(item, g.leader)) {
          group = g;
          break;
        }
      }
    }
    if (!group) {
      const timeout = this._timeouts[priority]!;
      group = {
        priority,
        key,
        leader: item,
        entries: [],
        timer: undefined,
        deadline: this._clock.now() + timeout,
      };
      this._openGroup(group, timeout);
    }
    let entry!: Entry<I, O>;
    const promise = new Promise<O>((resolve, reject) => {
      entry = { item, resolve, reject, settled: false, group, signal, onAbort: undefined };
    });
    if (signal) {
      entry.onAbort = () => this._abort(entry);
      signal.addEventListener('abort', entry.onAbort, { once: true });
    }
    group.entries.push(entry);
    this._pending++;
    this.stats.added++;
    if (group.entries.length >= this._batchSize) this._dispatch(group, 'full');
    return promise;
  }

  /** Sends every open group now, highest priority first. */
  flush(): void {
    for (const level of this._open) for (const g of [...level]) this._dispatch(g, 'flush');
  }

  /** Rejects items of open groups and of batches in flight with CLOSED (aborting their signal); clears every timer. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    const error = closedError(`Batcher "${this.name}"`);
    for (const level of this._open) {
      for (const g of level) {
        if (g.timer !== undefined) this._clock.clearTimeout(g.timer);
        for (const e of g.entries) this._settle(e, false, error);
      }
      level.length = 0;
    }
    for (const m of this._byKey) m.clear();
    this._pending = 0;
    for (const batch of this._inflight) {
      batch.controller.abort(error);
      for (const e of batch.entries) this._settle(e, false, error);
    }
    this._inflight.clear();
    this._unregister();
  }

  collect(): Record<string, number> {
    return {
      'batch.pending': this._pending,
      'batch.flushes': this.stats.flushes,
      'batch.items': this.stats.items,
      'batch.item_failures': this.stats.itemFailures,
      'queue.rejections': this.stats.rejected,
    };
  }

  private _levelTimeouts(timeout: number | number[]): number[] {
    const list = Array.isArray(timeout) ? timeout : [timeout];
    if (list.some((t) => !(Number.isFinite(t) && t >= 0))) {
      throw new InvalidOptionsError('timeout', 'must be a number of ms >= 0 (or one per priority level)');
    }
    if (Array.isArray(timeout) && timeout.length !== this._levels) {
      throw new InvalidOptionsError('timeout', `needs one value per priority level (${this._levels})`);
    }
    return Array.from({ length: this._levels }, (_, i) => list[Math.min(i, list.length - 1)]!);
  }

  private _openGroup(group: Group<I, O>, wait: number): void {
    this._open[group.priority]!.push(group);
    if (group.key !== undefined) this._byKey[group.priority]!.set(group.key, group);
    group.timer = this._clock.setTimeout(() => {
      group.timer = undefined;
      this._dispatch(group, 'timeout');
    }, wait);
  }

  private _detach(group: Group<I, O>): void {
    if (group.timer !== undefined) {
      this._clock.clearTimeout(group.timer);
      group.timer = undefined;
    }
    const level = this._open[group.priority]!;
    const i = level.indexOf(group);
    if (i >= 0) level.splice(i, 1);
    if (group.key !== undefined && this._byKey[group.priority]!.get(group.key) === group) {
      this._byKey[group.priority]!.delete(group.key);
    }
  }

  private _abort(entry: Entry<I, O>): void {
    const group = entry.group;
    if (group) {
      const i = group.entries.indexOf(entry);
      if (i >= 0) {
        group.entries.splice(i, 1);
        this._pending--;
        if (group.entries.length === 0) this._detach(group);
        else if (group.leader === entry.item) group.leader = group.entries[0]!.item;
      }
    }
    this._settle(entry, false, abortedError(entry.signal, 'batch item'));
  }

  private _settle(entry: Entry<I, O>, ok: boolean, value: unknown): void {
    if (entry.settled) return;
    entry.settled = true;
    if (entry.onAbort) entry.signal!.removeEventListener('abort', entry.onAbort);
    if (ok) entry.resolve(value as O);
    else entry.reject(value);
  }

  private _dispatch(group: Group<I, O>, reason: BatchContext['reason']): void {
    this._detach(group);
    const entries = group.entries.splice(0, this._batchSize);
    if (group.entries.length > 0) {
      // Only after setBatchSize shrank the group: full batches go now, the rest keeps its deadline.
      const rest: Group<I, O> = { ...group, leader: group.entries[0]!.item, timer: undefined };
      for (const e of rest.entries) e.group = rest;
      if (reason !== 'full' || rest.entries.length >= this._batchSize) this._dispatch(rest, reason);
      else this._openGroup(rest, Math.max(0, rest.deadline - this._clock.now()));
    }
    if (entries.length === 0) return;
    this._pending -= entries.length;
    for (const e of entries) e.group = undefined;
    this.stats.flushes++;
    this.stats.items += entries.length;
    if (reason === 'full') this.stats.full++;
    if (reason === 'timeout') this.stats.timedOut++;
    this._metrics.batchSize.record(entries.length, { 'hp.async.component': this.name });
    const span = trace.getTracer('@hp/async').startSpan('hp.async.batch', {
      attributes: {
        'hp.async.component': this.name,
        'hp.async.batch.size': entries.length,
        'hp.async.batch.reason': reason,
        'hp.async.priority': group.priority,
      },
    });
    const controller = new AbortController();
    const batch = { entries, controller };
    this._inflight.add(batch);
    const context: BatchContext = {
      signal: controller.signal,
      priority: group.priority,
      key: group.key,
      reason,
    };
    let result: Promise<readonly (O | Error)[]>;
    try {
      result = Promise.resolve(
        this._process(
          entries.map((e) => e.item),
          context,
        ),
      );
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (results) => {
        span.end();
        this._inflight.delete(batch);
        const list = Array.isArray(results) ? results : [];
        entries.forEach((e, i) => {
          if (i >= list.length) {
            this.stats.itemFailures++;
            this._settle(
              e,
              false,
              new AsyncError(
                'BATCH_RESULT_MISSING',
                `batch processor returned no result for item ${i}: return one per item`,
              ),
            );
          } else if (list[i] instanceof Error) {
            this.stats.itemFailures++;
            this._settle(e, false, list[i]);
          } else this._settle(e, true, list[i]);
        });
      },
      (error: unknown) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error | undefined)?.message });
        span.end();
        this._inflight.delete(batch);
        this.stats.itemFailures += entries.length;
        for (const e of entries) this._settle(e, false, error);
      },
    );
  }
}

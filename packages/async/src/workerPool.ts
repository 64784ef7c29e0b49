import { dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { z } from 'zod';
import { AsyncError, abortedError, closedError, QueueFullError } from './errors.js';
import { type AsyncMetrics, defaultAsyncMetrics, type MetricsSource } from './metrics.js';
import { parseOptions, zNonNegMs, zObject, zPosInt } from './options.js';

const optionsSchema = z.object({
  name: z.string().min(1).default('workers'),
  /** Worker threads at most (the sketch's worker_pool_size). */
  workerPoolSize: zPosInt.max(1024).default(10),
  minThreads: z.number().int().nonnegative().optional(),
  /** Bound on tasks waiting for a thread; beyond it run() rejects with QueueFullError. */
  maxQueue: zPosInt.default(1000),
  idleTimeout: zNonNegMs.default(30_000),
  /** A worker module of your own (path or file URL) for run(); exec() uses the built-in worker. */
  filename: z.string().min(1).optional(),
  concurrentTasksPerWorker: zPosInt.default(1),
  metrics: zObject<AsyncMetrics>('an AsyncMetrics').optional(),
});

export type WorkerPoolOptions = z.input<typeof optionsSchema> & {
  worker_pool_size?: number;
  min_threads?: number;
  max_queue?: number;
  idle_timeout?: number;
  concurrent_tasks_per_worker?: number;
};

/** Percentiles of piscina's run or wait time histogram, in ms. */
export interface TimeSummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface WorkerPoolStats {
  threads: number;
  queueSize: number;
  completed: number;
  utilization: number;
  runTime: TimeSummary;
  waitTime: TimeSummary;
}

/** The built-in worker file next to this module: dist/worker.js for the ESM build, dist/worker.cjs for CJS. */
export function builtInWorkerFile(): string {
  return join(dirname(__filename), 'worker' + extname(__filename));
}

/**
 * CPU-bound work on worker threads, on piscina: bounded queue, AbortSignal per task, run and wait
 * time histograms surfaced through stats() and the metrics. `exec(module, name, ...args)` runs an
 * exported function of any module in a worker (built-in worker, works from the ESM and the CJS build);
 * `run(task)` feeds your own worker file (`filename`).
 */
export class WorkerPool implements MetricsSource {
  readonly name: string;
  private readonly _pool: Piscina;
  private readonly _hasOwnFile: boolean;
  private readonly _unregister: () => void;
  private _closed = false;
  private _rejected = 0;

  constructor(options: WorkerPoolOptions = {}) {
    const o = parseOptions(optionsSchema, options, 'WorkerPool');
    this.name = o.name;
    this._hasOwnFile = o.filename !== undefined;
    const filename = o.filename ?? builtInWorkerFile();
    this._pool = new Piscina({
      filename: filename.startsWith('file:') ? filename : pathToFileURL(filename).href,
      name: 'default',
      maxThreads: o.workerPoolSize,
      minThreads: Math.min(o.minThreads ?? 0, o.workerPoolSize),
      maxQueue: o.maxQueue,
      idleTimeout: o.idleTimeout,
      concurrentTasksPerWorker: o.concurrentTasksPerWorker,
      recordTiming: true,
    });
    this._unregister = (o.metrics ?? defaultAsyncMetrics()).register(this);
  }

  /** Runs `task` on your worker file (the `filename` option). */
  run<T = unknown>(task: unknown, options: { signal?: AbortSignal; name?: string } = {}): Promise<T> {
    if (!this._hasOwnFile) {
      return Promise.reject(
        new AsyncError(
          'WORKER_POOL_UNAVAILABLE',
          'run() needs the filename option (your worker file); use exec() otherwise',
        ),
      );
    }
    return this._submit<T>(task, options.signal, options.name);
  }

  /** Calls `exportName(...args)` of `module` (an absolute path or file URL) on a worker thread. */
  exec<T = unknown>(
    module: string | URL,
    exportName: string,
    args: unknown[] = [],
    options: { signal?: AbortSignal } = {},
  ): Promise<T> {
    const spec = module instanceof URL ? module.href : module;
    const task = { module: spec, export: exportName, args };
    return this._submit<T>(
      task,
      options.signal,
      undefined,
      this._hasOwnFile ? builtInWorkerFile() : undefined,
    );
  }

  /** Threads, queue, utilization and piscina's run and wait time percentiles (ms). */
  stats(): WorkerPoolStats {
    const h = this._pool.histogram;
    const summary = (s: typeof h.runTime, count: number): TimeSummary => ({
      count,
      mean: finite(s.mean),
      p50: finite(s.p50),
      p90: finite(s.p90),
      p99: finite(s.p99),
      max: finite(s.max),
    });
    return {
      threads: this._pool.threads.length,
      queueSize: this._pool.queueSize,
      completed: this._pool.completed,
      utilization: this._pool.utilization,
      runTime: summary(h.runTime, this._pool.completed),
      waitTime: summary(h.waitTime, this._pool.completed),
    };
  }

  collect(): Record<string, number> {
    if (this._closed) return {};
    const s = this.stats();
    return {
      'worker.threads': s.threads,
      'worker.queue_depth': s.queueSize,
      'worker.completed': s.completed,
      'queue.rejections': this._rejected,
      'worker.run_time_p50': s.runTime.p50,
      'worker.run_time_p99': s.runTime.p99,
      'worker.wait_time_p50': s.waitTime.p50,
      'worker.wait_time_p99': s.waitTime.p99,
    };
  }

  /** Waits for running tasks, rejects queued ones, and stops the threads. */
  async close(): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    this._unregister();
    await this._pool.close({ force: true });
    // Piscina is an EventEmitterAsyncResource that never reports its own end; do it so async_hooks
    // (and Jest's open-handle detection) see the pool as gone.
    this._pool.emitDestroy();
  }

  private async _submit<T>(
    task: unknown,
    signal?: AbortSignal,
    name?: string,
    filename?: string,
  ): Promise<T> {
    if (this._closed) throw closedError(`WorkerPool "${this.name}"`);
    if (signal?.aborted) throw abortedError(signal, 'worker task');
    try {
      return (await this._pool.run(task, {
        signal: signal ?? null,
        ...(name ? { name } : {}),
        ...(filename ? { filename: pathToFileURL(filename).href } : {}),
      })) as T;
    } catch (error) {
      const message = (error as Error | undefined)?.message ?? '';
      if (message === 'Task queue is at limit') {
        this._rejected++;
        throw new QueueFullError(this._pool.options.maxQueue, `WorkerPool "${this.name}"`);
      }
      if (signal?.aborted) throw abortedError(signal, 'worker task');
      if (this._closed && message === 'Terminating worker thread')
        throw closedError(`WorkerPool "${this.name}"`);
      throw error;
    }
  }
}

function finite(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

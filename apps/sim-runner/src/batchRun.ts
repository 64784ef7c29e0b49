import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { Piscina } from 'piscina';
import { runBatchTask, type BatchTask, type ModelSpec } from './batchTask.js';
import type { Row } from './dataCollector.js';
import { deriveSeed, randomSeed } from './rng.js';

export interface BatchRunOptions {
  /** The model: a built-in name, `{ module, export }`, or (in-process only) the class. */
  model: ModelSpec;
  /** Parameter grid: an array is a list of values to sweep, anything else a fixed value (Mesa semantics). */
  parameters: Record<string, unknown>;
  /** Runs per parameter combination (default 1). */
  iterations?: number;
  /** Steps per run (default 1000; a run also stops when the model sets `running = false`). */
  maxSteps?: number;
  /** -1 (default): rows of the last collected step only; k >= 1: every k-th collected step and the last. */
  dataCollectionPeriod?: number;
  /** Base seed; run `i` gets `deriveSeed(seed, i)`. Drawn when absent (see `BatchRunResult.seed`). */
  seed?: number;
  /** Worker threads (default: cores - 1, at least 1); 0 runs everything in this thread. */
  workers?: number;
  /** The worker entry (default: dist/batchWorker.js or .cjs next to this build). */
  workerFile?: string;
  signal?: AbortSignal;
  /** Called after each run completes. */
  onProgress?: (done: number, total: number) => void;
}

export interface BatchRunResult {
  /** The base seed (given or drawn). */
  seed: number;
  /** All rows, ordered by RunId then Step (then AgentID): `{ RunId, iteration, seed, ...parameters, Step, ...reporters }`. */
  rows: Row[];
}

export type BatchRunErrorCode = 'BATCH_INVALID_OPTIONS' | 'BATCH_WORKER_NOT_BUILT';

export class BatchRunError extends Error {
  readonly code: BatchRunErrorCode;
  constructor(code: BatchRunErrorCode, message: string) {
    super(message);
    this.name = 'BatchRunError';
    this.code = code;
  }
}

/** The cartesian product of the parameter grid, in key order (Mesa's `_make_model_kwargs`). */
export function parameterGrid(parameters: Record<string, unknown>): Record<string, unknown>[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const [key, value] of Object.entries(parameters)) {
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0)
      throw new BatchRunError('BATCH_INVALID_OPTIONS', `parameter "${key}" has no values`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  return combos;
}

/** Where the built worker entry is: next to this file in dist/, or dist/ of the app when running from sources. */
export function defaultWorkerFile(): string {
  const ext = extname(__filename);
  if (ext === '.ts') return join(dirname(__filename), '..', 'dist', 'batchWorker.js');
  return join(dirname(__filename), `batchWorker${ext}`);
}

/**
 * Runs a model over a parameter grid, `iterations` times per combination (Mesa's `batch_run`), spread
 * over worker threads (piscina). Every run is seeded from the base seed and its RunId, so the rows are the
 * same whatever the number of workers and the order runs finish in.
 */
export async function batchRun(options: BatchRunOptions): Promise<BatchRunResult> {
  const {
    model,
    parameters,
    iterations = 1,
    maxSteps = 1000,
    dataCollectionPeriod = -1,
    signal,
    onProgress,
  } = options;
  const workers = options.workers ?? Math.max(1, availableParallelism() - 1);
  const check = (ok: boolean, message: string) => {
    if (!ok) throw new BatchRunError('BATCH_INVALID_OPTIONS', `batchRun: ${message}`);
  };
  check(
    Number.isInteger(iterations) && iterations >= 1,
    `iterations must be a positive integer, got ${iterations}`,
  );
  check(
    Number.isInteger(maxSteps) && maxSteps >= 0,
    `maxSteps must be a non-negative integer, got ${maxSteps}`,
  );
  check(
    dataCollectionPeriod === -1 || (Number.isInteger(dataCollectionPeriod) && dataCollectionPeriod >= 1),
    `dataCollectionPeriod must be -1 or a positive integer, got ${dataCollectionPeriod}`,
  );
  check(Number.isInteger(workers) && workers >= 0, `workers must be a non-negative integer, got ${workers}`);
  check(
    workers === 0 || typeof model !== 'function',
    'a model class cannot be sent to worker threads: name it ({ module, export }) or use workers: 0',
  );
  signal?.throwIfAborted();
  const seed = (options.seed ?? randomSeed()) >>> 0;
  const grid = parameterGrid(parameters);
  const tasks: BatchTask[] = [];
  for (let iteration = 0; iteration < iterations; iteration++) {
    for (const params of grid) {
      const runId = tasks.length;
      tasks.push({
        model,
        runId,
        iteration,
        seed: deriveSeed(seed, runId),
        params,
        maxSteps,
        dataCollectionPeriod,
      });
    }
  }
  let done = 0;
  const finished = (rows: Row[]) => {
    onProgress?.(++done, tasks.length);
    return rows;
  };
  let results: Row[][];
  if (workers === 0) {
    results = [];
    for (const task of tasks) {
      signal?.throwIfAborted();
      results.push(finished(await runBatchTask(task)));
    }
  } else {
    const filename = options.workerFile ?? defaultWorkerFile();
    if (!existsSync(filename)) {
      throw new BatchRunError(
        'BATCH_WORKER_NOT_BUILT',
        `batchRun: the worker entry ${filename} does not exist; build the app (npm run build -w apps/sim-runner) ` +
          'or pass workerFile, or use workers: 0',
      );
    }
    const pool = new Piscina({ filename, maxThreads: workers, minThreads: 0, idleTimeout: 1000 });
    try {
      results = await Promise.all(tasks.map((task) => pool.run(task, { signal }).then(finished)));
    } finally {
      await pool.destroy();
    }
  }
  return { seed, rows: results.flat() };
}

import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';

/**
 * A schedule of provider conditions for a run against the in-process emulator (`--shifts FILE.json`): at given
 * seconds of the run the emulator's latency and rate limits change (`Emulator.reconfigure` of @hp/llm), and the
 * run is cut into fixed windows, each with its phase, throughput, latency quantiles, 429s and the LLM
 * concurrency in force, written as JSON to `out`. This is how the optimizer's evaluation measures recovery
 * after each shift, window by window.
 */

const latencySchema = z
  .object({
    ttftMs: z.number().finite().min(0).optional(),
    ttftSigma: z.number().finite().min(0).optional(),
    perTokenMs: z.number().finite().min(0).optional(),
    perTokenSigma: z.number().finite().min(0).optional(),
  })
  .strict();

const phaseSchema = z
  .object({
    /** Label of the phase in the windows (e.g. `latency x2`). */
    name: z.string().min(1).max(100),
    /** Seconds of the run (wall clock) at which the phase starts; the first phase starts at 0. */
    at: z.number().finite().min(0),
    /** Emulator latency settings from then on (emulated ms; keys left out stay). */
    latency: latencySchema.optional(),
    /** Requests per emulated minute from then on; null removes the limit. */
    rpm: z.number().positive().nullable().optional(),
    /**
     * The emulator's rate-limit buckets are set to this fill (0..1 of their capacity) when the phase starts,
     * after `rpm`; absent, a new bucket starts full (a one-minute burst) and an existing one keeps its fill.
     */
    rateLimitFill: z.number().min(0).max(1).optional(),
    /**
     * From then on the agents' requests are drawn from catalogues of recurring situations, per request kind,
     * with this popularity (new keys at each change: see keyPopularity.ts). Needs `cache`.
     */
    keys: z
      .record(
        z.string().min(1).max(50),
        z
          .object({
            share: z.number().finite().positive(),
            keys: z.number().int().positive().max(10_000_000),
            zipf: z.number().finite().positive(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

const cacheSchema = z
  .object({
    /** Entries shared by the request kinds' response caches. */
    budget: z.number().int().min(2).max(10_000_000),
    /** Entries per kind at the start (default: the budget split evenly). */
    initial: z.record(z.string(), z.number().int().positive()).optional(),
  })
  .strict();

export const shiftScheduleSchema = z
  .object({
    /** Length of one measurement window, seconds (wall clock). */
    windowSeconds: z.number().positive().max(3600),
    /** The run stops after its current step once this many seconds have passed (absent: the scenario's steps). */
    durationSeconds: z.number().positive().optional(),
    /** Phases in time order; the first one at 0 sets the starting conditions. */
    phases: z.array(phaseSchema).min(1).max(100),
    /** Where the windows go (JSON); absent: not written. */
    out: z.string().min(1).optional(),
    /** The response caches of the key-popularity phases (phases with `keys`). */
    cache: cacheSchema.optional(),
  })
  .strict()
  .refine((s) => s.phases[0]!.at === 0, { message: 'the first phase must start at 0', path: ['phases'] })
  .refine((s) => s.phases.every((p, i) => i === 0 || p.at > s.phases[i - 1]!.at), {
    message: 'phases must be in increasing order of `at`',
    path: ['phases'],
  })
  .refine((s) => s.cache !== undefined || s.phases.every((p) => p.keys === undefined), {
    message: 'phases with keys need a cache budget (cache)',
    path: ['cache'],
  });

export type ShiftScheduleInput = z.input<typeof shiftScheduleSchema>;
export type ShiftSchedule = z.output<typeof shiftScheduleSchema>;
export type ShiftPhase = ShiftSchedule['phases'][number];

export class ShiftScheduleError extends Error {
  readonly code = 'INVALID_SHIFTS';
  constructor(message: string) {
    super(message);
    this.name = 'ShiftScheduleError';
  }
}

/** Validates a schedule; the error names the first bad key. */
export function parseShiftSchedule(value: unknown): ShiftSchedule {
  const result = shiftScheduleSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ShiftScheduleError(`shift schedule: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}

export async function loadShiftSchedule(file: string, signal?: AbortSignal): Promise<ShiftSchedule> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, { encoding: 'utf8', signal }));
  } catch (error) {
    throw new ShiftScheduleError(`shift schedule ${file}: ${(error as Error).message}`);
  }
  return parseShiftSchedule(value);
}

/** One measurement window of a run. */
export interface ShiftWindow {
  index: number;
  /** Seconds since the schedule started. */
  start: number;
  end: number;
  /** The phase in force at the window's end. */
  phase: string;
  /** Decisions completed in the window, and per second. */
  requests: number;
  throughput: number;
  /** Decisions that failed or were malformed. */
  errors: number;
  /** Response time of the decisions completed in the window, seconds (null when none). */
  mean: number | null;
  p95: number | null;
  /** 429s the emulator answered in the window. */
  rateLimited: number;
  /** The LLM concurrency at the window's end. */
  concurrency: number;
  /** Share of the window's decisions answered from a cache (null when none completed). */
  hitRatio: number | null;
  /** Entries of each request kind's response cache at the window's end (key-popularity phases). */
  cacheSizes?: Record<string, number>;
}

/** What the schedule turns and reads (the emulator and the run's concurrency). */
export interface ShiftTarget {
  reconfigure(changes: Pick<ShiftPhase, 'latency' | 'rpm' | 'rateLimitFill'>): void;
  count429(): number;
  concurrency(): number;
  /** A new key popularity (phases with `keys`). */
  keys?(popularity: NonNullable<ShiftPhase['keys']>): void;
  /** Entries of the response caches per request kind. */
  cacheSizes?(): Record<string, number>;
}

/** Most decisions kept per window for its quantiles (a run at 1000 req/s and 2 s windows needs 2000). */
const MAX_PER_WINDOW = 50_000;
/** Most windows kept (a day of 2-second windows). */
const MAX_WINDOWS = 43_200;

/** Runs a schedule: phase changes on timers, windows on an interval; `close()` stops both and writes `out`. */
export class ShiftRunner {
  readonly schedule: ShiftSchedule;
  readonly windows: ShiftWindow[] = [];
  private readonly _target: ShiftTarget;
  private readonly _clock: () => number;
  private readonly _timers: NodeJS.Timeout[] = [];
  private _interval: NodeJS.Timeout | undefined;
  private _start = 0;
  private _windowStart = 0;
  private _latencies: number[] = [];
  private _requests = 0;
  private _errors = 0;
  private _cached = 0;
  private _last429 = 0;
  private _phase = '';
  private _closed = false;

  constructor(schedule: ShiftSchedule, target: ShiftTarget, clock: () => number) {
    this.schedule = schedule;
    this._target = target;
    this._clock = clock;
  }

  /** Applies the first phase now and schedules the others and the windows. */
  start(): this {
    this._start = this._windowStart = this._clock();
    this._last429 = this._target.count429();
    for (const phase of this.schedule.phases) {
      if (phase.at === 0) this._apply(phase);
      else this._timers.push(setTimeout(() => this._apply(phase), phase.at * 1000));
    }
    this._interval = setInterval(() => this._closeWindow(), this.schedule.windowSeconds * 1000);
    return this;
  }

  /** The phase in force. */
  get phase(): string {
    return this._phase;
  }

  /** True once `durationSeconds` have passed. */
  get expired(): boolean {
    const d = this.schedule.durationSeconds;
    return d !== undefined && (this._clock() - this._start) / 1000 >= d;
  }

  /** One completed decision: its response time in seconds, whether it succeeded and was answered from a cache. */
  record(seconds: number, ok: boolean, cached = false): void {
    this._requests++;
    if (!ok) this._errors++;
    if (cached) this._cached++;
    if (this._latencies.length < MAX_PER_WINDOW) this._latencies.push(seconds);
  }

  private _apply(phase: ShiftPhase): void {
    const changes: Parameters<ShiftTarget['reconfigure']>[0] = {};
    if (phase.latency) changes.latency = phase.latency;
    if (phase.rpm !== undefined) changes.rpm = phase.rpm;
    if (phase.rateLimitFill !== undefined) changes.rateLimitFill = phase.rateLimitFill;
    this._target.reconfigure(changes);
    if (phase.keys) this._target.keys?.(phase.keys);
    this._phase = phase.name;
  }

  private _closeWindow(): void {
    const now = this._clock();
    const seconds = (now - this._windowStart) / 1000;
    const sorted = this._latencies.sort((a, b) => a - b);
    const total429 = this._target.count429();
    if (this.windows.length < MAX_WINDOWS) {
      this.windows.push({
        index: this.windows.length,
        start: (this._windowStart - this._start) / 1000,
        end: (now - this._start) / 1000,
        phase: this._phase,
        requests: this._requests,
        throughput: seconds > 0 ? this._requests / seconds : 0,
        errors: this._errors,
        mean: sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : null,
        p95: sorted.length ? sorted[Math.max(0, Math.ceil(0.95 * sorted.length) - 1)]! : null,
        rateLimited: total429 - this._last429,
        concurrency: this._target.concurrency(),
        hitRatio: this._requests > 0 ? this._cached / this._requests : null,
        ...(this._target.cacheSizes ? { cacheSizes: this._target.cacheSizes() } : {}),
      });
    }
    this._windowStart = now;
    this._latencies = [];
    this._requests = 0;
    this._errors = 0;
    this._cached = 0;
    this._last429 = total429;
  }

  /** Stops the timers (the partial last window is dropped) and writes `out` if set. Idempotent. */
  async close(signal?: AbortSignal): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    for (const t of this._timers) clearTimeout(t);
    if (this._interval) clearInterval(this._interval);
    if (this.schedule.out) {
      await writeFile(
        this.schedule.out,
        JSON.stringify({ schedule: this.schedule, windows: this.windows }, null, 2) + '\n',
        { signal },
      );
    }
  }
}

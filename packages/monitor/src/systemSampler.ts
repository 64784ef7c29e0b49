import { monitorEventLoopDelay, PerformanceObserver, type ELDHistogram } from 'node:perf_hooks';

/** One reading of the process, covering the time since the previous reading. */
export interface SystemSample {
  /** CPU time used by this process / wall time, as a fraction of one core (1 = one core busy). */
  cpu: number;
  /** Resident set size, bytes. */
  memoryRss: number;
  /** V8 heap in use, bytes. */
  heapUsed: number;
  /** Event-loop delay (perf_hooks.monitorEventLoopDelay), mean and p99, milliseconds. */
  eventLoopDelayMean: number;
  eventLoopDelayP99: number;
  /** Total GC pause time, milliseconds, and the number of GC runs. */
  gcPause: number;
  gcCount: number;
}

/** Something that can read the process's health; the reader calls it once per interval. */
export interface SystemSource {
  start(): void;
  sample(): SystemSample;
  close(): void;
}

/**
 * Reads CPU (process.cpuUsage), memory (process.memoryUsage), event-loop delay
 * (perf_hooks.monitorEventLoopDelay) and GC pauses (PerformanceObserver 'gc' entries).
 */
export class SystemSampler implements SystemSource {
  private _eld: ELDHistogram | undefined;
  private _gc: PerformanceObserver | undefined;
  private _gcPause = 0;
  private _gcCount = 0;
  private _cpu = process.cpuUsage();
  private _wall = process.hrtime.bigint();

  start(): void {
    if (this._eld) return;
    this._eld = monitorEventLoopDelay({ resolution: 10 });
    this._eld.enable();
    this._gc = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        this._gcPause += entry.duration;
        this._gcCount++;
      }
    });
    this._gc.observe({ entryTypes: ['gc'] });
    this._cpu = process.cpuUsage();
    this._wall = process.hrtime.bigint();
  }

  sample(): SystemSample {
    const cpu = process.cpuUsage(this._cpu);
    const wall = process.hrtime.bigint();
    const elapsedUs = Number(wall - this._wall) / 1000;
    this._cpu = process.cpuUsage();
    this._wall = wall;
    const mem = process.memoryUsage();
    const eld = this._eld;
    const hasEld = eld !== undefined && eld.count > 0;
    const sample: SystemSample = {
      cpu: elapsedUs > 0 ? (cpu.user + cpu.system) / elapsedUs : 0,
      memoryRss: mem.rss,
      heapUsed: mem.heapUsed,
      eventLoopDelayMean: hasEld ? eld.mean / 1e6 : NaN,
      eventLoopDelayP99: hasEld ? eld.percentile(99) / 1e6 : NaN,
      gcPause: this._gcPause,
      gcCount: this._gcCount,
    };
    eld?.reset();
    this._gcPause = 0;
    this._gcCount = 0;
    return sample;
  }

  close(): void {
    this._eld?.disable();
    this._eld = undefined;
    this._gc?.disconnect();
    this._gc = undefined;
  }
}

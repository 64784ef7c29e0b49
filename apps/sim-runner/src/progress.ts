/** What the runner reports after each step. */
export interface ProgressInfo {
  step: number;
  totalSteps: number;
  agents: number;
  /** Requests (agent decisions) per second since the start. */
  requestsPerSecond: number;
  llmCallsPerSecond: number;
  /** Cache hit ratio so far; null without cache lookups. */
  hitRatio: number | null;
  elapsedSeconds: number;
  /** Estimated seconds left (linear in steps). */
  etaSeconds: number;
}

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  stream: ProgressStream;
  /** Redraw at most this often on a terminal (ms; default 100). */
  intervalMs?: number;
  /** Milliseconds clock (default performance.now). */
  clock?: () => number;
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function describe(p: ProgressInfo): string {
  const hit = p.hitRatio === null ? '-' : `${(p.hitRatio * 100).toFixed(0)}%`;
  return (
    `step ${p.step}/${p.totalSteps} | ${p.agents} agents | ${p.requestsPerSecond.toFixed(0)} req/s | ` +
    `${p.llmCallsPerSecond.toFixed(1)} LLM calls/s | cache hit ${hit} | ETA ${duration(p.etaSeconds)}`
  );
}

/**
 * Progress of a run: a redrawn bar on a terminal (step, agents, LLM calls per second, cache hit ratio,
 * ETA), plain lines at every 10% otherwise (logs, CI).
 */
export class ProgressReporter {
  private readonly _stream: ProgressStream;
  private readonly _interval: number;
  private readonly _clock: () => number;
  private _lastDraw = -Infinity;
  private _lastDecile = -1;
  private _drawn = false;

  constructor(options: ProgressOptions) {
    this._stream = options.stream;
    this._interval = options.intervalMs ?? 100;
    this._clock = options.clock ?? (() => performance.now());
  }

  update(p: ProgressInfo): void {
    if (this._stream.isTTY) {
      const now = this._clock();
      if (now - this._lastDraw < this._interval && p.step < p.totalSteps) return;
      this._lastDraw = now;
      const width = 24;
      const filled = Math.round((p.step / Math.max(1, p.totalSteps)) * width);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
      const line = `${bar} ${describe(p)}`;
      const columns = this._stream.columns ?? 120;
      this._stream.write(`\r${line.slice(0, columns - 1)}\x1b[K`);
      this._drawn = true;
      return;
    }
    const decile = Math.floor((p.step / Math.max(1, p.totalSteps)) * 10);
    if (decile > this._lastDecile) {
      this._lastDecile = decile;
      this._stream.write(`${describe(p)}\n`);
    }
  }

  /** Ends the bar's line (call once after the run). */
  finish(): void {
    if (this._drawn) this._stream.write('\n');
    this._drawn = false;
  }
}

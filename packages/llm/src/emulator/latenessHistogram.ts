/** How late the emulator released what it scheduled (ms past the due time), in bounded memory. */
export interface LatenessSummary {
  /** Releases counted (answers, first tokens, stream steps, injected faults). */
  releases: number;
  meanMs: number;
  /** Percentiles, to the bucket's upper bound (buckets of 0.01 ms up to 20 ms, then one overflow bucket). */
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

const BUCKET_MS = 0.01;
const BUCKETS = 2000;

export class LatenessHistogram {
  private _counts = new Uint32Array(BUCKETS + 1);
  private _n = 0;
  private _sum = 0;
  private _max = 0;

  record(lateMs: number): void {
    const ms = lateMs > 0 ? lateMs : 0;
    this._counts[Math.min(BUCKETS, Math.floor(ms / BUCKET_MS))]!++;
    this._n++;
    this._sum += ms;
    if (ms > this._max) this._max = ms;
  }

  reset(): void {
    this._counts.fill(0);
    this._n = 0;
    this._sum = 0;
    this._max = 0;
  }

  summary(): LatenessSummary {
    const pct = (q: number): number => {
      if (this._n === 0) return 0;
      const rank = Math.ceil(q * this._n);
      let seen = 0;
      for (let i = 0; i <= BUCKETS; i++) {
        seen += this._counts[i]!;
        if (seen >= rank) return i === BUCKETS ? this._max : Math.min(this._max, (i + 1) * BUCKET_MS);
      }
      return this._max;
    };
    return {
      releases: this._n,
      meanMs: this._n === 0 ? 0 : this._sum / this._n,
      p50Ms: pct(0.5),
      p90Ms: pct(0.9),
      p99Ms: pct(0.99),
      maxMs: this._max,
    };
  }
}

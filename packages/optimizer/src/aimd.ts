/**
 * AIMD concurrency limit with the semantics of Netflix concurrency-limits' `AIMDLimit`
 * (hand-written: Java-only upstream, a dozen lines): on a drop (HTTP 429, error) or an RTT above
 * `timeout`, multiply the limit by `backoffRatio` (0.9); otherwise, when the limit is actually used
 * (`inflight * 2 >= limit`), add `increase` (1). Clamped to [minLimit, maxLimit].
 *
 * Beyond upstream, `queueTolerance` (off by default): a sample whose `queueDelay` (time the requests waited
 * before being sent, e.g. behind a client-side rate limiter) exceeds that share of their service time
 * (`rtt - queueDelay`) counts as a drop. A client that learns the provider's limits never sees the 429s
 * AIMD waits for: it queues instead, and without this signal AIMD keeps adding concurrency that only queues
 * (same throughput, longer response times) until the RTT reaches `timeout`. A sample that waited longer
 * than it was served (`queueDelay > rtt - queueDelay`: the limit is at least twice the drain point, e.g.
 * right after the provider's rate limit dropped) backs off twice (`backoffRatio` squared), so the queue
 * built by a limit far above the new drain point empties in half the samples; still multiplicative and
 * bounded, so it cannot collapse the limit in one sample.
 */
export interface AimdOptions {
  initialLimit?: number;
  minLimit?: number;
  maxLimit?: number;
  /** Multiplicative decrease on drop/timeout, in (0.5, 1); default 0.9. */
  backoffRatio?: number;
  /** Additive increase per good sample; default 1. */
  increase?: number;
  /** RTT above which a sample counts as a timeout (same unit as `rtt`); default 5000 (ms). */
  timeout?: number;
  /** Queueing delay above this share of the service time counts as a drop (e.g. 0.1); default off. */
  queueTolerance?: number;
}

export interface AimdSample {
  rtt: number;
  /** A 429 / rejection / error happened in this sample. */
  didDrop: boolean;
  inflight?: number;
  /** Mean time the sample's requests waited before being sent (same unit as `rtt`, included in it). */
  queueDelay?: number;
}

export class Aimd {
  private _limit: number;
  private readonly _min: number;
  private readonly _max: number;
  private readonly _backoff: number;
  private readonly _increase: number;
  private readonly _timeout: number;
  private readonly _queueTolerance: number;

  constructor(options: AimdOptions = {}) {
    this._min = options.minLimit ?? 20;
    this._max = options.maxLimit ?? 200;
    this._limit = options.initialLimit ?? 20;
    this._backoff = options.backoffRatio ?? 0.9;
    this._increase = options.increase ?? 1;
    this._timeout = options.timeout ?? 5000;
    this._queueTolerance = options.queueTolerance ?? Infinity;
    if (!(this._queueTolerance > 0)) throw new RangeError('queueTolerance must be positive');
    if (!(this._backoff > 0.5 && this._backoff < 1)) throw new RangeError('backoffRatio must be in (0.5, 1)');
  }

  get limit(): number {
    return this._limit;
  }

  setLimit(limit: number): void {
    this._limit = Math.max(this._min, Math.min(this._max, Math.round(limit)));
  }

  update(sample: AimdSample): number {
    const inflight = sample.inflight ?? this._limit;
    let next = this._limit;
    const q = sample.queueDelay;
    const service = q !== undefined && Number.isFinite(q) ? Math.max(0, sample.rtt - q) : NaN;
    const queued = q !== undefined && Number.isFinite(q) && q > this._queueTolerance * service;
    if (queued && q > service) next = Math.floor(this._limit * this._backoff * this._backoff);
    else if (sample.didDrop || sample.rtt > this._timeout || queued)
      next = Math.floor(this._limit * this._backoff);
    else if (inflight * 2 >= this._limit) next = this._limit + this._increase;
    this._limit = Math.max(this._min, Math.min(this._max, next));
    return this._limit;
  }
}

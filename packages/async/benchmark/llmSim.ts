// An in-process stand-in for an LLM provider, for the throughput benchmark: seeded log-normal latency,
// server-side requests-per-minute and tokens-per-minute token buckets (capacity = one minute of
// budget, continuous refill, tokens charged as prompt + max_tokens at arrival and corrected to the
// real usage at completion), 429 with retry-after-ms and x-ratelimit-* headers when over a limit.
// Time is scaled: one simulated minute lasts `minuteMs` real milliseconds.
import { seededRng } from '../src/index.js';

/** The same clock as @hp/async's systemClock (sub-ms epoch time), so both sides agree on refills. */
const epochNow = (): number => performance.timeOrigin + performance.now();

export interface SimRequest {
  promptTokens: number;
  maxTokens: number;
}

export interface SimResponse {
  text: string;
  usage: { total_tokens: number };
  headers: Record<string, string>;
}

class Bucket {
  level: number;
  last: number;
  constructor(
    public cap: number,
    public perMs: number,
    now: number,
  ) {
    this.level = cap;
    this.last = now;
  }
  refill(now: number): void {
    if (now > this.last) this.level = Math.min(this.cap, this.level + (now - this.last) * this.perMs);
    this.last = Math.max(this.last, now);
  }
}

export class SimLlmServer {
  /** performance.now() of each accepted request (its arrival). */
  readonly acceptedAt: number[] = [];
  /** Observed server-side latency of each accepted request (arrival to response), real ms, by arrival index. */
  readonly latencies: number[] = [];
  requests = 0;
  tooMany = 0;
  completed = 0;
  private _req: Bucket;
  private _tok: Bucket;
  private readonly _rng: () => number;
  private _rpm: number;
  private _tpm: number;

  constructor(
    private readonly o: {
      rpm: number;
      tpm: number;
      latencyMedianMs: number;
      sigma: number;
      seed: number;
      minuteMs: number;
    },
  ) {
    const now = epochNow();
    this._rpm = o.rpm;
    this._tpm = o.tpm;
    this._req = new Bucket(o.rpm, o.rpm / o.minuteMs, now);
    this._tok = new Bucket(o.tpm, o.tpm / o.minuteMs, now);
    this._rng = seededRng(o.seed);
  }

  /** Changes the limits (as a provider does when a tier changes); levels are capped at the new capacity. */
  setLimits(rpm: number, tpm: number): void {
    const now = epochNow();
    this._req.refill(now);
    this._tok.refill(now);
    this._rpm = rpm;
    this._tpm = tpm;
    this._req = Object.assign(new Bucket(rpm, rpm / this.o.minuteMs, now), {
      level: Math.min(rpm, this._req.level),
    });
    this._tok = Object.assign(new Bucket(tpm, tpm / this.o.minuteMs, now), {
      level: Math.min(tpm, this._tok.level),
    });
  }

  /** Bucket levels now: what the server would accept at once. */
  levels(): { requests: number; tokens: number } {
    const now = epochNow();
    this._req.refill(now);
    this._tok.refill(now);
    return { requests: this._req.level, tokens: this._tok.level };
  }

  get limits(): { rpm: number; tpm: number } {
    return { rpm: this._rpm, tpm: this._tpm };
  }

  private _latency(): number {
    // Box-Muller on the seeded RNG: log-normal with the given median and sigma.
    const u = Math.max(1e-12, this._rng());
    const v = this._rng();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return this.o.latencyMedianMs * Math.exp(this.o.sigma * z);
  }

  private _headers(): Record<string, string> {
    const ms = (missing: number, perMs: number) => `${Math.max(0, Math.ceil(missing / perMs))}ms`;
    return {
      'x-ratelimit-limit-requests': String(this._rpm),
      'x-ratelimit-remaining-requests': String(Math.max(0, Math.floor(this._req.level))),
      'x-ratelimit-reset-requests': ms(this._req.cap - this._req.level, this._req.perMs),
      'x-ratelimit-limit-tokens': String(this._tpm),
      'x-ratelimit-remaining-tokens': String(Math.max(0, Math.floor(this._tok.level))),
      'x-ratelimit-reset-tokens': ms(this._tok.cap - this._tok.level, this._tok.perMs),
    };
  }

  async call(req: SimRequest, signal?: AbortSignal): Promise<SimResponse> {
    const now = epochNow();
    this.requests++;
    this._req.refill(now);
    this._tok.refill(now);
    const estimate = req.promptTokens + req.maxTokens;
    // 1e-9 absorbs float rounding between two continuously refilled buckets (integer budgets in reality).
    if (this._req.level < 1 - 1e-9 || this._tok.level < estimate - 1e-6) {
      this.tooMany++;
      const wait = Math.max(
        (1 - this._req.level) / this._req.perMs,
        (estimate - this._tok.level) / this._tok.perMs,
        0,
      );
      throw Object.assign(new Error('429 Too Many Requests'), {
        status: 429,
        headers: { ...this._headers(), 'retry-after-ms': String(Math.ceil(wait)) },
      });
    }
    this._req.level -= 1;
    this._tok.level -= estimate;
    const index = this.acceptedAt.push(performance.now()) - 1;
    const headers = this._headers();
    const latency = this._latency();
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, latency);
      signal?.addEventListener('abort', () => {
        clearTimeout(t);
        reject(new Error('aborted'));
      });
    });
    const completion = Math.round(req.maxTokens * (0.3 + 0.7 * this._rng()));
    const actual = req.promptTokens + completion;
    const t = epochNow();
    // The latency the client saw: the drawn one plus any timer lateness of this (shared, loaded) machine.
    this.latencies[index] = t - now;
    this._tok.refill(t);
    this._tok.level = Math.min(this._tok.cap, this._tok.level + (estimate - actual));
    this.completed++;
    return { text: 'ok', usage: { total_tokens: actual }, headers };
  }
}

/** A seeded stream of requests: prompt 200..400 tokens, max_tokens 400. */
export function makeRequests(n: number, seed: number): SimRequest[] {
  const rng = seededRng(seed);
  return Array.from({ length: n }, () => ({ promptTokens: 200 + Math.floor(rng() * 200), maxTokens: 400 }));
}

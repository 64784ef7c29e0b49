/**
 * Consecutive-failure circuit breaker: `closed` lets calls through; after `failureThreshold`
 * failures in a row it opens for `cooldownMs`, rejecting calls at once; then `half-open` lets one
 * probe through: success closes it, failure opens it again. Hand-written (30 lines) because it must
 * run on the cache's injected clock.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
  clock: () => number;
}

export class CircuitBreaker {
  private _state: CircuitState = 'closed';
  private _failures = 0;
  private _openedAt = 0;
  private _probing = false;
  opens = 0;

  constructor(private readonly _options: CircuitBreakerOptions) {}

  get state(): CircuitState {
    if (this._state === 'open' && this._options.clock() - this._openedAt >= this._options.cooldownMs) {
      this._state = 'half-open';
    }
    return this._state;
  }

  /** Whether a call may go through now (in half-open, only one probe at a time). */
  allow(): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'open' || this._probing) return false;
    this._probing = true;
    return true;
  }

  success(): void {
    this._probing = false;
    this._failures = 0;
    this._state = 'closed';
  }

  failure(): void {
    this._probing = false;
    this._failures++;
    if (this._state === 'half-open' || this._failures >= this._options.failureThreshold) {
      if (this._state !== 'open') this.opens++;
      this._state = 'open';
      this._openedAt = this._options.clock();
    }
  }
}

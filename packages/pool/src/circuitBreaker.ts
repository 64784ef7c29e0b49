/**
 * A small circuit breaker (closed -> open -> half-open -> closed) driven by an injected clock and
 * read lazily on each call, so it owns no timer. Hand-written because the common libraries (opossum,
 * cockatiel) run their own timers and wrap calls with their own timeouts; here the pool owns the
 * timeouts and the failover pair only needs the state machine.
 */
import { PoolConfigError } from './poolConfig.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold?: number;
  /** Milliseconds the circuit stays open before it lets a probe through. Default 30 000. */
  resetTimeoutMs?: number;
  /** Probes allowed at once while half-open. Default 1. */
  halfOpenMaxCalls?: number;
  /** Clock in ms. Default Date.now. */
  now?: () => number;
}

export interface BreakerStats {
  state: BreakerState;
  consecutiveFailures: number;
  opens: number;
  rejected: number;
}

function positiveInt(field: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1)
    throw new PoolConfigError('INVALID_CONFIG', field, `must be an integer >= 1, got ${v}`);
  return v;
}

export class CircuitBreaker {
  private readonly _threshold: number;
  private readonly _resetMs: number;
  private readonly _halfOpenMax: number;
  private readonly _now: () => number;
  private _state: BreakerState = 'closed';
  private _failures = 0;
  private _openedAt = 0;
  private _probes = 0;
  private _opens = 0;
  private _rejected = 0;

  constructor(options: CircuitBreakerOptions = {}) {
    this._threshold = positiveInt('failureThreshold', options.failureThreshold, 5);
    this._halfOpenMax = positiveInt('halfOpenMaxCalls', options.halfOpenMaxCalls, 1);
    const reset = options.resetTimeoutMs ?? 30_000;
    if (!Number.isFinite(reset) || reset < 0) {
      throw new PoolConfigError('INVALID_CONFIG', 'resetTimeoutMs', `must be a number >= 0, got ${reset}`);
    }
    this._resetMs = reset;
    this._now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this._state === 'open' && this._now() - this._openedAt >= this._resetMs) {
      this._state = 'half-open';
      this._probes = 0;
    }
    return this._state;
  }

  /**
   * Whether a call may go to the protected side now. Closed: yes. Open: no. Half-open: yes for up to
   * `halfOpenMaxCalls` probes at once; each allowed call must end with onSuccess() or onFailure().
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'half-open' && this._probes < this._halfOpenMax) {
      this._probes++;
      return true;
    }
    this._rejected++;
    return false;
  }

  onSuccess(): void {
    this._failures = 0;
    if (this._state === 'half-open') {
      this._state = 'closed';
      this._probes = 0;
    }
  }

  onFailure(): void {
    this._failures++;
    if (this._state === 'half-open' || (this._state === 'closed' && this._failures >= this._threshold)) {
      this._state = 'open';
      this._openedAt = this._now();
      this._opens++;
      this._probes = 0;
    }
  }

  stats(): BreakerStats {
    return {
      state: this.state,
      consecutiveFailures: this._failures,
      opens: this._opens,
      rejected: this._rejected,
    };
  }
}

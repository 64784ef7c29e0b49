import { CircuitBreaker, PoolConfigError } from '../src/index.js';

describe('CircuitBreaker', () => {
  it('opens after consecutive failures, half-opens after the reset time, closes on a good probe', () => {
    let t = 0;
    const b = new CircuitBreaker({ failureThreshold: 3, resetTimeoutMs: 1000, now: () => t });
    expect(b.state).toBe('closed');
    b.onFailure();
    b.onFailure();
    b.onSuccess(); // not consecutive
    b.onFailure();
    b.onFailure();
    expect(b.state).toBe('closed');
    b.onFailure();
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBe(false);
    t = 999;
    expect(b.tryAcquire()).toBe(false);
    t = 1000;
    expect(b.state).toBe('half-open');
    expect(b.tryAcquire()).toBe(true); // the probe
    expect(b.tryAcquire()).toBe(false); // only one at a time
    b.onSuccess();
    expect(b.state).toBe('closed');
    expect(b.stats()).toMatchObject({ opens: 1, rejected: 3 });
  });

  it('a failed probe opens it again for another reset period', () => {
    let t = 0;
    const b = new CircuitBreaker({ failureThreshold: 1, resetTimeoutMs: 100, now: () => t });
    b.onFailure();
    t = 100;
    expect(b.tryAcquire()).toBe(true);
    b.onFailure();
    expect(b.state).toBe('open');
    t = 150;
    expect(b.tryAcquire()).toBe(false);
    t = 200;
    expect(b.state).toBe('half-open');
  });

  it('rejects bad options naming the field', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(PoolConfigError);
    expect(() => new CircuitBreaker({ resetTimeoutMs: -1 })).toThrow(/resetTimeoutMs/);
  });
});

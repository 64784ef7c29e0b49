import { PreciseWaker } from '../../src/emulator/preciseWaker.js';

// Functional only (no timing assertions): it calls back, a re-arming or a disarming replaces the armed call,
// and close() stops the thread (jest would report it as an open handle otherwise). "Never early" is the
// DueScheduler's job (it checks the clock when woken), tested with a manual clock in dueScheduler.test.ts.
describe('PreciseWaker', () => {
  it('calls back once, only the latest arming, nothing after a disarm', async () => {
    const waker = new PreciseWaker();
    try {
      const calls: string[] = [];
      waker.arm(() => calls.push('first'), 5);
      await new Promise<void>((resolve) => waker.arm(() => (calls.push('second'), resolve()), 1));
      const h = waker.arm(() => calls.push('disarmed'), 1);
      waker.disarm(h);
      await new Promise<void>((resolve) => waker.arm(() => (calls.push('third'), resolve()), 2));
      await new Promise((r) => setTimeout(r, 20));
      expect(calls).toEqual(['second', 'third']);
    } finally {
      await waker.close();
    }
  });

  it('close() without an arming is a no-op, and after close it is not called back', async () => {
    const idle = new PreciseWaker();
    await idle.close();
    const waker = new PreciseWaker();
    let called = false;
    waker.arm(() => (called = true), 50);
    await waker.close();
    await new Promise((r) => setTimeout(r, 80));
    expect(called).toBe(false);
  });
});

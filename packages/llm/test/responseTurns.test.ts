import { nextResponseTurn } from '../src/responseTurns.js';

/** Counts event-loop turns: one setImmediate chain, stopped by the returned function. */
function turnCounter(): { turns: () => number; stop: () => void } {
  let turns = 0;
  let running = true;
  const tick = (): void => {
    turns++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return { turns: () => turns, stop: () => void (running = false) };
}

describe('nextResponseTurn (whole responses handed to the SDKs one per event-loop turn)', () => {
  it('releases waiters in arrival order, never two in the same turn', async () => {
    const counter = turnCounter();
    const released: { who: number; turn: number }[] = [];
    await Promise.all(
      [0, 1, 2, 3].map((who) =>
        nextResponseTurn().then(() => void released.push({ who, turn: counter.turns() })),
      ),
    );
    counter.stop();
    expect(released.map((r) => r.who)).toEqual([0, 1, 2, 3]);
    for (let i = 1; i < released.length; i++) {
      // a turn between two releases, for the write the released response's follow-up request queues
      expect(released[i]!.turn).toBeGreaterThanOrEqual(released[i - 1]!.turn + 2);
    }
  });

  it('a lone waiter is released in the next turn, and the queue starts over afterwards', async () => {
    let done = false;
    const p = nextResponseTurn().then(() => void (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    await p;
    expect(done).toBe(true);
    await nextResponseTurn();
  });
});

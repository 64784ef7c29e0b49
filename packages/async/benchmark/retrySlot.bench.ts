// Retries and concurrency slots: C = 16 tasks in flight, each attempt a 50 ms call that fails (retryable) with
// probability 0.1 (seeded), retry back-off up to 200 ms (full jitter). TaskRunner's retries give the slot back
// during the back-off (TaskContext.pause) and queue again at the head of their level; the peer runs the same
// RetryPolicy inside the slot (what TaskRunner did before), so a slot sits idle through every back-off.
// Throughput is compared with C / L x (1 - fault rate), the rate at which attempts can succeed.
import { defineSuite, type MeasuredCase } from '@hp/bench';
import { RetryableError, RetryPolicy, seededRng, TaskRunner } from '../src/index.js';

const C = 16;
const L_MS = 50;
const TASKS = 1600;
const FAULT_RATE = 0.1;
const RETRY = { maxAttempts: 6, baseDelay: 200, maxDelay: 200, seed: 1, budget: false as const };
const CEILING = (C / L_MS) * 1000 * (1 - FAULT_RATE);

async function tasksPerSecond(slotDuringBackoff: boolean): Promise<number> {
  const rng = seededRng(12_345);
  const call = (): Promise<number> =>
    new Promise((resolve, reject) =>
      setTimeout(() => (rng() < FAULT_RATE ? reject(new RetryableError('503')) : resolve(1)), L_MS),
    );
  const runner = new TaskRunner({
    concurrency: C,
    queueSizeLimit: TASKS,
    retry: slotDuringBackoff ? false : RETRY,
  });
  const policy = new RetryPolicy(RETRY);
  const task = slotDuringBackoff ? () => policy.run(() => call()) : call;
  try {
    const start = performance.now();
    await Promise.all(Array.from({ length: TASKS }, () => runner.run(task)));
    return TASKS / ((performance.now() - start) / 1000);
  } finally {
    await runner.close();
  }
}

let memo: Promise<{ released: number; held: number }> | undefined;
const outcome = () =>
  (memo ??= (async () => {
    // alternating, two rounds each; the mean of each side
    let released = 0;
    let held = 0;
    for (let r = 0; r < 2; r++) {
      released += await tasksPerSecond(false);
      held += await tasksPerSecond(true);
    }
    return { released: released / 2, held: held / 2 };
  })());

const cases: MeasuredCase[] = [
  {
    kind: 'measured',
    name: `retries: ${FAULT_RATE * 100}% faults, back-off <= ${RETRY.maxDelay} ms, C = ${C}, L = ${L_MS} ms: tasks/s, back-off gives the slot back vs back-off inside the slot`,
    unit: 'tasks/s',
    higherIsBetter: true,
    measure: async () => {
      const o = await outcome();
      return { ours: o.released, peer: 'back-off inside the slot', peerValue: o.held };
    },
  },
  {
    kind: 'measured',
    name: `retries: same, tasks/s (back-off gives the slot back) vs C / L x (1 - fault rate)`,
    unit: 'tasks/s',
    higherIsBetter: true,
    measure: async () => {
      const o = await outcome();
      return { ours: o.released, peer: 'C / L x (1 - fault rate)', peerValue: CEILING };
    },
  },
];

export default defineSuite({ name: 'retrySlot', cases });

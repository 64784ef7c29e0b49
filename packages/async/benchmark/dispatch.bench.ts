// Per-task dispatch overhead: 10 000 trivial async tasks per call through a queue with concurrency 16,
// hp's PriorityQueue against p-queue (the usual choice) in the same process.
import { defineSuite } from '@hp/bench';
import PQueue from 'p-queue';
import { AsyncMetrics, PriorityQueue } from '../src/index.js';

const TASKS = 10_000;
const CONCURRENCY = 16;
const metrics = new AsyncMetrics();
const ours = new PriorityQueue({
  name: 'bench',
  concurrency: CONCURRENCY,
  queueSizeLimit: Infinity,
  metrics,
});
const peer = new PQueue({ concurrency: CONCURRENCY });

const task = (i: number) => () => Promise.resolve(i);

export default defineSuite({
  name: 'dispatch',
  after: () => ours.close(),
  cases: [
    {
      name: `dispatch ${TASKS} trivial async tasks, concurrency ${CONCURRENCY}`,
      unit: 'tasks/s',
      opsPerCall: TASKS,
      ours: async () => {
        const all = new Array<Promise<number>>(TASKS);
        for (let i = 0; i < TASKS; i++) all[i] = ours.add(task(i));
        const r = await Promise.all(all);
        return r.length;
      },
      peer: {
        name: 'p-queue',
        fn: async () => {
          const all = new Array<Promise<number>>(TASKS);
          for (let i = 0; i < TASKS; i++) all[i] = peer.add(task(i));
          const r = await Promise.all(all);
          return r.length;
        },
      },
    },
    {
      name: `dispatch ${TASKS} tasks over 3 priorities, concurrency ${CONCURRENCY}`,
      unit: 'tasks/s',
      opsPerCall: TASKS,
      ours: async () => {
        const all = new Array<Promise<number>>(TASKS);
        for (let i = 0; i < TASKS; i++) all[i] = ours.add(task(i), { priority: i % 3 });
        const r = await Promise.all(all);
        return r.length;
      },
      peer: {
        name: 'p-queue',
        fn: async () => {
          const all = new Array<Promise<number>>(TASKS);
          for (let i = 0; i < TASKS; i++) all[i] = peer.add(task(i), { priority: 2 - (i % 3) });
          const r = await Promise.all(all);
          return r.length;
        },
      },
    },
  ],
});

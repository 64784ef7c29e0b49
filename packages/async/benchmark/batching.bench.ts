// Batching latency: items arrive at random (seeded exponential gaps) for 3 models and 3 priority
// levels into a Batcher (batch_size 5, timeout 200 ms, the sketch's LLM grouping rule). For every
// item we record add -> dispatch; the goal is that no item waits longer than timeout + 5 ms and
// that a batch that fills is dispatched at once (fill -> dispatch delay).
import { defineSuite, type MeasuredCase } from '@hp/bench';
import { AsyncMetrics, Batcher, seededRng } from '../src/index.js';

const BATCH_SIZE = 5;
const TIMEOUT_MS = 200;
const ITEMS = 600;
const MEAN_GAP_MS = 3;

interface Item {
  model: string;
  temperature: number;
  max_tokens: number;
  addedAt: number;
}

interface Outcome {
  maxWait: number;
  maxFillDelay: number;
  full: number;
  timedOut: number;
}

async function run(): Promise<Outcome> {
  const rng = seededRng(21);
  let maxWait = 0;
  let maxFillDelay = 0;
  const batcher = new Batcher<Item, number>({
    name: 'bench-batcher',
    batchSize: BATCH_SIZE,
    timeout: TIMEOUT_MS,
    metrics: new AsyncMetrics(),
    maxPending: Infinity,
    process: async (items, ctx) => {
      const now = performance.now();
      for (const it of items) maxWait = Math.max(maxWait, now - it.addedAt);
      if (ctx.reason === 'full') maxFillDelay = Math.max(maxFillDelay, now - items.at(-1)!.addedAt);
      return items.map((_, i) => i);
    },
  });
  const all: Promise<number>[] = [];
  for (let i = 0; i < ITEMS; i++) {
    await new Promise((r) => setTimeout(r, -Math.log(1 - rng()) * MEAN_GAP_MS));
    const item: Item = {
      model: ['a', 'b', 'c'][Math.floor(rng() * 3)]!,
      temperature: 0.7 + rng() * 0.05,
      max_tokens: 500,
      addedAt: performance.now(),
    };
    all.push(batcher.add(item, { priority: Math.floor(rng() * 3) }));
  }
  await Promise.all(all);
  const { full, timedOut } = batcher.stats;
  batcher.close();
  return { maxWait, maxFillDelay, full, timedOut };
}

let memo: Promise<Outcome> | undefined;
const outcome = () => (memo ??= run());

const cases: MeasuredCase[] = [
  {
    kind: 'measured',
    name: `batching: max wait of any item (batch_size ${BATCH_SIZE}, timeout ${TIMEOUT_MS} ms, ${ITEMS} items)`,
    unit: 'ms',
    higherIsBetter: false,
    measure: async () => {
      const o = await outcome();
      console.error(`    batches: ${o.full} full, ${o.timedOut} by timeout`);
      return { ours: o.maxWait, peer: 'bound: timeout + 5 ms', peerValue: TIMEOUT_MS + 5 };
    },
  },
  {
    kind: 'measured',
    name: 'batching: max delay from a batch filling to its dispatch',
    unit: 'ms',
    higherIsBetter: false,
    measure: async () => {
      const o = await outcome();
      return { ours: o.maxFillDelay, peer: 'bound: 5 ms', peerValue: 5 };
    },
  },
];

export default defineSuite({ name: 'batching', cases });

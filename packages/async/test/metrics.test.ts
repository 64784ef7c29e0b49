import { type Meter } from '@opentelemetry/api';
import {
  AsyncMetrics,
  Batcher,
  ManualClock,
  PriorityQueue,
  QueueFullError,
  RateLimiter,
  TaskRunner,
} from '../src/index.js';

/** A Meter double that records instruments and lets the test trigger the batch observable callback. */
function fakeMeter() {
  const observables = new Map<object, string>();
  const histograms: Record<string, number[]> = {};
  let callback: ((r: { observe(o: object, v: number, a?: object): void }) => void) | undefined;
  const meter = {
    createObservableGauge: (name: string) => {
      const o = { name };
      observables.set(o, name);
      return o;
    },
    createObservableCounter: (name: string) => {
      const o = { name };
      observables.set(o, name);
      return o;
    },
    createHistogram: (name: string) => ({ record: (v: number) => (histograms[name] ??= []).push(v) }),
    addBatchObservableCallback: (cb: typeof callback) => {
      callback = cb;
    },
  } as unknown as Meter;
  const collect = () => {
    const out: Record<string, number> = {};
    callback!({
      observe: (o, v, a) => {
        out[`${observables.get(o)}{${(a as Record<string, string>)['hp.async.component']}}`] = v;
      },
    });
    return out;
  };
  return { meter, collect, histograms };
}

describe('AsyncMetrics', () => {
  it('observable instruments read plain counters of registered components at collection time', async () => {
    const { meter, collect, histograms } = fakeMeter();
    const metrics = new AsyncMetrics({ meter });
    const q = new PriorityQueue({ name: 'q', concurrency: 1, queueSizeLimit: 1, metrics });
    let release!: () => void;
    const first = q.add(() => new Promise<void>((r) => (release = r)));
    const second = q.add(async () => 'x');
    await expect(q.add(async () => 'y')).rejects.toBeInstanceOf(QueueFullError);
    let seen = collect();
    expect(seen['hp.async.queue.depth{q}']).toBe(1);
    expect(seen['hp.async.queue.running{q}']).toBe(1);
    expect(seen['hp.async.queue.rejections{q}']).toBe(1);
    release();
    await Promise.all([first, second]);
    seen = collect();
    expect(seen['hp.async.tasks.completed{q}']).toBe(2);
    expect(seen['hp.async.queue.depth{q}']).toBe(0);
    q.close();
    expect(collect()['hp.async.queue.depth{q}']).toBeUndefined(); // unregistered on close

    const clock = new ManualClock();
    const limiter = new RateLimiter({ name: 'llm', clock, metrics });
    limiter.observe(429, { 'retry-after': '1' });
    expect(collect()['hp.async.rate_limit.pauses{llm}']).toBe(1);
    expect(collect()['hp.async.rate_limit.paused{llm}']).toBe(1);
    limiter.close();

    const runner = new TaskRunner({ name: 'runner', metrics, retry: { baseDelay: 0 } });
    let n = 0;
    await runner.run(async () => {
      if (n++ === 0) throw Object.assign(new Error('503'), { status: 503 });
      return 'ok';
    });
    expect(collect()['hp.async.retries{runner}']).toBe(1);
    expect(histograms['hp.async.task.run_time']?.length).toBe(1);
    expect(histograms['hp.async.task.wait_time']?.length).toBe(1);
    await runner.close();

    const batcher = new Batcher<number, number>({
      name: 'b',
      batchSize: 2,
      metrics,
      clock,
      process: async (x) => x,
    });
    await Promise.all([batcher.add(1), batcher.add(2)]);
    expect(histograms['hp.async.batch.size']).toEqual([2]);
    expect(metrics.snapshot().b).toMatchObject({ 'batch.flushes': 1, 'batch.items': 2 });
    batcher.close();
  });
});

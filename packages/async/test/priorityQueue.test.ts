import fc from 'fast-check';
import { AsyncError, InvalidOptionsError, ManualClock, PriorityQueue, QueueFullError } from '../src/index.js';

const deferred = <T = void>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('PriorityQueue', () => {
  it('runs tasks with at most `concurrency` at once and resolves their results', async () => {
    const q = new PriorityQueue({ concurrency: 2 });
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        q.add(async () => {
          running++;
          peak = Math.max(peak, running);
          await flush();
          running--;
          return i * 2;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 10 }, (_, i) => i * 2));
    expect(peak).toBe(2);
    q.close();
  });

  it('a throwing task (sync or async) fails only its own promise and does not stall the queue', async () => {
    const q = new PriorityQueue({ concurrency: 1 });
    const a = q.add(() => {
      throw new Error('sync boom');
    });
    const b = q.add(async () => {
      throw new Error('async boom');
    });
    const c = q.add(async () => 'ok');
    await expect(a).rejects.toThrow('sync boom');
    await expect(b).rejects.toThrow('async boom');
    await expect(c).resolves.toBe('ok');
    expect(q.stats.failed).toBe(2);
    q.close();
  });

  it("rejects with QueueFullError when full and policy is 'reject'", async () => {
    const q = new PriorityQueue({ concurrency: 1, queue_size_limit: 2 });
    const gate = deferred();
    const running = q.add(() => gate.promise);
    const queued = [q.add(async () => 1), q.add(async () => 2)];
    await expect(q.add(async () => 3)).rejects.toBeInstanceOf(QueueFullError);
    await expect(q.add(async () => 3)).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    gate.resolve();
    await running;
    await expect(Promise.all(queued)).resolves.toEqual([1, 2]);
    q.close();
  });

  it("with policy 'wait' blocks the producer until there is room, abortably", async () => {
    const q = new PriorityQueue({ concurrency: 1, queueSizeLimit: 1, whenFull: 'wait', max_waiting: 2 });
    const gate = deferred();
    const first = q.add(() => gate.promise);
    const second = q.add(async () => 'second');
    const third = q.add(async () => 'third'); // waits for room
    const controller = new AbortController();
    const fourth = q.add(async () => 'fourth', { signal: controller.signal });
    expect(q.waiting).toBe(2);
    controller.abort();
    await expect(fourth).rejects.toMatchObject({ code: 'ABORTED' });
    expect(q.waiting).toBe(1);
    gate.resolve();
    await first;
    await expect(second).resolves.toBe('second');
    await expect(third).resolves.toBe('third');
    q.close();
  });

  it('strict_priority runs higher levels first; 0 is the highest', async () => {
    const q = new PriorityQueue({ concurrency: 1, algorithm: 'strict_priority' });
    const gate = deferred();
    const order: string[] = [];
    const blocker = q.add(() => gate.promise);
    const all = [
      q.add(async () => void order.push('low'), { priority: 2 }),
      q.add(async () => void order.push('mid'), { priority: 1 }),
      q.add(async () => void order.push('high'), { priority: 0 }),
    ];
    gate.resolve();
    await blocker;
    await Promise.all(all);
    expect(order).toEqual(['high', 'mid', 'low']);
    q.close();
  });

  it('priority_round_robin gives weighted shares 4:2:1 under saturation: low priorities are never starved', async () => {
    const q = new PriorityQueue({ concurrency: 1, queueSizeLimit: 10_000 });
    const gate = deferred();
    const blocker = q.add(() => gate.promise);
    const order: number[] = [];
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      for (const p of [0, 1, 2]) all.push(q.add(async () => void order.push(p), { priority: p }));
    }
    gate.resolve();
    await blocker;
    await Promise.all(all);
    const first70 = order.slice(0, 70);
    const count = (p: number) => first70.filter((x) => x === p).length;
    expect(count(0)).toBe(40);
    expect(count(1)).toBe(20);
    expect(count(2)).toBe(10);
    q.close();
  });

  it("fairness: 'key' makes keys of one level take turns", async () => {
    const q = new PriorityQueue({ concurrency: 1, fairness: 'key' });
    const gate = deferred();
    const blocker = q.add(() => gate.promise);
    const order: string[] = [];
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 3; i++) all.push(q.add(async () => void order.push('a'), { key: 'a' }));
    for (let i = 0; i < 3; i++) all.push(q.add(async () => void order.push('b'), { key: 'b' }));
    all.push(q.add(async () => void order.push('c'), { key: 'c' }));
    gate.resolve();
    await blocker;
    await Promise.all(all);
    expect(order.join('')).toBe('abcabab');
    q.close();
  });

  it('property: every task runs exactly once, whatever the mix of priorities and keys', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ p: fc.integer({ min: -1, max: 4 }), k: fc.constantFrom('x', 'y', 'z') }), {
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('priority_round_robin', 'strict_priority', 'fifo') as fc.Arbitrary<
          'priority_round_robin' | 'strict_priority' | 'fifo'
        >,
        async (tasks, concurrency, algorithm) => {
          const q = new PriorityQueue({ concurrency, algorithm, fairness: 'key', queueSizeLimit: 100 });
          const ran = new Array<number>(tasks.length).fill(0);
          const results = await Promise.all(
            tasks.map((t, i) =>
              q.add(
                async () => {
                  ran[i]!++;
                  await Promise.resolve();
                  return i;
                },
                { priority: t.p, key: t.k },
              ),
            ),
          );
          q.close();
          expect(results).toEqual(tasks.map((_, i) => i));
          expect(ran.every((n) => n === 1)).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('setConcurrency at run time starts waiting tasks at once', async () => {
    const q = new PriorityQueue({ concurrency: 1 });
    const gates = [deferred(), deferred(), deferred()];
    const tasks = gates.map((g) => q.add(() => g.promise));
    expect(q.pending).toBe(1);
    q.setConcurrency(3);
    expect(q.pending).toBe(3);
    expect(() => q.setConcurrency(0)).toThrow(InvalidOptionsError);
    gates.forEach((g) => g.resolve());
    await Promise.all(tasks);
    q.close();
  });

  it('timeout rejects with TIMEOUT, aborts the task signal and frees the queue (fake clock)', async () => {
    const clock = new ManualClock();
    const q = new PriorityQueue({ concurrency: 1, clock });
    let seen: AbortSignal | undefined;
    const slow = q.add(
      (ctx) => {
        seen = ctx.signal;
        return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('late')));
      },
      { timeout: 1000 },
    );
    const queuedTimeout = q.add(async () => 'never', { timeout: 500 });
    const next = q.add(async () => 'next');
    const slowDone = expect(slow).rejects.toMatchObject({ code: 'TIMEOUT' });
    const queuedDone = expect(queuedTimeout).rejects.toMatchObject({ code: 'TIMEOUT' });
    await clock.advance(500);
    await queuedDone;
    await clock.advance(500);
    await slowDone;
    expect(seen?.aborted).toBe(true);
    await expect(next).resolves.toBe('next');
    expect(clock.pendingTimers).toBe(0);
    q.close();
  });

  it('clear() and close() settle every pending promise with typed errors and leave no timer', async () => {
    const clock = new ManualClock();
    const q = new PriorityQueue({ concurrency: 1, queueSizeLimit: 1, whenFull: 'wait', clock });
    const running = q.add(() => new Promise(() => {}), { timeout: 10_000 });
    const queued = q.add(async () => 1, { timeout: 10_000 });
    const waiting = q.add(async () => 2, { timeout: 10_000 });
    const runningDone = expect(running).rejects.toMatchObject({ code: 'CLOSED' });
    q.clear();
    await expect(queued).rejects.toMatchObject({ code: 'CLEARED' });
    await expect(waiting).rejects.toMatchObject({ code: 'CLEARED' });
    const later = q.add(async () => 3);
    const laterDone = expect(later).rejects.toMatchObject({ code: 'CLOSED' });
    q.close();
    await runningDone;
    await laterDone;
    await expect(q.add(async () => 4)).rejects.toBeInstanceOf(AsyncError);
    expect(clock.pendingTimers).toBe(0);
    await q.onIdle();
  });

  it('stays bounded in memory when many queued tasks are aborted (compaction) and rejects bad per-task options', async () => {
    const q = new PriorityQueue({ concurrency: 1, queueSizeLimit: 10, fairness: 'key' });
    let release!: () => void;
    const blocker = q.add(() => new Promise<void>((r) => (release = r)));
    for (let i = 0; i < 3000; i++) {
      const c = new AbortController();
      const p = q.add(async () => i, { signal: c.signal, key: `k${i % 7}` });
      c.abort();
      await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    }
    const last = q.add(async () => 'last', { key: 'k1' });
    expect(q.size).toBe(1);
    await expect(q.add(async () => 1, { tokens: -1 })).rejects.toMatchObject({ option: 'tokens' });
    await expect(q.add(async () => 1, { timeout: Number.NaN })).rejects.toMatchObject({ option: 'timeout' });
    release();
    await blocker;
    await expect(last).resolves.toBe('last');
    q.close();
  });

  it('rejects invalid options at construction with a typed error naming the option', () => {
    const bad: [object, string][] = [
      [{ concurrency: -1 }, 'concurrency'],
      [{ queue_size_limit: Number.NaN }, 'queue_size_limit'],
      [{ algorithm: 'lottery' }, 'algorithm'],
      [{ when_full: 'drop' }, 'when_full'],
      [{ priority_levels: 0 }, 'priority_levels'],
      [{ weights: [1, 2] }, 'weights'],
      [{ concurency: 3 }, 'concurency'],
    ];
    for (const [options, name] of bad) {
      let error: unknown;
      try {
        new PriorityQueue(options as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).option).toBe(name);
      expect((error as InvalidOptionsError).code).toBe('INVALID_OPTIONS');
    }
  });

  it('a gate (rate limit) holds the head task without using a slot and wakes on time', async () => {
    const clock = new ManualClock();
    let allowAt = 100;
    const gate = { tryAcquire: () => (clock.now() >= allowAt ? {} : allowAt - clock.now()) };
    const q = new PriorityQueue({ concurrency: 5, gate, clock });
    let ran = false;
    const p = q.add(async () => {
      ran = true;
    });
    await clock.tick();
    expect(ran).toBe(false);
    expect(q.pending).toBe(0);
    await clock.advance(100);
    await p;
    expect(ran).toBe(true);
    allowAt = 0;
    q.close();
  });
});

describe('PriorityQueue: TaskContext.pause gives the slot back', () => {
  it.each(['none', 'key'] as const)(
    'a paused task frees its slot for queued tasks, then resumes at the head of its level (fairness %s)',
    async (fairness) => {
      const clock = new ManualClock();
      const q = new PriorityQueue({ concurrency: 1, clock, fairness });
      const log: string[] = [];
      const a = q.add(
        async (ctx) => {
          log.push(`a1@${clock.now()}`);
          await ctx.pause(100);
          log.push(`a2@${clock.now()}`);
          return 'a';
        },
        { key: 'x' },
      );
      const b = q.add(
        async () => {
          log.push(`b@${clock.now()}`);
          await new Promise<void>((r) => clock.setTimeout(r, 150));
          return 'b';
        },
        { key: 'y' },
      );
      const c = q.add(
        () => {
          log.push(`c@${clock.now()}`);
          return 'c';
        },
        { key: 'y' },
      );
      await flush();
      // b ran at once in the slot a gave back
      expect(log).toEqual(['a1@0', 'b@0']);
      expect(q.pending).toBe(1);
      await clock.advance(100);
      // a's pause is over, but the slot is b's until 150
      expect(log).toEqual(['a1@0', 'b@0']);
      expect(q.size).toBe(2);
      await clock.advance(50);
      await expect(Promise.all([a, b, c])).resolves.toEqual(['a', 'b', 'c']);
      // a was queued again at the head, before c that was added after it
      expect(log).toEqual(['a1@0', 'b@0', 'a2@150', 'c@150']);
      expect(q.stats.started).toBe(3);
      await q.onIdle();
      q.close();
      expect(clock.pendingTimers).toBe(0);
    },
  );

  it('onIdle waits for paused tasks; the deadline, the caller signal and close() reach a paused task', async () => {
    const clock = new ManualClock();
    const q = new PriorityQueue({ concurrency: 2, clock });
    let idle = false;
    const signals: AbortSignal[] = [];
    const pausing =
      (ms: number) => async (ctx: { pause(ms: number): Promise<void>; signal: AbortSignal }) => {
        signals.push(ctx.signal);
        await ctx.pause(ms);
        return 'resumed';
      };
    const timed = q.add(pausing(1000), { timeout: 50 });
    const caller = new AbortController();
    const aborted = q.add(pausing(1000), { signal: caller.signal });
    await flush();
    expect(q.pending).toBe(0);
    void q.onIdle().then(() => (idle = true));
    await flush();
    expect(idle).toBe(false);
    caller.abort(new Error('caller gave up'));
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    await clock.advance(50);
    await expect(timed).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(signals.every((s) => s.aborted)).toBe(true);
    await flush();
    expect(idle).toBe(true);

    const closing = q.add(pausing(1000));
    await flush();
    q.close();
    await expect(closing).rejects.toMatchObject({ code: 'CLOSED' });
    expect(clock.pendingTimers).toBe(0);
  });

  it('clear() rejects paused tasks with CLEARED and the queue goes on', async () => {
    const clock = new ManualClock();
    const q = new PriorityQueue({ concurrency: 1, clock });
    const paused = q.add(async (ctx) => {
      await ctx.pause(10);
      return 1;
    });
    await flush();
    q.clear();
    await expect(paused).rejects.toMatchObject({ code: 'CLEARED' });
    await expect(q.add(async () => 2)).resolves.toBe(2);
    q.close();
    expect(clock.pendingTimers).toBe(0);
  });
});

import { Batcher, InvalidOptionsError, llmCompatible, ManualClock, QueueFullError } from '../src/index.js';

interface Req {
  model: string;
  temperature: number;
  max_tokens: number;
  prompt: string;
}
const req = (prompt: string, model = 'm', temperature = 0.7, max_tokens = 500): Req => ({
  model,
  temperature,
  max_tokens,
  prompt,
});

describe('Batcher', () => {
  it('flushes at once when a batch is full and splits results back to each caller', async () => {
    const clock = new ManualClock();
    const batches: string[][] = [];
    const batcher = new Batcher<Req, string>({
      batch_size: 3,
      timeout: 1000,
      clock,
      process: async (items) => {
        batches.push(items.map((r) => r.prompt));
        return items.map((r) => r.prompt.toUpperCase());
      },
    });
    const out = Promise.all(['a', 'b', 'c'].map((p) => batcher.add(req(p))));
    expect(batches).toEqual([['a', 'b', 'c']]); // no clock advance needed
    await expect(out).resolves.toEqual(['A', 'B', 'C']);
    expect(batcher.stats.full).toBe(1);
    expect(clock.pendingTimers).toBe(0);
    batcher.close();
  });

  it('flushes a partial batch when its first item has waited the timeout', async () => {
    const clock = new ManualClock();
    const sizes: number[] = [];
    const batcher = new Batcher<Req, number>({
      batchSize: 5,
      timeout: 1000,
      clock,
      process: async (items) => {
        sizes.push(items.length);
        return items.map((_, i) => i);
      },
    });
    const first = batcher.add(req('a'));
    await clock.advance(600);
    const second = batcher.add(req('b'));
    await clock.advance(399);
    expect(sizes).toEqual([]);
    await clock.advance(1);
    expect(sizes).toEqual([2]);
    await expect(Promise.all([first, second])).resolves.toEqual([0, 1]);
    batcher.close();
  });

  it("groups by the sketch's LLM rule: same model, temperature within 0.1, max_tokens within 100", async () => {
    expect(llmCompatible(req('x', 'm', 0.7, 500), req('y', 'm', 0.75, 550))).toBe(true);
    expect(llmCompatible(req('x', 'm', 0.7, 500), req('y', 'm', 0.85, 500))).toBe(false);
    expect(llmCompatible(req('x', 'm', 0.7, 500), req('y', 'm', 0.7, 600))).toBe(false);
    expect(llmCompatible(req('x', 'a'), req('y', 'b'))).toBe(false);
    expect(llmCompatible({ id: 1 }, { id: 2 })).toBe(true);
    const clock = new ManualClock();
    const batches: string[][] = [];
    const batcher = new Batcher<Req, string>({
      batchSize: 2,
      timeout: 100,
      clock,
      process: async (items) => {
        batches.push(items.map((r) => r.prompt));
        return items.map((r) => r.prompt);
      },
    });
    const all = Promise.all([
      batcher.add(req('a1', 'a')),
      batcher.add(req('b1', 'b')),
      batcher.add(req('a2', 'a', 0.75)),
      batcher.add(req('hot', 'a', 1.5)),
    ]);
    await clock.advance(100);
    await all;
    expect(batches).toEqual([['a1', 'a2'], ['b1'], ['hot']]);
    batcher.close();
  });

  it('keeps priority levels apart, with a shorter timeout for a higher level', async () => {
    const clock = new ManualClock();
    const batches: [number, string[]][] = [];
    const batcher = new Batcher<Req, string>({
      batchSize: 10,
      timeout: [100, 500, 1000],
      clock,
      key: (r) => r.model,
      process: async (items, ctx) => {
        batches.push([ctx.priority, items.map((r) => r.prompt)]);
        return items.map((r) => r.prompt);
      },
    });
    const all = Promise.all([
      batcher.add(req('low'), { priority: 2 }),
      batcher.add(req('high'), { priority: 0 }),
      batcher.add(req('high2'), { priority: 0 }),
    ]);
    await clock.advance(100);
    expect(batches).toEqual([[0, ['high', 'high2']]]);
    await clock.advance(900);
    await all;
    expect(batches[1]).toEqual([2, ['low']]);
    batcher.close();
  });

  it('fails only the items that failed; a thrown error fails its batch; missing results are typed', async () => {
    const batcher = new Batcher<number, number>({
      batchSize: 4,
      timeout: 10,
      clock: new ManualClock(),
      process: async (items) => {
        if (items.includes(99)) throw new Error('whole batch');
        return items.slice(0, 3).map((n) => (n === 2 ? new Error('item 2 failed') : n * 10));
      },
    });
    const results = await Promise.allSettled([1, 2, 3, 4].map((n) => batcher.add(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('item 2 failed');
    expect((results[3] as PromiseRejectedResult).reason.code).toBe('BATCH_RESULT_MISSING');
    const whole = await Promise.allSettled([5, 6, 7, 99].map((n) => batcher.add(n)));
    expect(whole.every((r) => r.status === 'rejected')).toBe(true);
    batcher.close();
  });

  it('is bounded, abortable per item, and close() settles everything and clears timers', async () => {
    const clock = new ManualClock();
    const batcher = new Batcher<number, number>({
      batchSize: 3,
      timeout: 1000,
      max_pending: 2,
      clock,
      process: () => new Promise(() => {}),
    });
    const controller = new AbortController();
    const aborted = batcher.add(1, { signal: controller.signal });
    const two = batcher.add(2).catch((e: { code: string }) => e.code);
    await expect(batcher.add(0)).rejects.toBeInstanceOf(QueueFullError);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    expect(batcher.pending).toBe(1);
    const inflight = Promise.all([two, batcher.add(3).catch((e: { code: string }) => e.code)]);
    batcher.flush();
    expect(batcher.pending).toBe(0); // 2 and 3 are in flight
    const open = batcher.add(5).catch((e: { code: string }) => e.code);
    batcher.close();
    await expect(inflight).resolves.toEqual(['CLOSED', 'CLOSED']);
    await expect(open).resolves.toBe('CLOSED');
    expect(clock.pendingTimers).toBe(0);
  });

  it('setBatchSize and setTimeout at run time', async () => {
    const clock = new ManualClock();
    const sizes: number[] = [];
    const batcher = new Batcher<number, number>({
      batchSize: 10,
      timeout: 1000,
      key: () => 'k',
      clock,
      process: async (items) => {
        sizes.push(items.length);
        return items;
      },
    });
    const first = [1, 2, 3].map((n) => batcher.add(n));
    batcher.setBatchSize(2); // the open group of 3 sends a full batch of 2; the third keeps its deadline
    expect(sizes).toEqual([2]);
    await clock.advance(1000);
    expect(sizes).toEqual([2, 1]);
    await Promise.all(first);
    batcher.setTimeout(10);
    const late = batcher.add(4);
    await clock.advance(10);
    await expect(late).resolves.toBe(4);
    expect(sizes).toEqual([2, 1, 1]);
    expect(() => batcher.setBatchSize(0)).toThrow(InvalidOptionsError);
    batcher.close();
  });

  it('rejects invalid options naming the option', () => {
    const process = async (items: number[]) => items;
    expect(() => new Batcher({ process, batch_size: 0 })).toThrow(
      expect.objectContaining({ option: 'batch_size' }),
    );
    expect(() => new Batcher({ process, timeout: -1 })).toThrow(
      expect.objectContaining({ option: 'timeout' }),
    );
    expect(() => new Batcher({ process, timeout: [1, 2] })).toThrow(InvalidOptionsError);
    expect(() => new Batcher({} as never)).toThrow(expect.objectContaining({ option: 'process' }));
  });
});

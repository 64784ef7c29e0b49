import { CborCodec, DataFormatError, paginate, type CursorFetch, type Page } from '../src/index.js';

async function collect<T>(it: AsyncIterable<T>, limit = Infinity): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) {
    out.push(x);
    if (out.length >= limit) break;
  }
  return out;
}

/** Item i: a record of about 60-70 encoded bytes. */
const item = (i: number) => ({ id: i, name: `agent-${i}`, note: 'saw grain at the market' });

function* items(n: number) {
  for (let i = 0; i < n; i++) yield item(i);
}

/** A cursor API over n items, with a fake clock: each call takes 5 ms + 0.1 ms per item. */
function fakeApi(n: number) {
  let now = 0;
  const calls: number[] = [];
  const fetch: CursorFetch<ReturnType<typeof item>, string> = async (cursor, limit) => {
    calls.push(limit);
    const from = cursor === undefined ? 0 : Number(cursor.slice(1));
    const to = Math.min(n, from + limit);
    now += 5 + 0.1 * (to - from);
    return {
      items: Array.from({ length: to - from }, (_, k) => item(from + k)),
      nextCursor: to < n ? `@${to}` : null,
    };
  };
  return { fetch, calls, clock: () => now };
}

const ids = (pages: Page<{ id: number }, unknown>[]) => pages.flatMap((p) => p.items.map((x) => x.id));

describe('paginate', () => {
  it('sizes pages of an iterable to the byte budget, every item once and in order', async () => {
    const pages = await collect(paginate(items(20_000), { targetBytes: 8_000, initialChunk: 10 }));
    expect(ids(pages)).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    const settled = pages.slice(6, -1);
    for (const p of settled) {
      expect(p.bytes).toBeGreaterThan(8_000 * 0.75);
      expect(p.bytes).toBeLessThan(8_000 * 1.25);
      expect(p.encoded).toHaveLength(p.bytes);
    }
    expect(new CborCodec().decode(pages[3]!.encoded!)).toEqual(pages[3]!.items);
    expect(pages.at(-1)).toMatchObject({ done: true, cursor: undefined });
    expect(pages.slice(0, -1).every((p) => !p.done)).toBe(true);
  });

  it('shrinks pages when items grow', async () => {
    function* growing() {
      for (let i = 0; i < 6000; i++) yield { id: i, blob: 'x'.repeat(i < 2000 ? 10 : 1000) };
    }
    const pages = await collect(paginate(growing(), { targetBytes: 20_000 }));
    const early = pages.find((p) => p.items[0]!.id > 500)!;
    const late = pages.at(-2)!;
    expect(late.chunkSize).toBeLessThan(early.chunkSize / 10);
    expect(late.bytes).toBeLessThan(20_000 * 1.3);
  });

  it('tracks a latency budget with an injected clock (deterministic)', async () => {
    const api = fakeApi(100_000);
    const pages = await collect(
      paginate(api.fetch, { targetLatencyMs: 50, initialChunk: 10, maxChunk: 5000, clock: api.clock }),
    );
    expect(ids(pages)).toHaveLength(100_000);
    const late = pages.slice(10, -1);
    for (const p of late) {
      expect(p.latencyMs).toBeGreaterThan(40);
      expect(p.latencyMs).toBeLessThan(60);
    }
    expect(pages[0]!.encoded).toBeUndefined();
    expect(api.calls[0]).toBe(10);
  });

  it('resumes from a page cursor: fetch source and iterable source', async () => {
    const api = fakeApi(1000);
    const first = await collect(paginate(api.fetch, { targetBytes: 2000 }), 3);
    const rest = await collect(paginate(api.fetch, { targetBytes: 2000, cursor: first.at(-1)!.cursor }));
    expect([...ids(first), ...ids(rest)]).toEqual(Array.from({ length: 1000 }, (_, i) => i));

    const head = await collect(paginate(items(1000), { targetBytes: 2000 }), 2);
    const tail = await collect(paginate(items(1000), { targetBytes: 2000, cursor: head.at(-1)!.cursor }));
    expect([...ids(head), ...ids(tail)]).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('respects minChunk/maxChunk and closes the iterator when the consumer stops', async () => {
    let closed = false;
    function* endless() {
      try {
        for (let i = 0; ; i++) yield item(i);
      } finally {
        closed = true;
      }
    }
    const pages = await collect(paginate(endless(), { targetBytes: 1_000_000, maxChunk: 50 }), 5);
    expect(pages.map((p) => p.items.length)).toEqual([50, 50, 50, 50, 50]);
    expect(closed).toBe(true);
    const tiny = await collect(paginate(items(100), { targetBytes: 1, minChunk: 7, initialChunk: 7 }));
    expect(tiny[0]!.items).toHaveLength(7);
  });

  it('handles empty and async sources', async () => {
    expect(await collect(paginate([]))).toEqual([]);
    async function* asyncItems() {
      for (let i = 0; i < 250; i++) yield item(i);
    }
    const pages = await collect(paginate(asyncItems(), { initialChunk: 100, targetBytes: 1e9 }));
    expect(pages.map((p) => p.items.length)).toEqual([100, 150]);
  });

  it('passes the signal to fetch and stops when aborted', async () => {
    const controller = new AbortController();
    const seen: (AbortSignal | undefined)[] = [];
    const fetch: CursorFetch<number, number> = async (cursor = 0, limit, signal) => {
      seen.push(signal);
      return { items: Array.from({ length: limit }, (_, i) => cursor + i), nextCursor: cursor + limit };
    };
    const run = async () => {
      for await (const page of paginate(fetch, { signal: controller.signal, targetBytes: 100 })) {
        if (page.index === 2) controller.abort();
      }
    };
    await expect(run()).rejects.toThrow(/abort/i);
    expect(seen[0]).toBe(controller.signal);
  });

  it('rejects a fetch that ignores its limit and invalid options', async () => {
    const greedy: CursorFetch<number, number> = async () => ({
      items: new Array(1000).fill(0),
      nextCursor: 1,
    });
    await expect(collect(paginate(greedy, { initialChunk: 10 }))).rejects.toMatchObject({
      code: 'TOO_LARGE',
    });
    await expect(collect(paginate([1], { targetBytes: -5 }))).rejects.toThrow(/"targetBytes"/);
    await expect(collect(paginate([1], { cursor: -1 }))).rejects.toBeInstanceOf(DataFormatError);
  });
});

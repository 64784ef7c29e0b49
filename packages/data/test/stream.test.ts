import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DataFormatError, decodeStream, encodeStream } from '../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface SmallAgent {
  id: number;
  x: number;
  y: number;
  energy: number;
  mood: string;
  alive: boolean;
}

const MOODS = ['calm', 'curious', 'angry', 'happy'];

/** Agent i, computed (not stored): the test can check 1M decoded agents without holding them. */
function agent(i: number): SmallAgent {
  const h = Math.imul(i + 1, 2654435761) >>> 0;
  return {
    id: i,
    x: (h % 10_000) / 100,
    y: ((h >>> 8) % 10_000) / 100,
    energy: h % 101,
    mood: MOODS[h % 4]!,
    alive: h % 19 !== 0,
  };
}

function* agents(n: number): Generator<SmallAgent> {
  for (let i = 0; i < n; i++) yield agent(i);
}

function same(a: SmallAgent, b: SmallAgent): boolean {
  return (
    a.id === b.id &&
    a.x === b.x &&
    a.y === b.y &&
    a.energy === b.energy &&
    a.mood === b.mood &&
    a.alive === b.alive
  );
}

function usedBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function encodeAll(items: Iterable<unknown>, chunkItems = 100): Promise<Buffer> {
  return Buffer.concat(await collect(encodeStream(items, { chunkItems })));
}

describe('stream', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hp-data-stream-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('encodes and decodes 1M agent states through a file in bounded memory', async () => {
    const N = 1_000_000;
    const file = join(dir, 'agents.hps');
    // What holding everything would cost, for comparison: the decoded array alone.
    gc();
    const base = usedBytes();
    const all = Array.from(agents(N));
    const wholeArray = usedBytes() - base;
    all.length = 0;

    gc();
    const before = usedBytes();
    let peak = 0;
    // Live memory (after a full GC) every 100k items: what the stream holds, not garbage awaiting collection.
    const sample = (): void => {
      gc();
      peak = Math.max(peak, usedBytes() - before);
    };
    const sampled = async function* (): AsyncGenerator<Uint8Array> {
      let chunks = 0;
      for await (const chunk of encodeStream(agents(N), { chunkItems: 10_000 })) {
        if (++chunks % 10 === 0) sample();
        yield chunk;
      }
    };
    await pipeline(Readable.from(sampled()), createWriteStream(file));
    const fileBytes = statSync(file).size;

    let count = 0;
    let wrong = 0;
    for await (const item of decodeStream<SmallAgent>(createReadStream(file))) {
      if (!same(item, agent(count))) wrong++;
      if (++count % 100_000 === 0) sample();
    }
    expect(count).toBe(N);
    expect(wrong).toBe(0);
    // Generous bound: well below the decoded array (~100+ MB) or the whole file plus its items.
    expect(peak).toBeLessThan(48 * 1024 * 1024);
    expect(peak).toBeLessThan(wholeArray);
    console.log(
      `stream of ${N} agents: file ${(fileBytes / 1e6).toFixed(1)} MB, peak extra memory ${(peak / 1e6).toFixed(1)} MB, the decoded array alone ${(wholeArray / 1e6).toFixed(1)} MB`,
    );
  }, 120_000);

  it('frames envelopes from pieces of any size', async () => {
    const bytes = await encodeAll(agents(1000), 64);
    const onebyte = Array.from(bytes, (b) => Uint8Array.of(b));
    const decoded = await collect(decodeStream<SmallAgent>(onebyte));
    expect(decoded).toEqual(Array.from(agents(1000)));
    expect(await collect(decodeStream(await collect(encodeStream([]))))).toEqual([]);
  });

  it('detects truncation at a chunk boundary, inside a chunk, corruption and trailing data', async () => {
    const chunks = await collect(encodeStream(agents(500), { chunkItems: 100 }));
    const codeOf = async (parts: Uint8Array[]): Promise<string | undefined> => {
      try {
        await collect(decodeStream(parts));
      } catch (error) {
        if (error instanceof DataFormatError) return error.code;
        throw error;
      }
      return undefined;
    };
    expect(await codeOf(chunks)).toBeUndefined();
    expect(await codeOf(chunks.slice(0, -1))).toBe('TRUNCATED');
    expect(await codeOf(chunks.slice(1))).toBe('LENGTH_MISMATCH');
    const whole = Buffer.concat(chunks);
    expect(await codeOf([whole.subarray(0, whole.length - 7)])).toBe('TRUNCATED');
    const flipped = Buffer.from(whole);
    flipped[100]! ^= 1;
    expect(await codeOf([flipped])).toBe('CHECKSUM_MISMATCH');
    expect(await codeOf([whole, chunks[0]!])).toBe('LENGTH_MISMATCH');
    expect(await codeOf([Buffer.from('not a stream at all')])).toBe('BAD_MAGIC');
    expect(await codeOf([whole])).toBeUndefined();
  });

  it('stops on an aborted signal and validates options', async () => {
    const signal = AbortSignal.abort();
    await expect(collect(encodeStream(agents(10), { signal }))).rejects.toThrow(/abort/i);
    await expect(collect(decodeStream([await encodeAll(agents(10))], { signal }))).rejects.toThrow(/abort/i);
    await expect(collect(encodeStream([], { chunkItems: 0 }))).rejects.toThrow(/"chunkItems"/);
    const big = await encodeAll(agents(100), 100);
    await expect(collect(decodeStream([big], { maxChunkItems: 10 }))).rejects.toMatchObject({
      code: 'TOO_LARGE',
    });
  });
});

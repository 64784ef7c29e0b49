import { randomBytes } from 'node:crypto';
import {
  AutoCompressor,
  type Compressor,
  DataFormatError,
  DeflateCompressor,
  GzipCompressor,
  Lz4Compressor,
  NoneCompressor,
  ZstdCompressor,
} from '../src/index.js';

async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof DataFormatError) return error.code;
    throw error;
  }
  return undefined;
}

/** Byte equality without Jest's element-by-element diff (slow on 200 KB buffers). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

const text = Buffer.from('agent 17 saw the market price rise; agent 4 sold grain. '.repeat(4000));
const small = Buffer.from('{"id":1,"mood":"calm"}');
const LIMIT = { maxOutputBytes: 10 * 1024 * 1024 };

const all: Compressor[] = [
  new NoneCompressor(),
  new GzipCompressor(),
  new GzipCompressor({ level: 9 }),
  new DeflateCompressor(),
  new DeflateCompressor({ level: 6 }),
  new Lz4Compressor(),
  new ZstdCompressor(),
  new AutoCompressor(),
  new AutoCompressor({ prefer: 'speed' }),
];

describe('ZstdCompressor on tens of megabytes (the sizes that use zstd worker threads)', () => {
  // Regression: Node 24's asynchronous zstdCompress with worker threads cut frames of ~9 MB and more.
  const big = Buffer.from(
    Array.from({ length: 700_000 }, (_, i) => `agent ${i} saw the price rise ${(i * 7919) % 1000}\n`).join(
      '',
    ),
  ).subarray(0, 24 * 1024 * 1024);
  const limit = { maxOutputBytes: 32 * 1024 * 1024 };

  it('round-trips sync and async, and both ways read each other', async () => {
    expect(big.length).toBeGreaterThan(20 * 1024 * 1024);
    const zstd = new ZstdCompressor();
    const sync = zstd.compress(big);
    const async = await zstd.compressAsync(big);
    expect(sameBytes(zstd.decompress(async, limit), big)).toBe(true);
    expect(sameBytes(await zstd.decompressAsync(sync, limit), big)).toBe(true);
  });
});

describe.each(all.map((c) => [`${c.name}#${c.id}`, c] as const))('%s', (_name, compressor) => {
  it('round-trips small, large, empty and random data, sync and async', async () => {
    for (const data of [small, text, new Uint8Array(0), randomBytes(100_000)]) {
      const packed = compressor.compress(data);
      expect(sameBytes(compressor.decompress(packed, LIMIT), data)).toBe(true);
      const packedAsync = await compressor.compressAsync(data);
      expect(sameBytes(await compressor.decompressAsync(packedAsync, LIMIT), data)).toBe(true);
      // exactly at the limit (the envelope's case), whichever way it was compressed
      const exact = { maxOutputBytes: data.length, expectedBytes: data.length };
      expect(sameBytes(compressor.decompress(packedAsync, exact), data)).toBe(true);
      expect(sameBytes(await compressor.decompressAsync(packed, exact), data)).toBe(true);
    }
  });

  it('refuses output beyond maxOutputBytes with TOO_LARGE, sync and async', async () => {
    const packed = compressor.compress(text);
    expect(await codeOf(() => compressor.decompress(packed, { maxOutputBytes: 1000 }))).toBe('TOO_LARGE');
    expect(await codeOf(() => compressor.decompressAsync(packed, { maxOutputBytes: 1000 }))).toBe(
      'TOO_LARGE',
    );
    expect(sameBytes(compressor.decompress(packed, { maxOutputBytes: text.length }), text)).toBe(true);
  });

  it('honours an aborted signal', async () => {
    const signal = AbortSignal.abort();
    await expect(compressor.compressAsync(text, { signal })).rejects.toThrow(/abort/i);
    await expect(compressor.decompressAsync(compressor.compress(text), { ...LIMIT, signal })).rejects.toThrow(
      /abort/i,
    );
  });

  if (compressor.id !== 0) {
    it('rejects corrupt and foreign bytes with DataFormatError', async () => {
      const packed = Buffer.from(compressor.compress(text));
      for (const bad of [Buffer.from('definitely not compressed'), packed.subarray(0, packed.length >> 1)]) {
        expect(await codeOf(() => compressor.decompress(bad, LIMIT))).toMatch(
          /DECOMPRESS_FAILED|UNKNOWN_COMPRESSION/,
        );
        expect(await codeOf(() => compressor.decompressAsync(bad, LIMIT))).toMatch(
          /DECOMPRESS_FAILED|UNKNOWN_COMPRESSION/,
        );
      }
    });
  }
});

describe('compressor options', () => {
  it('validate with INVALID_OPTIONS naming the option', () => {
    expect(() => new GzipCompressor({ level: 12 })).toThrow(/"level"/);
    expect(() => new ZstdCompressor({ level: 0 })).toThrow(DataFormatError);
    expect(() => new AutoCompressor({ prefer: 'size' as never })).toThrow(/"prefer"/);
    expect(() => new Lz4Compressor({ async_threshold_bytes: -1 } as never)).toThrow(/asyncThresholdBytes/);
    expect(() => new NoneCompressor().decompress(small, { maxOutputBytes: -1 })).toThrow(/maxOutputBytes/);
  });
});

describe('AutoCompressor.choose', () => {
  const compressible = (n: number): Buffer =>
    Buffer.from('agent saw the market price rise. '.repeat(n / 32 + 1)).subarray(0, n);

  it('picks none, gzip 1, zstd 3 and zstd 4 by size, none for incompressible data', () => {
    const auto = new AutoCompressor();
    const pick = (data: Uint8Array): string => {
      const c = auto.choose(data);
      return c instanceof ZstdCompressor || c instanceof GzipCompressor ? `${c.name}${c.level}` : c.name;
    };
    expect(pick(compressible(100))).toBe('none');
    expect(pick(compressible(4096))).toBe('gzip1');
    expect(pick(compressible(8 * 1024 - 1))).toBe('gzip1');
    expect(pick(compressible(8 * 1024))).toBe('zstd3');
    expect(pick(compressible(1024 * 1024 - 1))).toBe('zstd3');
    expect(pick(compressible(1024 * 1024))).toBe('zstd4');
    expect(pick(randomBytes(64 * 1024))).toBe('none');
    const allHuge = new AutoCompressor({ huge_bytes: 0 } as never);
    expect(allHuge.choose(compressible(4096))).toBe(allHuge.huge);
    expect(new AutoCompressor({ prefer: 'speed' }).choose(compressible(2 * 1024 * 1024)).name).toBe('lz4');
  });
});

describe('ZstdCompressor workers', () => {
  it('compresses large payloads with and without zstd worker threads to standard frames', () => {
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 61;
    for (const workers of [0, 2]) {
      const z = new ZstdCompressor({ workers });
      const packed = z.compress(big);
      expect(packed.length).toBeLessThan(big.length / 10);
      expect(Buffer.from(z.decompress(packed, { maxOutputBytes: big.length })).equals(big)).toBe(true);
    }
  });
});

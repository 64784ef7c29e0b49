import {
  DataFormatError,
  DeflateCompressor,
  GzipCompressor,
  Lz4Compressor,
  ZstdCompressor,
} from '../src/index.js';
import { deflateBomb, gzipBomb, gzipBombLyingTrailer, lz4Bomb, zstdBomb } from './bombs.js';

const LIMIT = { maxOutputBytes: 10 * 1024 * 1024 };

async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof DataFormatError) return error.code;
    throw error;
  }
  return undefined;
}

/** Heap + external + array buffers grow by less than this while refusing a 1 GiB bomb under a 10 MiB limit. */
const GENEROUS_BOUND = 200 * 1024 * 1024;

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

describe('decompression bombs (1 GiB of zeros, 10 MiB limit)', () => {
  const cases = [
    ['gzip, 64 members', () => new GzipCompressor(), gzipBomb],
    ['gzip, trailer lying about its size', () => new GzipCompressor(), gzipBombLyingTrailer],
    ['deflate', () => new DeflateCompressor(), deflateBomb],
    ['zstd, 64 frames', () => new ZstdCompressor(), zstdBomb],
    ['lz4, 16k blocks', () => new Lz4Compressor(), lz4Bomb],
  ] as const;

  it.each(cases)(
    '%s fails with TOO_LARGE, sync and async, without inflating it',
    async (_name, make, bomb) => {
      const compressor = make();
      const bytes = bomb();
      expect(bytes.length).toBeLessThan(8 * 1024 * 1024);
      const before = memory();
      expect(await codeOf(() => compressor.decompress(bytes, LIMIT))).toBe('TOO_LARGE');
      expect(await codeOf(() => compressor.decompressAsync(bytes, LIMIT))).toBe('TOO_LARGE');
      expect(memory() - before).toBeLessThan(GENEROUS_BOUND);
    },
  );

  it('lz4 refuses a frame whose header declares too much content', async () => {
    const frame = Buffer.from(new Lz4Compressor().compress(Buffer.alloc(100)));
    // set the content-size flag and insert 8 bytes of size (header checksum is checked by the decoder later)
    const withSize = Buffer.concat([frame.subarray(0, 6), Buffer.alloc(8), frame.subarray(6)]);
    withSize[4] = withSize[4]! | 0x08;
    withSize.writeBigUInt64LE(2n ** 30n, 6);
    expect(await codeOf(() => new Lz4Compressor().decompress(withSize, LIMIT))).toBe('TOO_LARGE');
  });
});

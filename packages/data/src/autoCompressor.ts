import { z } from 'zod';
import {
  checkAborted,
  checkMaxOutput,
  type CompressAsyncOptions,
  type Compressor,
  decompressFailed,
  type DecompressOptions,
} from './compressor.js';
import { DataFormatError } from './dataFormatError.js';
import { DeflateCompressor } from './deflateCompressor.js';
import { GzipCompressor } from './gzipCompressor.js';
import { Lz4Compressor } from './lz4Compressor.js';
import { NoneCompressor } from './noneCompressor.js';
import { parseOptions } from './options.js';
import { ZstdCompressor } from './zstdCompressor.js';

export interface AutoCompressorOptions {
  /** Payloads smaller than this are stored as they are; default 512 bytes. */
  minBytes?: number;
  /** Bytes of the payload's start that LZ4 compresses to measure its ratio; default 4 KiB. */
  probeBytes?: number;
  /** A probe ratio (compressed / original) above this means incompressible: stored as is; default 0.9. */
  maxRatio?: number;
  /** Payloads of at least this size use `large`, smaller ones `small`; default 8 KiB. */
  largeBytes?: number;
  /** Payloads of at least this size use `huge` (zstd level 4, worker threads); default 1 MiB. */
  hugeBytes?: number;
  /**
   * `balanced` (default): gzip level 1 below `largeBytes`, zstd level 3 up to `hugeBytes`, zstd level 4
   * from there (about as small as gzip level 6, several times faster). `speed`: LZ4 for everything
   * compressible.
   */
  prefer?: 'speed' | 'balanced';
}

const schema = z.object({
  minBytes: z.number().int().min(0).default(512),
  probeBytes: z
    .number()
    .int()
    .min(64)
    .max(1024 * 1024)
    .default(4096),
  maxRatio: z.number().gt(0).max(1).default(0.9),
  largeBytes: z
    .number()
    .int()
    .min(0)
    .default(8 * 1024),
  hugeBytes: z
    .number()
    .int()
    .min(0)
    .default(1024 * 1024),
  prefer: z.enum(['speed', 'balanced']).default('balanced'),
});

/**
 * Picks a compressor per payload: none for small or incompressible data (an LZ4 probe of the first
 * few KiB measures the ratio), else gzip level 1 below 8 KiB, zstd level 3 from 8 KiB to 1 MiB and
 * zstd level 4 with worker threads from 1 MiB, or LZ4 everywhere with `prefer: 'speed'`.
 *
 * Measured (CBOR agent snapshots with records, best of 7, Node 24 zlib, 2 shared cores, 2026-11-27;
 * bytes / ms to compress):
 *
 *   payload      zstd 1        zstd 3        zstd 4        zstd 5        gzip 1
 *   1.6 KB                      960 / 0.026                               955 / 0.030
 *   4.6 KB                      2190 / 0.045                              2224 / 0.043
 *   9.5 KB                      3934 / 0.062                              4034 / 0.094
 *   19 KB        7828 / 0.09   7240 / 0.10   7169 / 0.10   6990 / 0.19   7512 / 0.21
 *   58 KB        21422 / 0.23  19641 / 0.28  19600 / 0.30  19604 / 0.59  21329 / 0.57
 *   192 KB       66040 / 0.76  60647 / 0.90  60847 / 1.73  58261 / 2.29  68466 / 1.97
 *   382 KB       130700 / 1.47 117275 / 1.67 116982 / 1.82 118145 / 3.83 135398 / 3.80
 *   954 KB       320857 / 3.89 285902 / 4.57 284426 / 4.68 290208 / 14.3 336466 / 13.8
 *   19.2 MB      (zstd 4 with 2 workers: 5.55 MB, no larger than JSON+gzip level 6; zstd 3: 5.60 MB)
 *
 * (Up to ~5 KB gzip level 1 and zstd level 3 are within 2% in size and time; gzip decompresses a
 * little faster there. From ~8 KB zstd 3 is smaller and faster.)
 * Level 4 on 128-256 KB inputs uses zstd's greedy parser (its parameter table per size class): twice
 * the time of level 3 for a larger output, hence level 3 below 1 MiB. From 1 MiB zstd's own worker
 * threads run, where level 4 is the smallest level as fast as level 3 (benchmark/RESULTS.md).
 * Levels 5-9 (2-6 ms at 192 KB) and zstd's strategy/minMatch/hashLog parameters were measured too:
 * nothing reached the size of JSON+gzip level 6 on 1,000 agents (56,817 bytes) under ~3 ms.
 *
 * In an envelope the chosen compressor's own id is recorded (`choose`). Used on its own, its output is
 * one byte of the chosen id followed by that compressor's bytes (id 5).
 */
export class AutoCompressor implements Compressor {
  readonly id = 5;
  readonly name = 'auto';
  readonly none = new NoneCompressor();
  readonly small: Compressor;
  readonly large: Compressor;
  readonly huge: Compressor;
  readonly probe = new Lz4Compressor();
  private readonly _opts: z.output<typeof schema>;
  /** Decompression does not depend on levels: any auto instance reads any other's output. */
  private readonly _byId: Compressor[];

  constructor(options: AutoCompressorOptions = {}) {
    this._opts = parseOptions('AutoCompressor', schema, options);
    if (this._opts.prefer === 'speed') {
      this.small = this.probe;
      this.large = this.probe;
      this.huge = this.probe;
    } else {
      this.small = new GzipCompressor({ level: 1 });
      this.large = new ZstdCompressor({ level: 3 });
      this.huge = new ZstdCompressor({ level: 4 });
    }
    this._byId = [this.none, new GzipCompressor(), new DeflateCompressor(), this.probe, new ZstdCompressor()];
  }

  /** The compressor this payload should use. */
  choose(data: Uint8Array): Compressor {
    const { minBytes, probeBytes, maxRatio, largeBytes, hugeBytes } = this._opts;
    if (data.length < minBytes || data.length === 0) return this.none;
    const sample = data.length > probeBytes ? data.subarray(0, probeBytes) : data;
    const ratio = this.probe.compress(sample).length / sample.length;
    if (ratio > maxRatio) return this.none;
    if (data.length >= hugeBytes) return this.huge;
    return data.length >= largeBytes ? this.large : this.small;
  }

  compress(data: Uint8Array): Uint8Array {
    const chosen = this.choose(data);
    return prefix(chosen.id, chosen.compress(data));
  }

  decompress(data: Uint8Array, options: DecompressOptions): Uint8Array {
    return this._inner(data, options).decompress(data.subarray(1), options);
  }

  async compressAsync(data: Uint8Array, options?: CompressAsyncOptions): Promise<Uint8Array> {
    checkAborted(options?.signal);
    const chosen = this.choose(data);
    return prefix(chosen.id, await chosen.compressAsync(data, options));
  }

  decompressAsync(data: Uint8Array, options: DecompressOptions): Promise<Uint8Array> {
    return this._inner(data, options).decompressAsync(data.subarray(1), options);
  }

  private _inner(data: Uint8Array, options: DecompressOptions): Compressor {
    checkMaxOutput('auto', options.maxOutputBytes);
    if (data.length === 0) throw decompressFailed('auto', new Error('empty input'));
    const id = data[0]!;
    const inner = this._byId[id];
    if (inner) return inner;
    throw new DataFormatError(
      'UNKNOWN_COMPRESSION',
      `auto-compressed data names unknown compressor id ${id}`,
    );
  }
}

function prefix(id: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out[0] = id;
  out.set(bytes, 1);
  return out;
}

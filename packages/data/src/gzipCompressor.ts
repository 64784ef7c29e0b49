import { gzipSync as fflateGzip } from 'fflate';
import * as zlib from 'node:zlib';
import { z } from 'zod';
import {
  asBuffer,
  compressChunkSize,
  type CompressAsyncOptions,
  type Compressor,
  DEFAULT_ASYNC_THRESHOLD_BYTES,
  type DecompressOptions,
} from './compressor.js';
import { parseOptions } from './options.js';
import {
  promisifyZlib,
  runAsync,
  type ZlibFormat,
  zlibDecompress,
  zlibDecompressAsync,
} from './zlibBackend.js';

export interface DeflateFamilyOptions {
  /** 0 (store) .. 9 (smallest); default 1 (fast: the measured sweet spot for snapshots). */
  level?: number;
  /** Payloads at least this large compress/decompress off the main thread in the async methods. */
  asyncThresholdBytes?: number;
}

export const deflateFamilySchema = z.object({
  level: z.number().int().min(0).max(9).default(1),
  asyncThresholdBytes: z.number().int().min(0).default(DEFAULT_ASYNC_THRESHOLD_BYTES),
});

/**
 * Where fflate (pure JS, the design's choice) measured faster than node:zlib (native) on this machine:
 * only high levels (>= 6) on payloads >= 32 KiB (e.g. 5.7 MB at level 6: 233 ms vs 316 ms). At level 1
 * node:zlib is 2-3x faster at every size, and it decompresses ~2x faster, with a native output bound.
 * Figures: benchmark/RESULTS.md.
 */
export function useFflate(level: number, size: number): boolean {
  return level >= 6 && size >= 32 * 1024;
}

const gzipAsync = promisifyZlib(zlib.gzip);

const GZIP: ZlibFormat = {
  name: 'gzip',
  decompressSync: zlib.gunzipSync,
  decompressAsync: promisifyZlib(zlib.gunzip),
};

/** gzip (RFC 1952). Reads multi-member streams (as gunzip does). */
export class GzipCompressor implements Compressor {
  readonly id = 1;
  readonly name = 'gzip';
  readonly level: number;
  private readonly _asyncThreshold: number;

  constructor(options: DeflateFamilyOptions = {}) {
    const opts = parseOptions('GzipCompressor', deflateFamilySchema, options);
    this.level = opts.level;
    this._asyncThreshold = opts.asyncThresholdBytes;
  }

  compress(data: Uint8Array): Uint8Array {
    if (useFflate(this.level, data.length)) return fflateGzip(data, { level: this.level as 6 });
    return zlib.gzipSync(asBuffer(data), { level: this.level, chunkSize: compressChunkSize(data.length) });
  }

  decompress(data: Uint8Array, options: DecompressOptions): Uint8Array {
    return zlibDecompress(GZIP, data, options);
  }

  compressAsync(data: Uint8Array, options?: CompressAsyncOptions): Promise<Uint8Array> {
    return runAsync(
      data,
      this._asyncThreshold,
      options,
      () => this.compress(data),
      () => gzipAsync(asBuffer(data), { level: this.level, chunkSize: compressChunkSize(data.length) }),
    );
  }

  decompressAsync(data: Uint8Array, options: DecompressOptions): Promise<Uint8Array> {
    return runAsync(
      data,
      this._asyncThreshold,
      options,
      () => this.decompress(data, options),
      () => zlibDecompressAsync(GZIP, data, options),
    );
  }
}

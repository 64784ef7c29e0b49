import { gzipSync as fflateGzip } from 'fflate';
import * as zlib from 'node:zlib';
import { z } from 'zod';
import { asBuffer, compressChunkSize, DEFAULT_ASYNC_THRESHOLD_BYTES } from './compressor.js';
import { parseOptions } from './options.js';
import { ZlibCompressor } from './zlibCompressor.js';
import { promisifyZlib, type ZlibFormat } from './zlibBackend.js';

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
export class GzipCompressor extends ZlibCompressor {
  readonly id = 1;
  readonly name = 'gzip';
  readonly level: number;

  constructor(options: DeflateFamilyOptions = {}) {
    const opts = parseOptions('GzipCompressor', deflateFamilySchema, options);
    super(GZIP, opts.asyncThresholdBytes);
    this.level = opts.level;
  }

  compress(data: Uint8Array): Uint8Array {
    if (useFflate(this.level, data.length)) return fflateGzip(data, { level: this.level as 6 });
    return zlib.gzipSync(asBuffer(data), { level: this.level, chunkSize: compressChunkSize(data.length) });
  }

  protected _compressOffThread(data: Uint8Array): Promise<Uint8Array> {
    return gzipAsync(asBuffer(data), { level: this.level, chunkSize: compressChunkSize(data.length) });
  }
}

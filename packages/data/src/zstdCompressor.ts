import { availableParallelism } from 'node:os';
import * as zlib from 'node:zlib';
import { z } from 'zod';
import { asBuffer, compressChunkSize, DEFAULT_ASYNC_THRESHOLD_BYTES } from './compressor.js';
import { parseOptions } from './options.js';
import { ZlibCompressor } from './zlibCompressor.js';
import { promisifyZlib, type ZlibFormat } from './zlibBackend.js';

export interface ZstdCompressorOptions {
  /** 1 (fastest) .. 19; default 3 (zstd's own default). */
  level?: number;
  /**
   * zstd worker threads for payloads of 1 MiB or more in `compress` (zstd's own multithreading; standard
   * frames; `compressAsync` runs single-threaded on the libuv pool, see `_compressOffThread`).
   * Default: min(4, cores) when there are 2 or more cores, else 0. Measured: 19 MB at level 3 took
   * 73 ms with 2 workers vs 124 ms with none, on 2 cores.
   */
  workers?: number;
  asyncThresholdBytes?: number;
}

const schema = z.object({
  level: z.number().int().min(1).max(19).default(3),
  workers: z.number().int().min(0).max(64).optional(),
  asyncThresholdBytes: z.number().int().min(0).default(DEFAULT_ASYNC_THRESHOLD_BYTES),
});

const { ZSTD_c_compressionLevel, ZSTD_c_nbWorkers, ZSTD_d_windowLogMax } = zlib.constants;
const MULTITHREAD_BYTES = 1024 * 1024;
const zstdCompressAsync = promisifyZlib(zlib.zstdCompress);

const ZSTD: ZlibFormat = {
  name: 'zstd',
  decompressSync: zlib.zstdDecompressSync,
  decompressAsync: promisifyZlib(zlib.zstdDecompress),
  // A frame may ask for a window of up to 2^31 bytes of decoder memory. Allow what standard levels
  // 1..19 use (<= 2^23, 8 MiB; streamed frames use it even for small content), more only up to the limit.
  decompressOptions: (maxOutputBytes) => ({
    params: {
      [ZSTD_d_windowLogMax]: Math.min(27, Math.max(23, Math.ceil(Math.log2(Math.max(1, maxOutputBytes))))),
    },
  }),
};

/**
 * Zstandard (RFC 8878) through Node's built-in zlib (Node >= 22.15 / 23.8). Not in the original
 * design, added because it measured best here: on agent snapshots it compresses about as fast as LZ4
 * and as small as gzip, and decompresses fastest of all (benchmark/RESULTS.md). Frames are standard:
 * the `zstd` command line tool reads them.
 */
export class ZstdCompressor extends ZlibCompressor {
  readonly id = 4;
  readonly name = 'zstd';
  readonly level: number;
  private readonly _params: zlib.ZstdOptions;
  private readonly _paramsLarge: zlib.ZstdOptions;

  constructor(options: ZstdCompressorOptions = {}) {
    const opts = parseOptions('ZstdCompressor', schema, options);
    super(ZSTD, opts.asyncThresholdBytes);
    this.level = opts.level;
    const cores = availableParallelism();
    const workers = opts.workers ?? (cores >= 2 ? Math.min(4, cores) : 0);
    this._params = { params: { [ZSTD_c_compressionLevel]: this.level } };
    this._paramsLarge = { params: { [ZSTD_c_compressionLevel]: this.level, [ZSTD_c_nbWorkers]: workers } };
  }

  compress(data: Uint8Array): Uint8Array {
    return zlib.zstdCompressSync(asBuffer(data), this._options(data.length));
  }

  /**
   * Without zstd's worker threads: Node 24's asynchronous `zstdCompress` with `nbWorkers` >= 1 ends
   * the frame early for inputs from about 9 MB (the output then fails to decompress: "unexpected
   * end of file"; the synchronous call is not affected). This call already runs on the libuv pool,
   * off the main thread. `test/compressor.test.ts` round-trips 24 MB through this path.
   */
  protected _compressOffThread(data: Uint8Array): Promise<Uint8Array> {
    return zstdCompressAsync(asBuffer(data), this._options(data.length, false));
  }

  private _options(size: number, workers = true): zlib.ZstdOptions {
    const params = workers && size >= MULTITHREAD_BYTES ? this._paramsLarge : this._params;
    return { ...params, chunkSize: compressChunkSize(size) };
  }
}

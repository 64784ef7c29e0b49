import { type CompressAsyncOptions, type Compressor, type DecompressOptions } from './compressor.js';
import { runAsync, type ZlibFormat, zlibDecompress, zlibDecompressAsync } from './zlibBackend.js';

/**
 * What gzip, raw deflate and zstd share: decompression through node:zlib with the output bound of
 * `format`, and async variants that stay on the calling thread below the async threshold and use
 * zlib's thread pool above it. A subclass supplies its synchronous and its native asynchronous compress.
 */
export abstract class ZlibCompressor implements Compressor {
  abstract readonly id: number;
  abstract readonly name: string;

  protected constructor(
    private readonly _format: ZlibFormat,
    private readonly _asyncThreshold: number,
  ) {}

  abstract compress(data: Uint8Array): Uint8Array;

  /** Compresses on zlib's thread pool (used for payloads at or above the async threshold). */
  protected abstract _compressOffThread(data: Uint8Array): Promise<Uint8Array>;

  decompress(data: Uint8Array, options: DecompressOptions): Uint8Array {
    return zlibDecompress(this._format, data, options);
  }

  compressAsync(data: Uint8Array, options?: CompressAsyncOptions): Promise<Uint8Array> {
    return runAsync(
      data,
      this._asyncThreshold,
      options,
      () => this.compress(data),
      () => this._compressOffThread(data),
    );
  }

  decompressAsync(data: Uint8Array, options: DecompressOptions): Promise<Uint8Array> {
    return runAsync(
      data,
      this._asyncThreshold,
      options,
      () => this.decompress(data, options),
      () => zlibDecompressAsync(this._format, data, options),
    );
  }
}

import { deflateSync as fflateDeflate } from 'fflate';
import * as zlib from 'node:zlib';
import {
  asBuffer,
  compressChunkSize,
  type CompressAsyncOptions,
  type Compressor,
  type DecompressOptions,
} from './compressor.js';
import { type DeflateFamilyOptions, deflateFamilySchema, useFflate } from './gzipCompressor.js';
import { parseOptions } from './options.js';
import {
  promisifyZlib,
  runAsync,
  type ZlibFormat,
  zlibDecompress,
  zlibDecompressAsync,
} from './zlibBackend.js';

const deflateRawAsync = promisifyZlib(zlib.deflateRaw);

const DEFLATE: ZlibFormat = {
  name: 'deflate',
  decompressSync: zlib.inflateRawSync,
  decompressAsync: promisifyZlib(zlib.inflateRaw),
};

/** Raw deflate (RFC 1951): gzip without its 18 bytes of header and trailer, for small values. */
export class DeflateCompressor implements Compressor {
  readonly id = 2;
  readonly name = 'deflate';
  readonly level: number;
  private readonly _asyncThreshold: number;

  constructor(options: DeflateFamilyOptions = {}) {
    const opts = parseOptions('DeflateCompressor', deflateFamilySchema, options);
    this.level = opts.level;
    this._asyncThreshold = opts.asyncThresholdBytes;
  }

  compress(data: Uint8Array): Uint8Array {
    if (useFflate(this.level, data.length)) return fflateDeflate(data, { level: this.level as 6 });
    return zlib.deflateRawSync(asBuffer(data), {
      level: this.level,
      chunkSize: compressChunkSize(data.length),
    });
  }

  decompress(data: Uint8Array, options: DecompressOptions): Uint8Array {
    return zlibDecompress(DEFLATE, data, options);
  }

  compressAsync(data: Uint8Array, options?: CompressAsyncOptions): Promise<Uint8Array> {
    return runAsync(
      data,
      this._asyncThreshold,
      options,
      () => this.compress(data),
      () => deflateRawAsync(asBuffer(data), { level: this.level, chunkSize: compressChunkSize(data.length) }),
    );
  }

  decompressAsync(data: Uint8Array, options: DecompressOptions): Promise<Uint8Array> {
    return runAsync(
      data,
      this._asyncThreshold,
      options,
      () => this.decompress(data, options),
      () => zlibDecompressAsync(DEFLATE, data, options),
    );
  }
}

import { deflateSync as fflateDeflate } from 'fflate';
import * as zlib from 'node:zlib';
import { asBuffer, compressChunkSize } from './compressor.js';
import { type DeflateFamilyOptions, deflateFamilySchema, useFflate } from './gzipCompressor.js';
import { parseOptions } from './options.js';
import { ZlibCompressor } from './zlibCompressor.js';
import { promisifyZlib, type ZlibFormat } from './zlibBackend.js';

const deflateRawAsync = promisifyZlib(zlib.deflateRaw);

const DEFLATE: ZlibFormat = {
  name: 'deflate',
  decompressSync: zlib.inflateRawSync,
  decompressAsync: promisifyZlib(zlib.inflateRaw),
};

/** Raw deflate (RFC 1951): gzip without its 18 bytes of header and trailer, for small values. */
export class DeflateCompressor extends ZlibCompressor {
  readonly id = 2;
  readonly name = 'deflate';
  readonly level: number;

  constructor(options: DeflateFamilyOptions = {}) {
    const opts = parseOptions('DeflateCompressor', deflateFamilySchema, options);
    super(DEFLATE, opts.asyncThresholdBytes);
    this.level = opts.level;
  }

  compress(data: Uint8Array): Uint8Array {
    if (useFflate(this.level, data.length)) return fflateDeflate(data, { level: this.level as 6 });
    return zlib.deflateRawSync(asBuffer(data), {
      level: this.level,
      chunkSize: compressChunkSize(data.length),
    });
  }

  protected _compressOffThread(data: Uint8Array): Promise<Uint8Array> {
    return deflateRawAsync(asBuffer(data), { level: this.level, chunkSize: compressChunkSize(data.length) });
  }
}

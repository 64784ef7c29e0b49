import {
  checkAborted,
  checkMaxOutput,
  type CompressAsyncOptions,
  type Compressor,
  type DecompressOptions,
  tooLarge,
} from './compressor.js';

/** Stores bytes as they are (id 0): for small or incompressible payloads. */
export class NoneCompressor implements Compressor {
  readonly id = 0;
  readonly name = 'none';

  compress(data: Uint8Array): Uint8Array {
    return data;
  }

  decompress(data: Uint8Array, options: DecompressOptions): Uint8Array {
    checkMaxOutput('none', options.maxOutputBytes);
    if (data.length > options.maxOutputBytes) throw tooLarge('none', options.maxOutputBytes);
    return data;
  }

  async compressAsync(data: Uint8Array, options?: CompressAsyncOptions): Promise<Uint8Array> {
    checkAborted(options?.signal);
    return data;
  }

  async decompressAsync(data: Uint8Array, options: DecompressOptions): Promise<Uint8Array> {
    checkAborted(options.signal);
    return this.decompress(data, options);
  }
}

import { compressFrame, compressFrameSync, decompressFrame, decompressFrameSync } from 'lz4-napi';
import { z } from 'zod';
import {
  asBuffer,
  checkMaxOutput,
  type CompressAsyncOptions,
  type Compressor,
  DEFAULT_ASYNC_THRESHOLD_BYTES,
  decompressFailed,
  type DecompressOptions,
  tooLarge,
} from './compressor.js';
import { DataFormatError } from './dataFormatError.js';
import { parseOptions } from './options.js';
import { runAsync } from './zlibBackend.js';

export interface Lz4CompressorOptions {
  asyncThresholdBytes?: number;
}

const schema = z.object({
  asyncThresholdBytes: z.number().int().min(0).default(DEFAULT_ASYNC_THRESHOLD_BYTES),
});

/**
 * LZ4 in the standard frame format (lz4-napi / lz4_flex), readable by the `lz4` command line tool.
 * lz4-napi's frame decoder has no output limit, so before decoding, the frame headers are walked
 * (no decompression): a declared content size or the block count times the block size bounds the
 * output, and a frame that would exceed `maxOutputBytes` is refused in microseconds.
 */
export class Lz4Compressor implements Compressor {
  readonly id = 3;
  readonly name = 'lz4';
  private readonly _asyncThreshold: number;

  constructor(options: Lz4CompressorOptions = {}) {
    this._asyncThreshold = parseOptions('Lz4Compressor', schema, options).asyncThresholdBytes;
  }

  compress(data: Uint8Array): Uint8Array {
    return compressFrameSync(asBuffer(data));
  }

  decompress(data: Uint8Array, options: DecompressOptions): Uint8Array {
    checkLz4Bound(data, options.maxOutputBytes);
    let out: Buffer;
    try {
      out = decompressFrameSync(asBuffer(data));
    } catch (error) {
      throw decompressFailed('lz4', error);
    }
    if (out.length > options.maxOutputBytes) throw tooLarge('lz4', options.maxOutputBytes);
    return out;
  }

  compressAsync(data: Uint8Array, options?: CompressAsyncOptions): Promise<Uint8Array> {
    return runAsync(
      data,
      this._asyncThreshold,
      options,
      () => this.compress(data),
      () => compressFrame(data),
    );
  }

  decompressAsync(data: Uint8Array, options: DecompressOptions): Promise<Uint8Array> {
    return runAsync(
      data,
      this._asyncThreshold,
      options,
      () => this.decompress(data, options),
      async () => {
        checkLz4Bound(data, options.maxOutputBytes);
        let out: Buffer;
        try {
          out = await decompressFrame(data);
        } catch (error) {
          throw decompressFailed('lz4', error);
        }
        if (out.length > options.maxOutputBytes) throw tooLarge('lz4', options.maxOutputBytes);
        return out;
      },
    );
  }
}

const LZ4_MAGIC = 0x184d2204;
const BLOCK_MAX: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };

function readU32(data: Uint8Array, pos: number): number {
  return (data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16)) + data[pos + 3]! * 0x1000000;
}

function bad(what: string): DataFormatError {
  return new DataFormatError('DECOMPRESS_FAILED', `lz4 data is corrupt or not an LZ4 frame: ${what}`);
}

/**
 * Walks every frame's header and block headers (LZ4 Frame Format 1.6.x) and refuses input whose
 * decompressed size would exceed `maxOutputBytes`: by the declared content size when present, else
 * by its blocks (every block but the last of a frame is full, as all standard encoders write them;
 * so memory stays below maxOutputBytes + one block, <= 4 MiB, even for hostile frames).
 */
export function checkLz4Bound(data: Uint8Array, maxOutputBytes: number): void {
  checkMaxOutput('lz4', maxOutputBytes);
  let pos = 0;
  let fullBlocks = 0; // bytes produced by all blocks but each frame's last
  const end = data.length;
  if (end < 4) throw bad('too short');
  while (pos < end) {
    if (pos + 4 > end) throw bad('truncated frame magic');
    const magic = readU32(data, pos);
    pos += 4;
    if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) {
      if (pos + 4 > end) throw bad('truncated skippable frame');
      pos += 4 + readU32(data, pos);
      continue;
    }
    if (magic !== LZ4_MAGIC) throw bad(`bad magic 0x${magic.toString(16)}`);
    if (pos + 3 > end) throw bad('truncated frame header');
    const flg = data[pos]!;
    const bd = data[pos + 1]!;
    pos += 2;
    if (flg >> 6 !== 1) throw bad(`unsupported frame version ${flg >> 6}`);
    const blockMax = BLOCK_MAX[(bd >> 4) & 7];
    if (blockMax === undefined) throw bad(`invalid block size code ${(bd >> 4) & 7}`);
    const blockChecksum = (flg & 0x10) !== 0;
    if (flg & 0x08) {
      if (pos + 8 > end) throw bad('truncated content size');
      const size = readU32(data, pos) + readU32(data, pos + 4) * 0x100000000;
      if (size > maxOutputBytes)
        throw tooLarge('lz4', maxOutputBytes, ` (its frame header says ${size} bytes)`);
      pos += 8;
    }
    if (flg & 0x01) pos += 4;
    pos += 1; // header checksum (verified by the decoder)
    let blocks = 0;
    for (;;) {
      if (pos + 4 > end) throw bad('truncated block header');
      const header = readU32(data, pos);
      pos += 4;
      if (header === 0) break;
      const size = header & 0x7fffffff;
      if (size > blockMax) throw bad(`block of ${size} bytes above the frame's block size ${blockMax}`);
      pos += size + (blockChecksum ? 4 : 0);
      if (pos > end) throw bad('truncated block');
      // the previous block of this frame was not the last, so it was full
      if (blocks++ > 0) fullBlocks += blockMax;
      if (fullBlocks > maxOutputBytes) {
        throw tooLarge('lz4', maxOutputBytes, ` (its frame holds at least ${fullBlocks} bytes of blocks)`);
      }
    }
    if (flg & 0x04) pos += 4;
  }
  if (pos > end) throw bad('truncated content checksum');
}

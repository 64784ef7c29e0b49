import type * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import {
  asBuffer,
  checkAborted,
  checkMaxOutput,
  type CompressAsyncOptions,
  decompressFailed,
  type DecompressOptions,
  tooLarge,
} from './compressor.js';

/**
 * Shared plumbing of the node:zlib based formats (gzip, deflate, zstd): bounded decompression with
 * `maxOutputLength` (zlib stops and throws ERR_BUFFER_TOO_LARGE as soon as the output passes it, so
 * a bomb never allocates more than the limit), async variants on the libuv thread pool.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- zlib and zstd option types differ; each format passes its own
type SyncFn = (data: Buffer, options: any) => Buffer;
type AsyncFn = (data: Buffer, options: zlib.ZlibOptions | zlib.ZstdOptions) => Promise<Buffer>;

export interface ZlibFormat {
  name: string;
  decompressSync: SyncFn;
  decompressAsync: AsyncFn;
  /** Extra decompression options for a given output limit (zstd: bound the window size). */
  decompressOptions?: (maxOutputBytes: number) => zlib.ZlibOptions | zlib.ZstdOptions;
}

export function promisifyZlib(fn: (...args: never[]) => unknown): AsyncFn {
  return promisify(fn as never) as unknown as AsyncFn;
}

/** zlib's output bound, or a zstd frame whose window (memory) alone exceeds what the limit allows. */
function isTooLarge(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
  return code === 'ERR_BUFFER_TOO_LARGE' || code === 'ZSTD_error_frameParameter_windowTooLarge';
}

export function zlibDecompress(format: ZlibFormat, data: Uint8Array, options: DecompressOptions): Uint8Array {
  checkMaxOutput(format.name, options.maxOutputBytes);
  checkAborted(options.signal);
  const opts = {
    ...format.decompressOptions?.(options.maxOutputBytes),
    maxOutputLength: Math.max(1, options.maxOutputBytes),
    ...outputChunk(options),
  };
  try {
    const out = format.decompressSync(asBuffer(data), opts);
    if (out.length > options.maxOutputBytes) throw tooLarge(format.name, options.maxOutputBytes);
    return out;
  } catch (error) {
    if (isTooLarge(error)) throw tooLarge(format.name, options.maxOutputBytes);
    if (error instanceof Error && error.name === 'DataFormatError') throw error;
    throw decompressFailed(format.name, error);
  }
}

export async function zlibDecompressAsync(
  format: ZlibFormat,
  data: Uint8Array,
  options: DecompressOptions,
): Promise<Uint8Array> {
  checkMaxOutput(format.name, options.maxOutputBytes);
  checkAborted(options.signal);
  const opts = {
    ...format.decompressOptions?.(options.maxOutputBytes),
    maxOutputLength: Math.max(1, options.maxOutputBytes),
    ...outputChunk(options),
  };
  let out: Buffer;
  try {
    out = await format.decompressAsync(asBuffer(data), opts);
  } catch (error) {
    if (isTooLarge(error)) throw tooLarge(format.name, options.maxOutputBytes);
    throw decompressFailed(format.name, error);
  }
  checkAborted(options.signal);
  if (out.length > options.maxOutputBytes) throw tooLarge(format.name, options.maxOutputBytes);
  return out;
}

export async function runAsync(
  data: Uint8Array,
  threshold: number,
  options: CompressAsyncOptions | undefined,
  inline: () => Uint8Array,
  offThread: () => Promise<Uint8Array>,
): Promise<Uint8Array> {
  checkAborted(options?.signal);
  const out = data.length < threshold ? inline() : await offThread();
  checkAborted(options?.signal);
  return out;
}

/** One output allocation when the exact size is known (bounded by the limit): no chunk concatenation. */
function outputChunk(options: DecompressOptions): { chunkSize?: number } {
  const expected = options.expectedBytes;
  if (expected === undefined || !(expected >= 0) || expected > options.maxOutputBytes) return {};
  return { chunkSize: Math.min(Math.max(expected + 1, 64), 256 * 1024 * 1024) };
}

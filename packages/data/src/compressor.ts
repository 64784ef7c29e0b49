import { DataFormatError } from './dataFormatError.js';

export interface DecompressOptions {
  /**
   * Hard limit on the decompressed size. Output beyond it is never produced in full: decompression
   * stops (or is refused up front from the format's size headers) with `DataFormatError('TOO_LARGE')`.
   */
  maxOutputBytes: number;
  /** The exact output size when the caller knows it (the envelope does): decoders allocate once. */
  expectedBytes?: number;
  signal?: AbortSignal;
}

export interface CompressAsyncOptions {
  signal?: AbortSignal;
}

/**
 * A compression format. `id` is what the envelope records (0 none, 1 gzip, 2 deflate, 3 lz4, 4 zstd;
 * 128..255 are free for applications). Sync methods suit small payloads; the async ones run large
 * payloads off the main thread (libuv thread pool or a native async task) and small ones inline.
 */
export interface Compressor {
  readonly id: number;
  readonly name: string;
  compress(data: Uint8Array): Uint8Array;
  decompress(data: Uint8Array, options: DecompressOptions): Uint8Array;
  compressAsync(data: Uint8Array, options?: CompressAsyncOptions): Promise<Uint8Array>;
  decompressAsync(data: Uint8Array, options: DecompressOptions): Promise<Uint8Array>;
}

/** Payloads at least this large go off the main thread in the async methods (below, a thread hop costs more). */
export const DEFAULT_ASYNC_THRESHOLD_BYTES = 64 * 1024;

/** A Buffer view of the same memory (node:zlib and lz4-napi want Buffers; no copy). */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export function tooLarge(name: string, maxOutputBytes: number, detail = ''): DataFormatError {
  return new DataFormatError(
    'TOO_LARGE',
    `${name} data decompresses to more than maxOutputBytes ${maxOutputBytes}${detail}; refuse it or raise the limit if it is trusted`,
  );
}

export function decompressFailed(name: string, error: unknown): DataFormatError {
  const message = error instanceof Error ? error.message : String(error);
  return new DataFormatError('DECOMPRESS_FAILED', `${name} data is corrupt or not ${name}: ${message}`, {
    cause: error,
  });
}

export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

export function checkMaxOutput(name: string, maxOutputBytes: number): void {
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 0) {
    throw new DataFormatError(
      'INVALID_OPTIONS',
      `${name}: invalid option "maxOutputBytes": must be a non-negative integer, got ${String(maxOutputBytes)}`,
    );
  }
}

/**
 * node:zlib output chunk size for compressing `n` bytes: its 16 KiB default makes multi-MB outputs
 * out of hundreds of pieces; a quarter of the input (64 KiB..4 MiB) measured up to 2x faster for gzip.
 */
export function compressChunkSize(n: number): number {
  return Math.min(Math.max(n >> 2, 64 * 1024), 4 * 1024 * 1024);
}

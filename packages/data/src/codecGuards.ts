import { type DecodeLimits } from './codec.js';
import { DataFormatError } from './dataFormatError.js';

/** The checks every codec applies around its own encode and decode, with one wording for all formats. */

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Encoding errors: a stack overflow means a too-deep (or cyclic) value, anything else an unsupported one. */
export function encodeError(format: string, error: unknown): DataFormatError {
  if (error instanceof DataFormatError) return error;
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new DataFormatError(
      'TOO_DEEP',
      `value is nested too deeply (or cyclic) to encode as ${format}; flatten it`,
      { cause: error },
    );
  }
  return new DataFormatError('ENCODE_FAILED', `value cannot be encoded as ${format}: ${messageOf(error)}`, {
    cause: error,
  });
}

export function checkEncodedSize(format: string, bytes: Uint8Array, maxBytes: number): Uint8Array {
  if (bytes.length > maxBytes) {
    throw new DataFormatError(
      'TOO_LARGE',
      `encoded ${format} is ${bytes.length} bytes, above maxBytes ${maxBytes}; raise maxBytes or split the value`,
    );
  }
  return bytes;
}

/**
 * The limits a decode runs under: the caller's, never looser than the codec's own. Throws TOO_LARGE
 * for input above the byte limit before anything is parsed.
 */
export function decodeLimits(
  format: string,
  bytes: Uint8Array,
  limits: DecodeLimits,
  codec: { maxBytes: number; maxDepth: number },
): { maxBytes: number; maxDepth: number } {
  const maxBytes = Math.min(limits.maxBytes ?? codec.maxBytes, codec.maxBytes);
  const maxDepth = Math.min(limits.maxDepth ?? codec.maxDepth, codec.maxDepth);
  if (bytes.length > maxBytes) {
    throw new DataFormatError(
      'TOO_LARGE',
      `${format} input is ${bytes.length} bytes, above maxBytes ${maxBytes}; raise maxBytes if this data is trusted`,
    );
  }
  return { maxBytes, maxDepth };
}

export function decodeFailed(format: string, error: unknown): DataFormatError {
  return new DataFormatError('DECODE_FAILED', `${format} input could not be decoded: ${messageOf(error)}`, {
    cause: error,
  });
}

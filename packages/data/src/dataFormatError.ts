/** Stable codes for every way bytes or options can be rejected by @hp/data. */
export type DataFormatErrorCode =
  | 'BAD_MAGIC'
  | 'UNSUPPORTED_VERSION'
  | 'UNKNOWN_CODEC'
  | 'UNKNOWN_COMPRESSION'
  | 'TRUNCATED'
  | 'CHECKSUM_MISMATCH'
  | 'LENGTH_MISMATCH'
  | 'TOO_LARGE'
  | 'DECODE_FAILED'
  | 'ENCODE_FAILED'
  | 'DECOMPRESS_FAILED'
  | 'TOO_DEEP'
  | 'INVALID_OPTIONS';

/**
 * Raised for input that @hp/data will not accept: foreign, truncated, corrupted or hostile bytes,
 * values it cannot encode, or invalid options. `code` is stable; `message` names the problem.
 */
export class DataFormatError extends Error {
  override readonly name = 'DataFormatError';
  readonly code: DataFormatErrorCode;

  constructor(code: DataFormatErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

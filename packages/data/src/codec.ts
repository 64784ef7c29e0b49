/** Limits applied while decoding untrusted bytes. */
export interface DecodeLimits {
  /** Reject inputs larger than this many bytes with `TOO_LARGE`. */
  maxBytes?: number;
  /** Reject inputs nested deeper than this with `TOO_DEEP` (checked before the parser recurses). */
  maxDepth?: number;
}

/**
 * Turns values into bytes and back. `id` is what the envelope records to find the codec again
 * (1 = CBOR, 2 = JSON; 128..255 are free for applications).
 */
export interface Codec<T = unknown> {
  readonly id: number;
  readonly name: string;
  encode(value: T): Uint8Array;
  /** Throws `DataFormatError` (`DECODE_FAILED`, `TOO_LARGE`, `TOO_DEEP`) on bytes it will not accept. */
  decode(bytes: Uint8Array, limits?: DecodeLimits): T;
}

/** Default decode limits: 256 MiB and 1,000 nested containers. */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 1000;
/** cbor-x and V8 recurse per nesting level; beyond this even a correct decoder risks the stack. */
export const MAX_ALLOWED_DEPTH = 2000;

import { Decoder, Encoder } from 'cbor-x';
import { z } from 'zod';
import {
  type Codec,
  type DecodeLimits,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_DEPTH,
  MAX_ALLOWED_DEPTH,
} from './codec.js';
import { DecimalPositions, packDecimals, restoreDecimals } from './cborDecimals.js';
import { scanCbor } from './cborScan.js';
import { checkEncodedSize, decodeFailed, decodeLimits, encodeError } from './codecGuards.js';
import { byteLimit, parseOptions } from './options.js';

export interface CborCodecOptions {
  /**
   * Encode plain objects as cbor-x records (keys written once per shape per message). Default true:
   * on agent snapshots it is smaller and decodes ~5x faster (see benchmark/RESULTS.md). Every message
   * carries its own record definitions, so any fresh decoder reads it (nothing shared across messages).
   * Without records, objects are plain CBOR maps (other CBOR tools read them as maps).
   */
  records?: boolean;
  /**
   * Write non-integers that are short decimals (1-4 digits after the point, exactly) as CBOR decimal
   * fractions (tag 4) instead of float64: lossless, 4-8% smaller agent snapshots after compression, for
   * 10-15% more round-trip time (one more pass over the bytes each way; benchmark/RESULTS.md).
   * `'auto'` (default): only when the CBOR is smaller than 1 MiB, where the compressor has too little
   * context to beat gzip level 6's size without them (1,000 agents: 60,667 bytes plain, 56,149 with
   * decimals, 56,817 for JSON+gzip); from 1 MiB zstd does that alone and the passes would cost the
   * most. Any CBOR reader reads them as the same numbers (see cborDecimals.ts); every CborCodec reads
   * them whatever this option says.
   */
  decimals?: boolean | 'auto';
  /** Largest input `decode` accepts and largest output `encode` produces; default 256 MiB. */
  maxBytes?: number;
  /** Deepest nesting `decode` accepts (arrays, maps, tags each count 1; a plain object counts 2); default 1000. */
  maxDepth?: number;
}

const schema = z.object({
  records: z.boolean().default(true),
  decimals: z.union([z.boolean(), z.literal('auto')]).default('auto'),
  maxBytes: byteLimit.default(DEFAULT_MAX_BYTES),
  maxDepth: z.number().int().min(1).max(MAX_ALLOWED_DEPTH).default(DEFAULT_MAX_DEPTH),
});

export const CBOR_CODEC_ID = 1;

/** `decimals: 'auto'` packs CBOR smaller than this (AutoCompressor's zstd level 4 threshold too). */
export const AUTO_DECIMALS_MAX_BYTES = 1024 * 1024;

/**
 * cbor-x's RESET_BUFFER_MODE flag (msgpackr exports it by name, cbor-x 1.6 only by value): after the
 * encode, the next one starts at the same offset of cbor-x's output buffer, which is shared by every
 * Encoder. `test/cborCodec.test.ts` checks that two scratch encodes share their memory.
 */
const RESET_BUFFER_MODE = 1024;
/** Set while `withEncoded` lends out bytes in cbor-x's buffer: any encode would overwrite them. */
let scratchLent = false;

function checkNotLent(): void {
  if (scratchLent) {
    throw new Error(
      "CborCodec: encode called while withEncoded lends cbor-x's output buffer (it would overwrite the lent bytes)",
    );
  }
}
/** cbor-x's `encode` takes the mode as a second argument its type declarations leave out. */
type ModalEncoder = { encode(value: unknown, mode: number): Uint8Array };

/**
 * CBOR (RFC 8949) on cbor-x. Round-trips plain objects, arrays, strings, numbers (incl. NaN, ±Infinity),
 * bigint (any size), booleans, null, undefined, Date, Map (any keys), Set, RegExp, Error, and typed
 * arrays (Uint8Array, Float64Array, ... as RFC 8746 tags). Known differences: -0 decodes as 0; Dates
 * are float64 epoch seconds (exact to the millisecond within about ±100,000 years); class instances
 * come back as plain objects; `__proto__` keys are renamed by cbor-x (prototype-pollution guard).
 */
export class CborCodec implements Codec<unknown> {
  readonly id = CBOR_CODEC_ID;
  readonly name = 'cbor';
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly decimals: boolean | 'auto';
  private readonly _encoder: Encoder;
  private readonly _decoder: Decoder;

  constructor(options: CborCodecOptions = {}) {
    const opts = parseOptions('CborCodec', schema, options);
    this.maxBytes = opts.maxBytes;
    this.maxDepth = opts.maxDepth;
    this.decimals = opts.decimals;
    // With records, plain objects are records and every CBOR map is a Map. Without them objects are
    // CBOR maps too; cbor-x then tells them apart from Maps itself (both round-trip, tested).
    const shared = { useRecords: opts.records, mapsAsObjects: !opts.records, copyBuffers: true } as const;
    this._encoder = new Encoder(shared);
    this._decoder = new Decoder(shared);
  }

  encode(value: unknown): Uint8Array {
    checkNotLent();
    return this._encodeBytes(value, 0);
  }

  /**
   * Encodes `value` and hands the bytes to `use`, valid only until `use` returns: they stay in
   * cbor-x's output buffer, which the next encode reuses instead of growing a new one (a 19 MB
   * snapshot: no fresh 39 MB buffer to fault in, no copies while it grows; benchmark/RESULTS.md).
   * For callers that compress or copy the bytes at once (envelopes); `use` must not keep them and
   * must not encode with cbor-x (a CborCodec throws if asked to while the bytes are lent).
   * @internal
   */
  withEncoded<R>(value: unknown, use: (bytes: Uint8Array) => R): R {
    checkNotLent();
    const bytes = this._encodeBytes(value, RESET_BUFFER_MODE);
    scratchLent = true;
    try {
      return use(bytes);
    } finally {
      scratchLent = false;
    }
  }

  /** cbor-x's encode in `mode` (0: plain), decimals packed, size checked. */
  private _encodeBytes(value: unknown, mode: number): Uint8Array {
    let bytes: Uint8Array;
    try {
      bytes = this._packDecimals((this._encoder as unknown as ModalEncoder).encode(value, mode));
    } catch (error) {
      throw encodeError('CBOR', error);
    }
    return checkEncodedSize('CBOR', bytes, this.maxBytes);
  }

  private _packDecimals(bytes: Uint8Array): Uint8Array {
    const pack = this.decimals === 'auto' ? bytes.length < AUTO_DECIMALS_MAX_BYTES : this.decimals;
    return pack ? packDecimals(bytes) : bytes;
  }

  decode(bytes: Uint8Array, limits: DecodeLimits = {}): unknown {
    const { maxDepth } = decodeLimits('CBOR', bytes, limits, this);
    const decimals = new DecimalPositions();
    scanCbor(bytes, maxDepth, decimals);
    try {
      return this._decoder.decode(restoreDecimals(bytes, decimals));
    } catch (error) {
      throw decodeFailed('CBOR', error);
    }
  }
}

import { z } from 'zod';
import {
  type Codec,
  type DecodeLimits,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_DEPTH,
  MAX_ALLOWED_DEPTH,
} from './codec.js';
import { checkEncodedSize, decodeFailed, decodeLimits, encodeError } from './codecGuards.js';
import { DataFormatError } from './dataFormatError.js';
import { byteLimit, parseOptions } from './options.js';

export interface JsonCodecOptions {
  /** Largest input `decode` accepts and largest output `encode` produces; default 256 MiB. */
  maxBytes?: number;
  /** Deepest nesting of `[`/`{` that `decode` accepts; default 1000. */
  maxDepth?: number;
}

const schema = z.object({
  maxBytes: byteLimit.default(DEFAULT_MAX_BYTES),
  maxDepth: z.number().int().min(1).max(MAX_ALLOWED_DEPTH).default(DEFAULT_MAX_DEPTH),
});

export const JSON_CODEC_ID = 2;

const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * UTF-8 JSON for interop with tools that do not read CBOR. Plain JSON semantics: Date becomes an ISO
 * string, Map/Set become `{}`, `undefined` properties vanish; bigint cannot be encoded (`ENCODE_FAILED`).
 * Use the CBOR codec to keep those types.
 */
export class JsonCodec implements Codec<unknown> {
  readonly id = JSON_CODEC_ID;
  readonly name = 'json';
  readonly maxBytes: number;
  readonly maxDepth: number;
  private readonly _encoder = new TextEncoder();
  private readonly _decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(options: JsonCodecOptions = {}) {
    const opts = parseOptions('JsonCodec', schema, options);
    this.maxBytes = opts.maxBytes;
    this.maxDepth = opts.maxDepth;
  }

  encode(value: unknown): Uint8Array {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      throw encodeError('JSON', error);
    }
    if (text === undefined) {
      throw new DataFormatError('ENCODE_FAILED', `value of type ${typeof value} has no JSON form`);
    }
    return checkEncodedSize('JSON', this._encoder.encode(text), this.maxBytes);
  }

  decode(bytes: Uint8Array, limits: DecodeLimits = {}): unknown {
    const { maxDepth } = decodeLimits('JSON', bytes, limits, this);
    checkJsonDepth(bytes, maxDepth);
    try {
      return JSON.parse(this._decoder.decode(bytes)) as unknown;
    } catch (error) {
      throw decodeFailed('JSON', error);
    }
  }
}

/** Bracket depth outside strings, in one pass over the UTF-8 bytes (multi-byte sequences never hit ASCII). */
function checkJsonDepth(bytes: Uint8Array, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_BRACKET || b === OPEN_BRACE) {
      if (++depth > maxDepth) {
        throw new DataFormatError(
          'TOO_DEEP',
          `JSON input is nested deeper than maxDepth ${maxDepth}; raise maxDepth if this data is trusted`,
        );
      }
    } else if (b === CLOSE_BRACKET || b === CLOSE_BRACE) depth--;
  }
}

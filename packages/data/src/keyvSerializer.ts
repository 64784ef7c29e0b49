import { z } from 'zod';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, MAX_ALLOWED_DEPTH, type Codec } from './codec.js';
import { type Compressor } from './compressor.js';
import { DataFormatError } from './dataFormatError.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';
import { byteLimit, parseOptions } from './options.js';
import {
  type CodecName,
  type CompressionName,
  isCodec,
  isCompressor,
  codecChoice,
  compressionChoice,
} from './registry.js';

/** What keyv stores per key (keyv's `DeserializedData`). */
export interface KeyvData<Value = unknown> {
  value?: Value;
  expires?: number | undefined;
}

export interface KeyvAdapterOptions {
  /** Codec of the stored values: 'cbor' (default; keeps Date, Map, Set, bigint, typed arrays) or 'json'. */
  codec?: CodecName | Codec;
  /** Compression of the stored values: 'auto' (default), 'none', 'gzip', 'deflate', 'lz4', 'zstd'. */
  compression?: CompressionName | Compressor;
  /** Largest stored value accepted when reading, in bytes; default 256 MiB. */
  maxBytes?: number;
  /** Deepest nesting accepted when reading; default 1000. */
  maxDepth?: number;
}

export const keyvAdapterSchema = z.object({
  codec: codecChoice.default('cbor'),
  compression: compressionChoice.default('auto'),
  maxBytes: byteLimit.default(DEFAULT_MAX_BYTES),
  maxDepth: z.number().int().min(1).max(MAX_ALLOWED_DEPTH).default(DEFAULT_MAX_DEPTH),
});

/** Stored strings start with this, then the base64 of one envelope. */
export const KEYV_PREFIX = 'hpd1:';

/** keyv 5 `serialize`/`deserialize` options (also as `stringify`/`parse`, the keyv 4 names). */
export interface KeyvSerializer {
  serialize<Value>(data: KeyvData<Value>): string;
  deserialize<Value>(data: string): KeyvData<Value> | undefined;
  stringify<Value>(data: KeyvData<Value>): string;
  parse<Value>(data: string): KeyvData<Value> | undefined;
}

/** Encodes one value as a prefixed base64 envelope string (what string stores such as Redis hold). */
export function toStoredString(value: unknown, opts: z.output<typeof keyvAdapterSchema>): string {
  const envelope = encodeEnvelope(value, { codec: opts.codec, compression: opts.compression });
  return (
    KEYV_PREFIX + Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength).toString('base64')
  );
}

export function fromStoredString(data: unknown, opts: z.output<typeof keyvAdapterSchema>): unknown {
  let bytes: Uint8Array;
  if (typeof data === 'string') {
    if (!data.startsWith(KEYV_PREFIX)) {
      throw new DataFormatError(
        'BAD_MAGIC',
        `stored value was not written by @hp/data (no "${KEYV_PREFIX}" prefix)`,
      );
    }
    // base64 of maxBytes is 4/3 as long: refuse before decoding a huge string
    if ((data.length - KEYV_PREFIX.length) * 0.75 > opts.maxBytes + 64) {
      throw new DataFormatError('TOO_LARGE', `stored value is above maxBytes ${opts.maxBytes}`);
    }
    bytes = Buffer.from(data.slice(KEYV_PREFIX.length), 'base64');
  } else if (data instanceof Uint8Array) {
    bytes = data;
  } else {
    throw new DataFormatError('DECODE_FAILED', `stored value must be a string or bytes, got ${typeof data}`);
  }
  const extra = {
    codecs: isCodec(opts.codec) ? [opts.codec] : [],
    compressors: isCompressor(opts.compression) ? [opts.compression] : [],
  };
  return decodeEnvelope(bytes, { maxBytes: opts.maxBytes, maxDepth: opts.maxDepth, ...extra });
}

/**
 * A keyv serializer on hp's envelope: `new Keyv({ ...createKeyvSerializer() })`. Each stored entry is
 * one string `hpd1:<base64 envelope of {value, expires}>`; with CBOR, Dates, Maps, Sets, bigints and
 * typed arrays come back as they went in (keyv's JSON default loses them).
 */
export function createKeyvSerializer(options: KeyvAdapterOptions = {}): KeyvSerializer {
  const opts = parseOptions('createKeyvSerializer', keyvAdapterSchema, options);
  const serialize = <Value>(data: KeyvData<Value>): string =>
    toStoredString(data.expires === undefined ? { value: data.value } : data, opts);
  const deserialize = <Value>(data: string): KeyvData<Value> | undefined =>
    fromStoredString(data, opts) as KeyvData<Value> | undefined;
  return { serialize, deserialize, stringify: serialize, parse: deserialize };
}

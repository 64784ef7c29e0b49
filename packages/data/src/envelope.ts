import { crc32 } from 'node:zlib';
import { z } from 'zod';
import { type Codec, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, MAX_ALLOWED_DEPTH } from './codec.js';
import { type Compressor } from './compressor.js';
import { AutoCompressor } from './autoCompressor.js';
import { DataFormatError } from './dataFormatError.js';
import { byteLimit, parseOptions } from './options.js';
import {
  type CodecName,
  codecById,
  type CompressionName,
  compressorById,
  getCodec,
  getCompressor,
  isCodec,
  isBuiltInCbor,
  isBuiltInCompressor,
  isCompressor,
  codecChoice,
  compressionChoice,
} from './registry.js';

/*
 * Envelope format, version 1 (all integers little-endian), 20-byte header then the payload:
 *
 *   0  4  magic            0x89 'H' 'P' 'D' (high first byte: not text, not JSON, not a CBOR map)
 *   4  1  format version   1
 *   5  1  codec id         1 CBOR, 2 JSON, 128..255 application codecs
 *   6  1  compression id   0 none, 1 gzip, 2 deflate, 3 lz4 (frame), 4 zstd, 128..255 application
 *   7  1  flags            0 in version 1 (any other bit: written by a later version)
 *   8  4  uncompressed length of the encoded value, bytes
 *  12  4  payload length, bytes (the envelope is exactly 20 + this long)
 *  16  4  CRC-32 (ISO-HDLC, as zlib/gzip) of bytes 0..15 followed by the payload
 *  20  n  payload: codec bytes, compressed
 *
 * Readers of later versions keep reading version 1 (test/golden holds envelopes written by it).
 */
export const ENVELOPE_MAGIC = Uint8Array.of(0x89, 0x48, 0x50, 0x44);
export const ENVELOPE_VERSION = 1;
export const ENVELOPE_HEADER_BYTES = 20;

export interface EnvelopeHeader {
  version: number;
  codecId: number;
  compressionId: number;
  flags: number;
  uncompressedLength: number;
  payloadLength: number;
  checksum: number;
}

export interface EncodeEnvelopeOptions {
  /** 'cbor' (default), 'json' or a Codec. */
  codec?: CodecName | Codec;
  /** 'auto' (default), 'none', 'gzip', 'deflate', 'lz4', 'zstd' or a Compressor. */
  compression?: CompressionName | Compressor;
  signal?: AbortSignal;
}

export interface DecodeEnvelopeOptions {
  /** Largest envelope, payload and decoded form accepted, in bytes; default 256 MiB. */
  maxBytes?: number;
  /** Deepest nesting accepted in the decoded form; default 1000. */
  maxDepth?: number;
  /** Application codecs (ids 128..255), looked up before the built-in ones. */
  codecs?: Codec[];
  /** Application compressors, looked up before the built-in ones. */
  compressors?: Compressor[];
  signal?: AbortSignal;
}

const encodeSchema = z.object({
  codec: codecChoice.default('cbor'),
  compression: compressionChoice.default('auto'),
  signal: z.instanceof(AbortSignal).optional(),
});

const decodeSchema = z.object({
  maxBytes: byteLimit.default(DEFAULT_MAX_BYTES),
  maxDepth: z.number().int().min(1).max(MAX_ALLOWED_DEPTH).default(DEFAULT_MAX_DEPTH),
  codecs: z.array(z.custom<Codec>(isCodec, 'a Codec')).default([]),
  compressors: z.array(z.custom<Compressor>(isCompressor, 'a Compressor')).default([]),
  signal: z.instanceof(AbortSignal).optional(),
});

type ParsedDecode = z.output<typeof decodeSchema>;

interface Chosen {
  codec: Codec;
  compressor: Compressor;
}

function choose(options: EncodeEnvelopeOptions | undefined): Chosen {
  const opts = parseOptions('encodeEnvelope', encodeSchema, options);
  const codec = getCodec(opts.codec);
  checkId('codec', codec.id);
  return { codec, compressor: getCompressor(opts.compression) };
}

function compressorFor(compressor: Compressor, encoded: Uint8Array): Compressor {
  const chosen = compressor instanceof AutoCompressor ? compressor.choose(encoded) : compressor;
  checkId('compression', chosen.id);
  return chosen;
}

function checkId(what: string, id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 255) {
    throw new DataFormatError(
      'INVALID_OPTIONS',
      `invalid option "${what}": its id must be an integer 0..255, got ${id}`,
    );
  }
}

/** Encodes `value` into one self-describing envelope (see the format above). */
export function encodeEnvelope(value: unknown, options?: EncodeEnvelopeOptions): Uint8Array {
  const { codec, compressor } = choose(options);
  const wrap = (encoded: Uint8Array): Uint8Array => {
    const chosen = compressorFor(compressor, encoded);
    return assemble(codec.id, chosen.id, encoded.length, chosen.compress(encoded));
  };
  // The encoded bytes only live until hp's own compressors have compressed them (or `assemble` has
  // copied them, for 'none'), so CBOR may lend them from its reused output buffer. Not through an
  // application's compressor: it might keep them, or encode with cbor-x itself.
  return isBuiltInCbor(codec) && isBuiltInCompressor(compressor)
    ? codec.withEncoded(value, wrap)
    : wrap(codec.encode(value));
}

/** As `encodeEnvelope`, compressing large payloads off the main thread. */
export async function encodeEnvelopeAsync(
  value: unknown,
  options?: EncodeEnvelopeOptions,
): Promise<Uint8Array> {
  const { codec, compressor } = choose(options);
  const encoded = codec.encode(value);
  const chosen = compressorFor(compressor, encoded);
  const payload = await chosen.compressAsync(encoded, { signal: options?.signal });
  return assemble(codec.id, chosen.id, encoded.length, payload);
}

/** Builds an envelope around an already compressed payload (stream writers use it). */
export function assemble(
  codecId: number,
  compressionId: number,
  uncompressedLength: number,
  payload: Uint8Array,
): Uint8Array {
  if (uncompressedLength > 0xffffffff || payload.length > 0xffffffff) {
    throw new DataFormatError(
      'TOO_LARGE',
      `an envelope holds at most 4 GiB; split the value (e.g. with encodeStream)`,
    );
  }
  const out = new Uint8Array(ENVELOPE_HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  out.set(ENVELOPE_MAGIC, 0);
  out[4] = ENVELOPE_VERSION;
  out[5] = codecId;
  out[6] = compressionId;
  out[7] = 0;
  view.setUint32(8, uncompressedLength, true);
  view.setUint32(12, payload.length, true);
  out.set(payload, ENVELOPE_HEADER_BYTES);
  view.setUint32(16, checksumOf(out.subarray(0, 16), payload), true);
  return out;
}

function checksumOf(head: Uint8Array, payload: Uint8Array): number {
  return crc32(payload, crc32(head)) >>> 0;
}

/**
 * Reads and checks an envelope's header: magic, version, flags, declared sizes against `maxBytes`.
 * `available` is how many bytes the caller holds (a stream reader may hold only the header).
 */
export function readEnvelopeHeader(bytes: Uint8Array, maxBytes = DEFAULT_MAX_BYTES): EnvelopeHeader {
  const magicLength = Math.min(bytes.length, 4);
  for (let i = 0; i < magicLength; i++) {
    if (bytes[i] !== ENVELOPE_MAGIC[i]) {
      throw new DataFormatError(
        'BAD_MAGIC',
        'not an hp envelope (wrong magic bytes); was it written by @hp/data?',
      );
    }
  }
  if (bytes.length < ENVELOPE_HEADER_BYTES) {
    throw new DataFormatError(
      'TRUNCATED',
      `envelope is ${bytes.length} bytes, shorter than its ${ENVELOPE_HEADER_BYTES}-byte header; the data was cut off`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, ENVELOPE_HEADER_BYTES);
  const header: EnvelopeHeader = {
    version: bytes[4]!,
    codecId: bytes[5]!,
    compressionId: bytes[6]!,
    flags: bytes[7]!,
    uncompressedLength: view.getUint32(8, true),
    payloadLength: view.getUint32(12, true),
    checksum: view.getUint32(16, true),
  };
  if (header.version !== ENVELOPE_VERSION) {
    throw new DataFormatError(
      'UNSUPPORTED_VERSION',
      `envelope format version ${header.version} is not supported (this reader knows version ${ENVELOPE_VERSION}); upgrade @hp/data`,
    );
  }
  if (header.flags !== 0) {
    throw new DataFormatError(
      'UNSUPPORTED_VERSION',
      `envelope uses flags 0x${header.flags.toString(16)} unknown to this reader; upgrade @hp/data`,
    );
  }
  if (header.uncompressedLength > maxBytes || header.payloadLength > maxBytes) {
    throw new DataFormatError(
      'TOO_LARGE',
      `envelope declares ${Math.max(header.uncompressedLength, header.payloadLength)} bytes, above maxBytes ${maxBytes}; raise maxBytes if this data is trusted`,
    );
  }
  return header;
}

interface Checked {
  header: EnvelopeHeader;
  payload: Uint8Array;
  codec: Codec;
  compressor: Compressor;
  opts: ParsedDecode;
}

function check(bytes: Uint8Array, options: DecodeEnvelopeOptions | undefined): Checked {
  const opts = parseOptions('decodeEnvelope', decodeSchema, options);
  if (!(bytes instanceof Uint8Array)) {
    throw new DataFormatError(
      'DECODE_FAILED',
      'decodeEnvelope expects a Uint8Array (or Buffer) of envelope bytes',
    );
  }
  const header = readEnvelopeHeader(bytes, opts.maxBytes);
  const total = ENVELOPE_HEADER_BYTES + header.payloadLength;
  if (bytes.length < total) {
    throw new DataFormatError(
      'TRUNCATED',
      `envelope is ${bytes.length} bytes but its header declares ${total}; the data was cut off`,
    );
  }
  if (bytes.length > total) {
    throw new DataFormatError(
      'LENGTH_MISMATCH',
      `envelope is ${bytes.length} bytes but its header declares ${total}; trailing bytes or a wrong length`,
    );
  }
  const payload = bytes.subarray(ENVELOPE_HEADER_BYTES, total);
  if (checksumOf(bytes.subarray(0, 16), payload) !== header.checksum) {
    throw new DataFormatError('CHECKSUM_MISMATCH', 'envelope checksum does not match: the data is corrupted');
  }
  const codec = codecById(header.codecId, opts.codecs);
  if (!codec) {
    throw new DataFormatError(
      'UNKNOWN_CODEC',
      `envelope uses codec id ${header.codecId}, unknown here; pass it in options.codecs`,
    );
  }
  const compressor = compressorById(header.compressionId, opts.compressors);
  if (!compressor) {
    throw new DataFormatError(
      'UNKNOWN_COMPRESSION',
      `envelope uses compression id ${header.compressionId}, unknown here; pass it in options.compressors`,
    );
  }
  if (header.compressionId === 0 && header.payloadLength !== header.uncompressedLength) {
    throw lengthMismatch(header, header.payloadLength);
  }
  return { header, payload, codec, compressor, opts };
}

function lengthMismatch(header: EnvelopeHeader, actual: number | string): DataFormatError {
  return new DataFormatError(
    'LENGTH_MISMATCH',
    `envelope declares ${header.uncompressedLength} uncompressed bytes but its payload holds ${actual}; the header lies`,
  );
}

function finish<T>(c: Checked, bytes: Uint8Array): T {
  if (bytes.length !== c.header.uncompressedLength) throw lengthMismatch(c.header, bytes.length);
  return c.codec.decode(bytes, { maxBytes: c.opts.maxBytes, maxDepth: c.opts.maxDepth }) as T;
}

/** Decompression bounded by the declared length: a payload that inflates past it has a lying header. */
function mapOverflow(c: Checked, error: unknown): never {
  if (error instanceof DataFormatError && error.code === 'TOO_LARGE') {
    throw lengthMismatch(c.header, 'more');
  }
  throw error;
}

/** Decodes one envelope; every defect raises `DataFormatError` with a precise code. */
export function decodeEnvelope<T = unknown>(bytes: Uint8Array, options?: DecodeEnvelopeOptions): T {
  const c = check(bytes, options);
  let encoded: Uint8Array;
  try {
    encoded = c.compressor.decompress(c.payload, {
      maxOutputBytes: c.header.uncompressedLength,
      expectedBytes: c.header.uncompressedLength,
    });
  } catch (error) {
    mapOverflow(c, error);
  }
  return finish<T>(c, encoded);
}

/** As `decodeEnvelope`, decompressing large payloads off the main thread. */
export async function decodeEnvelopeAsync<T = unknown>(
  bytes: Uint8Array,
  options?: DecodeEnvelopeOptions,
): Promise<T> {
  const c = check(bytes, options);
  let encoded: Uint8Array;
  try {
    encoded = await c.compressor.decompressAsync(c.payload, {
      maxOutputBytes: c.header.uncompressedLength,
      expectedBytes: c.header.uncompressedLength,
      signal: c.opts.signal,
    });
  } catch (error) {
    mapOverflow(c, error);
  }
  return finish<T>(c, encoded);
}

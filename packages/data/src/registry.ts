import { AutoCompressor } from './autoCompressor.js';
import { CborCodec } from './cborCodec.js';
import { type Codec } from './codec.js';
import { type Compressor } from './compressor.js';
import { DataFormatError } from './dataFormatError.js';
import { DeflateCompressor } from './deflateCompressor.js';
import { GzipCompressor } from './gzipCompressor.js';
import { JsonCodec } from './jsonCodec.js';
import { Lz4Compressor } from './lz4Compressor.js';
import { NoneCompressor } from './noneCompressor.js';
import { z } from 'zod';
import { ZstdCompressor } from './zstdCompressor.js';

export type CodecName = 'cbor' | 'json';
export type CompressionName = 'none' | 'gzip' | 'deflate' | 'lz4' | 'zstd' | 'auto';

export const CODEC_NAMES: readonly CodecName[] = ['cbor', 'json'];
export const COMPRESSION_NAMES: readonly CompressionName[] = [
  'none',
  'gzip',
  'deflate',
  'lz4',
  'zstd',
  'auto',
];

let codecs: Map<string | number, Codec> | undefined;
let compressors: Map<string | number, Compressor> | undefined;

/** Default instances, created on first use (no work at import: the package is side-effect free). */
function defaults(): { codecs: Map<string | number, Codec>; compressors: Map<string | number, Compressor> } {
  if (!codecs || !compressors) {
    codecs = new Map();
    for (const c of [new CborCodec(), new JsonCodec()]) codecs.set(c.name, c).set(c.id, c);
    compressors = new Map();
    for (const c of [
      new NoneCompressor(),
      new GzipCompressor(),
      new DeflateCompressor(),
      new Lz4Compressor(),
      new ZstdCompressor(),
      new AutoCompressor(),
    ]) {
      compressors.set(c.name, c).set(c.id, c);
    }
  }
  return { codecs, compressors };
}

export function isCodec(value: unknown): value is Codec {
  const v = value as Codec | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.encode === 'function' &&
    typeof v.decode === 'function' &&
    Number.isInteger(v.id)
  );
}

const BUILT_IN_COMPRESSORS = new Set<unknown>([
  NoneCompressor,
  GzipCompressor,
  DeflateCompressor,
  Lz4Compressor,
  ZstdCompressor,
  AutoCompressor,
]);

/** One of hp's own compressor classes exactly (not an application's, nor a subclass of ours). */
export function isBuiltInCompressor(compressor: Compressor): boolean {
  return BUILT_IN_COMPRESSORS.has(Object.getPrototypeOf(compressor)?.constructor);
}

/** hp's own CborCodec exactly (an application's subclass may override `encode`). */
export function isBuiltInCbor(codec: Codec): codec is CborCodec {
  return Object.getPrototypeOf(codec)?.constructor === CborCodec;
}

export function isCompressor(value: unknown): value is Compressor {
  const v = value as Compressor | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.compress === 'function' &&
    typeof v.decompress === 'function' &&
    Number.isInteger(v.id)
  );
}

/** A codec by name ('cbor', 'json') or the codec itself. */
export function getCodec(codec: CodecName | Codec): Codec {
  if (typeof codec !== 'string') return codec;
  const found = defaults().codecs.get(codec);
  if (!found)
    throw new DataFormatError(
      'UNKNOWN_CODEC',
      `unknown codec "${codec}"; use one of ${CODEC_NAMES.join(', ')}`,
    );
  return found;
}

/** A compressor by name ('none', 'gzip', 'deflate', 'lz4', 'zstd', 'auto') or the compressor itself. */
export function getCompressor(compression: CompressionName | Compressor): Compressor {
  if (typeof compression !== 'string') return compression;
  const found = defaults().compressors.get(compression);
  if (!found) {
    throw new DataFormatError(
      'UNKNOWN_COMPRESSION',
      `unknown compression "${compression}"; use one of ${COMPRESSION_NAMES.join(', ')}`,
    );
  }
  return found;
}

/** Looks an envelope's codec id up among `extra` codecs, then the built-in ones. */
export function codecById(id: number, extra: readonly Codec[] = []): Codec | undefined {
  return extra.find((c) => c.id === id) ?? defaults().codecs.get(id);
}

export function compressorById(id: number, extra: readonly Compressor[] = []): Compressor | undefined {
  return extra.find((c) => c.id === id) ?? defaults().compressors.get(id);
}

/** Option schema of a codec choice: a built-in name or a Codec object (shared by every entry point). */
export const codecChoice = z.union([
  z.enum(CODEC_NAMES as [CodecName, ...CodecName[]]),
  z.custom<Codec>(isCodec, 'a Codec'),
]);

/** Option schema of a compression choice: a built-in name or a Compressor object. */
export const compressionChoice = z.union([
  z.enum(COMPRESSION_NAMES as [CompressionName, ...CompressionName[]]),
  z.custom<Compressor>(isCompressor, 'a Compressor'),
]);

export { DataFormatError } from './dataFormatError.js';
export type { DataFormatErrorCode } from './dataFormatError.js';

export type { Codec, DecodeLimits } from './codec.js';
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH } from './codec.js';
export { CborCodec } from './cborCodec.js';
export type { CborCodecOptions } from './cborCodec.js';
export { JsonCodec } from './jsonCodec.js';
export type { JsonCodecOptions } from './jsonCodec.js';

export type { Compressor, CompressAsyncOptions, DecompressOptions } from './compressor.js';
export { NoneCompressor } from './noneCompressor.js';
export { GzipCompressor } from './gzipCompressor.js';
export type { DeflateFamilyOptions } from './gzipCompressor.js';
export { DeflateCompressor } from './deflateCompressor.js';
export { Lz4Compressor } from './lz4Compressor.js';
export type { Lz4CompressorOptions } from './lz4Compressor.js';
export { ZstdCompressor } from './zstdCompressor.js';
export type { ZstdCompressorOptions } from './zstdCompressor.js';
export { AutoCompressor } from './autoCompressor.js';
export type { AutoCompressorOptions } from './autoCompressor.js';
export { getCodec, getCompressor } from './registry.js';
export type { CodecName, CompressionName } from './registry.js';

export {
  decodeEnvelope,
  decodeEnvelopeAsync,
  encodeEnvelope,
  encodeEnvelopeAsync,
  ENVELOPE_HEADER_BYTES,
  ENVELOPE_MAGIC,
  ENVELOPE_VERSION,
  readEnvelopeHeader,
} from './envelope.js';
export type { DecodeEnvelopeOptions, EncodeEnvelopeOptions, EnvelopeHeader } from './envelope.js';

export { createKeyvSerializer } from './keyvSerializer.js';
export type { KeyvAdapterOptions, KeyvData, KeyvSerializer } from './keyvSerializer.js';
export { createKeyvCompression } from './keyvCompression.js';
export type { KeyvCompressionAdapter } from './keyvCompression.js';

export { decodeStream, encodeStream, readEnvelopes } from './stream.js';
export type { DecodeStreamOptions, EncodeStreamOptions, StreamTrailer } from './stream.js';

export { AdaptiveChunkSize } from './adaptiveChunkSize.js';
export type { AdaptiveChunkSizeOptions, ChunkObservation } from './adaptiveChunkSize.js';
export { paginate } from './paginate.js';
export type { CursorFetch, Page, PaginateOptions } from './paginate.js';

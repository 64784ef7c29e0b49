import { z } from 'zod';
import { type Codec, DEFAULT_MAX_DEPTH, MAX_ALLOWED_DEPTH } from './codec.js';
import { checkAborted, type Compressor } from './compressor.js';
import { DataFormatError } from './dataFormatError.js';
import {
  decodeEnvelopeAsync,
  encodeEnvelopeAsync,
  ENVELOPE_HEADER_BYTES,
  readEnvelopeHeader,
} from './envelope.js';
import { byteLimit, parseOptions } from './options.js';
import {
  type CodecName,
  type CompressionName,
  isCodec,
  isCompressor,
  codecChoice,
  compressionChoice,
} from './registry.js';

/*
 * Stream format: a plain concatenation of envelopes (see envelope.ts). Each data chunk is an envelope
 * whose value is an array of items (a record batch; with CBOR records the keys of a shape are written
 * once per chunk). The last envelope is the trailer `{ hpStreamEnd: 1, items, chunks }`, so a stream
 * cut at a chunk boundary is detected (TRUNCATED) as well as one cut inside a chunk.
 */

export interface EncodeStreamOptions {
  codec?: CodecName | Codec;
  /** Default 'auto'. Chunks compress off the main thread when large. */
  compression?: CompressionName | Compressor;
  /** Items per chunk; default 10,000. Memory holds one chunk (its items and its encoded bytes). */
  chunkItems?: number;
  signal?: AbortSignal;
}

export interface DecodeStreamOptions {
  /** Largest chunk accepted (encoded and decoded), bytes; default 64 MiB. */
  maxChunkBytes?: number;
  /** Most items accepted in one chunk; default 1,000,000. */
  maxChunkItems?: number;
  maxDepth?: number;
  codecs?: Codec[];
  compressors?: Compressor[];
  signal?: AbortSignal;
}

export interface StreamTrailer {
  hpStreamEnd: 1;
  items: number;
  chunks: number;
}

const encodeSchema = z.object({
  codec: codecChoice.default('cbor'),
  compression: compressionChoice.default('auto'),
  chunkItems: z.number().int().min(1).max(10_000_000).default(10_000),
  signal: z.instanceof(AbortSignal).optional(),
});

const decodeSchema = z.object({
  maxChunkBytes: byteLimit.default(64 * 1024 * 1024),
  maxChunkItems: z.number().int().min(1).default(1_000_000),
  maxDepth: z.number().int().min(1).max(MAX_ALLOWED_DEPTH).default(DEFAULT_MAX_DEPTH),
  codecs: z.array(z.custom<Codec>(isCodec, 'a Codec')).default([]),
  compressors: z.array(z.custom<Compressor>(isCompressor, 'a Compressor')).default([]),
  signal: z.instanceof(AbortSignal).optional(),
});

/**
 * Encodes items from a (async) iterable as a stream of envelope chunks, one chunk in memory at a time.
 * Write it anywhere: `await pipeline(Readable.from(encodeStream(items)), createWriteStream(path))`.
 */
export async function* encodeStream<T>(
  items: AsyncIterable<T> | Iterable<T>,
  options: EncodeStreamOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const opts = parseOptions('encodeStream', encodeSchema, options);
  const envelopeOptions = { codec: opts.codec, compression: opts.compression, signal: opts.signal };
  let batch: T[] = [];
  let count = 0;
  let chunks = 0;
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= opts.chunkItems) {
      checkAborted(opts.signal);
      const chunk = await encodeEnvelopeAsync(batch, envelopeOptions);
      count += batch.length;
      chunks++;
      batch = [];
      yield chunk;
    }
  }
  checkAborted(opts.signal);
  if (batch.length > 0) {
    const chunk = await encodeEnvelopeAsync(batch, envelopeOptions);
    count += batch.length;
    chunks++;
    batch.length = 0; // release the items before the consumer runs
    yield chunk;
  }
  const trailer: StreamTrailer = { hpStreamEnd: 1, items: count, chunks };
  yield await encodeEnvelopeAsync(trailer, envelopeOptions);
}

/**
 * Splits a byte stream (a file's ReadStream, a socket, any async iterable of Uint8Array) back into
 * envelopes, holding at most one envelope's bytes, and checks the trailer.
 */
export async function* readEnvelopes(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  maxEnvelopeBytes: number,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array, void, undefined> {
  const pending: Uint8Array[] = [];
  let buffered = 0;
  let needed = ENVELOPE_HEADER_BYTES;
  let haveHeader = false;

  const take = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = pending[0]!;
      const part = Math.min(head.length, n - filled);
      out.set(head.subarray(0, part), filled);
      filled += part;
      if (part === head.length) pending.shift();
      else pending[0] = head.subarray(part);
    }
    buffered -= n;
    return out;
  };
  const peek = (n: number): Uint8Array => {
    if (pending[0]!.length >= n) return pending[0]!.subarray(0, n);
    const out = take(n);
    pending.unshift(out);
    buffered += n;
    return out;
  };

  for await (const piece of source) {
    checkAborted(signal);
    if (!(piece instanceof Uint8Array)) {
      throw new DataFormatError('DECODE_FAILED', 'stream sources must yield Uint8Array/Buffer chunks');
    }
    if (piece.length === 0) continue;
    pending.push(piece);
    buffered += piece.length;
    while (buffered >= needed) {
      if (!haveHeader) {
        const header = readEnvelopeHeader(peek(ENVELOPE_HEADER_BYTES), maxEnvelopeBytes);
        needed = ENVELOPE_HEADER_BYTES + header.payloadLength;
        haveHeader = true;
        continue;
      }
      yield take(needed);
      needed = ENVELOPE_HEADER_BYTES;
      haveHeader = false;
    }
  }
  if (buffered > 0) {
    if (buffered >= 4) readEnvelopeHeader(peek(Math.min(buffered, ENVELOPE_HEADER_BYTES)), maxEnvelopeBytes);
    throw new DataFormatError(
      'TRUNCATED',
      `stream ends inside an envelope (${buffered} of ${needed} bytes); the data was cut off`,
    );
  }
}

function isTrailer(value: unknown): value is StreamTrailer {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (value as StreamTrailer).hpStreamEnd === 1
  );
}

/**
 * Decodes a stream written by `encodeStream`, yielding items one by one: memory holds one chunk.
 * Throws `DataFormatError` on any defect, including a stream cut at a chunk boundary (no trailer).
 */
export async function* decodeStream<T = unknown>(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: DecodeStreamOptions = {},
): AsyncGenerator<T, void, undefined> {
  const opts = parseOptions('decodeStream', decodeSchema, options);
  const envelopeOptions = {
    maxBytes: opts.maxChunkBytes,
    maxDepth: opts.maxDepth,
    codecs: opts.codecs,
    compressors: opts.compressors,
    signal: opts.signal,
  };
  let items = 0;
  let chunks = 0;
  let ended = false;
  for await (const envelope of readEnvelopes(source, opts.maxChunkBytes, opts.signal)) {
    if (ended) throw new DataFormatError('LENGTH_MISMATCH', 'stream has data after its trailer');
    const value = await decodeEnvelopeAsync(envelope, envelopeOptions);
    if (isTrailer(value)) {
      if (value.items !== items || value.chunks !== chunks) {
        throw new DataFormatError(
          'LENGTH_MISMATCH',
          `stream trailer counts ${value.items} items in ${value.chunks} chunks, but ${items} in ${chunks} arrived`,
        );
      }
      ended = true;
      continue;
    }
    if (!Array.isArray(value)) {
      throw new DataFormatError(
        'DECODE_FAILED',
        'stream chunk is not an item batch; was it written by encodeStream?',
      );
    }
    if (value.length > opts.maxChunkItems) {
      throw new DataFormatError('TOO_LARGE', `stream chunk holds ${value.length} items, above maxChunkItems`);
    }
    chunks++;
    items += value.length;
    for (const item of value as T[]) yield item;
  }
  if (!ended) {
    throw new DataFormatError(
      'TRUNCATED',
      `stream ends after ${chunks} chunks without its trailer; the data was cut off`,
    );
  }
}

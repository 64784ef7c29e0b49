import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import {
  CborCodec,
  type Codec,
  type Compressor,
  DataFormatError,
  type DataFormatErrorCode,
  decodeEnvelope,
  decodeEnvelopeAsync,
  encodeEnvelope,
  encodeEnvelopeAsync,
  ENVELOPE_HEADER_BYTES,
  GzipCompressor,
  NoneCompressor,
  readEnvelopeHeader,
} from '../src/index.js';
import { gzipBomb } from './bombs.js';
import { cborValue } from './arbitraries.js';

function codeOf(fn: () => unknown): DataFormatErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof DataFormatError) return error.code;
    throw error;
  }
  return undefined;
}

/** Envelope bytes with header fields patched and the checksum recomputed: a forged but "valid" envelope. */
function forge(
  bytes: Uint8Array,
  patch: { codecId?: number; compressionId?: number; uncompressedLength?: number; payload?: Uint8Array },
): Buffer {
  const payload = patch.payload ?? bytes.subarray(ENVELOPE_HEADER_BYTES);
  const out = Buffer.alloc(ENVELOPE_HEADER_BYTES + payload.length);
  out.set(bytes.subarray(0, 16));
  out.set(payload, ENVELOPE_HEADER_BYTES);
  if (patch.codecId !== undefined) out[5] = patch.codecId;
  if (patch.compressionId !== undefined) out[6] = patch.compressionId;
  if (patch.uncompressedLength !== undefined) out.writeUInt32LE(patch.uncompressedLength, 8);
  out.writeUInt32LE(payload.length, 12);
  out.writeUInt32LE(crc32(payload, crc32(out.subarray(0, 16))) >>> 0, 16);
  return out;
}

const COMPRESSIONS = ['none', 'gzip', 'deflate', 'lz4', 'zstd', 'auto'] as const;
const snapshot = {
  step: 3,
  agents: Array.from({ length: 300 }, (_, i) => ({
    id: i,
    mood: 'calm',
    memory: [{ t: i, text: 'saw grain' }],
  })),
};

describe('envelope', () => {
  it.each(COMPRESSIONS)('round-trips with %s compression, sync and async', async (compression) => {
    const bytes = encodeEnvelope(snapshot, { compression });
    expect(decodeEnvelope(bytes)).toEqual(snapshot);
    expect(await decodeEnvelopeAsync(bytes)).toEqual(snapshot);
    const asyncBytes = await encodeEnvelopeAsync(snapshot, { compression, codec: 'json' });
    expect(await decodeEnvelopeAsync(asyncBytes)).toEqual(snapshot);
  });

  it('describes itself in its header', () => {
    const bytes = encodeEnvelope(snapshot, { compression: 'zstd' });
    expect(Buffer.from(bytes.subarray(0, 4)).toString('latin1')).toBe('\x89HPD');
    expect(readEnvelopeHeader(bytes)).toMatchObject({
      version: 1,
      codecId: 1,
      compressionId: 4,
      flags: 0,
      payloadLength: bytes.length - ENVELOPE_HEADER_BYTES,
    });
  });

  it('auto stores small or incompressible values uncompressed', () => {
    expect(readEnvelopeHeader(encodeEnvelope({ a: 1 })).compressionId).toBe(0);
    const noise = randomBytes(100_000);
    expect(readEnvelopeHeader(encodeEnvelope(noise)).compressionId).toBe(0);
    expect(readEnvelopeHeader(encodeEnvelope(snapshot)).compressionId).not.toBe(0);
  });

  describe('rejects every defect with a precise code', () => {
    const good = encodeEnvelope(snapshot, { compression: 'gzip' });

    it('BAD_MAGIC: foreign bytes', () => {
      expect(codeOf(() => decodeEnvelope(Buffer.from('{"json": true}')))).toBe('BAD_MAGIC');
      expect(codeOf(() => decodeEnvelope(Uint8Array.of(0x1f, 0x8b)))).toBe('BAD_MAGIC');
    });

    it('UNSUPPORTED_VERSION: a later format version or unknown flags', () => {
      const v2 = Buffer.from(good);
      v2[4] = 2;
      expect(codeOf(() => decodeEnvelope(v2))).toBe('UNSUPPORTED_VERSION');
      const flagged = Buffer.from(good);
      flagged[7] = 1;
      expect(codeOf(() => decodeEnvelope(flagged))).toBe('UNSUPPORTED_VERSION');
    });

    it('UNKNOWN_CODEC / UNKNOWN_COMPRESSION, unless the caller registers them', () => {
      expect(codeOf(() => decodeEnvelope(forge(good, { codecId: 200 })))).toBe('UNKNOWN_CODEC');
      expect(codeOf(() => decodeEnvelope(forge(good, { compressionId: 200 })))).toBe('UNKNOWN_COMPRESSION');
      const upper: Codec<string> = {
        id: 200,
        name: 'upper',
        encode: (s) => Buffer.from(s.toUpperCase()),
        decode: (b) => Buffer.from(b).toString(),
      };
      const bytes = encodeEnvelope('hello', { codec: upper as Codec, compression: 'none' });
      expect(codeOf(() => decodeEnvelope(bytes))).toBe('UNKNOWN_CODEC');
      expect(decodeEnvelope(bytes, { codecs: [upper as Codec] })).toBe('HELLO');
      const custom = Object.assign(new GzipCompressor(), { id: 201 });
      const withCustom = encodeEnvelope('x', { compression: custom });
      expect(decodeEnvelope(withCustom, { compressors: [custom] })).toBe('x');
    });

    it('gives an application compressor bytes of its own: it may keep them and encode with CBOR', () => {
      const none = new NoneCompressor();
      const kept: Uint8Array[] = [];
      const keeping: Compressor = {
        id: 202,
        name: 'keeping',
        compress: (data) => {
          kept.push(data);
          new CborCodec().encode({ side: 'note written while compressing' });
          return none.compress(data);
        },
        decompress: (data, options) => none.decompress(data, options),
        compressAsync: (data) => none.compressAsync(data),
        decompressAsync: (data, options) => none.decompressAsync(data, options),
      };
      const value = { agents: [{ id: 1, name: 'kari' }] };
      const bytes = encodeEnvelope(value, { compression: keeping });
      encodeEnvelope({ other: 'x'.repeat(1000) });
      expect(new CborCodec().decode(kept[0]!)).toEqual(value);
      expect(decodeEnvelope(bytes, { compressors: [keeping] })).toEqual(value);
    });

    it('TRUNCATED: cut inside the header or the payload', () => {
      expect(codeOf(() => decodeEnvelope(good.subarray(0, 3)))).toBe('TRUNCATED');
      expect(codeOf(() => decodeEnvelope(good.subarray(0, 12)))).toBe('TRUNCATED');
      expect(codeOf(() => decodeEnvelope(good.subarray(0, good.length - 1)))).toBe('TRUNCATED');
    });

    it('CHECKSUM_MISMATCH: a flipped bit in the payload or header', () => {
      const flipped = Buffer.from(good);
      flipped[good.length - 5]! ^= 0x10;
      expect(codeOf(() => decodeEnvelope(flipped))).toBe('CHECKSUM_MISMATCH');
      const codecFlip = Buffer.from(good);
      codecFlip[5] = 2;
      expect(codeOf(() => decodeEnvelope(codecFlip))).toBe('CHECKSUM_MISMATCH');
    });

    it('LENGTH_MISMATCH: trailing bytes or a lying uncompressed length (even with a valid checksum)', () => {
      expect(codeOf(() => decodeEnvelope(Buffer.concat([good, Buffer.of(0)])))).toBe('LENGTH_MISMATCH');
      const declared = readEnvelopeHeader(good).uncompressedLength;
      expect(codeOf(() => decodeEnvelope(forge(good, { uncompressedLength: declared - 1 })))).toBe(
        'LENGTH_MISMATCH',
      );
      expect(codeOf(() => decodeEnvelope(forge(good, { uncompressedLength: declared + 1 })))).toBe(
        'LENGTH_MISMATCH',
      );
      const raw = encodeEnvelope(snapshot, { compression: 'none' });
      expect(codeOf(() => decodeEnvelope(forge(raw, { uncompressedLength: 3 })))).toBe('LENGTH_MISMATCH');
    });

    it('TOO_LARGE: a 1 GiB bomb is refused from its header under a 10 MiB limit', async () => {
      const bomb = forge(good, { uncompressedLength: 2 ** 30, payload: gzipBomb() });
      expect(codeOf(() => decodeEnvelope(bomb, { maxBytes: 10 * 1024 * 1024 }))).toBe('TOO_LARGE');
      await expect(decodeEnvelopeAsync(bomb, { maxBytes: 10 * 1024 * 1024 })).rejects.toMatchObject({
        code: 'TOO_LARGE',
      });
      // the same bomb lying that it holds 1 MiB: decompression stops at the declared length
      const liar = forge(good, { uncompressedLength: 2 ** 20, payload: gzipBomb() });
      expect(codeOf(() => decodeEnvelope(liar, { maxBytes: 10 * 1024 * 1024 }))).toBe('LENGTH_MISMATCH');
      expect(codeOf(() => decodeEnvelope(good, { maxBytes: 100 }))).toBe('TOO_LARGE');
    });

    it('DECODE_FAILED / DECOMPRESS_FAILED: garbage inside a well-formed envelope', () => {
      const raw = encodeEnvelope(1, { compression: 'none' });
      const junk = Uint8Array.of(0x1c, 0x00);
      expect(codeOf(() => decodeEnvelope(forge(raw, { payload: junk, uncompressedLength: 2 })))).toBe(
        'DECODE_FAILED',
      );
      expect(
        codeOf(() =>
          decodeEnvelope(forge(good, { payload: Buffer.from('not gzip at all'), uncompressedLength: 10 })),
        ),
      ).toBe('DECOMPRESS_FAILED');
    });

    it('TOO_DEEP: 100k nested arrays inside a valid envelope, without a stack overflow', () => {
      const raw = encodeEnvelope(1, { compression: 'none' });
      const deep = new Uint8Array(100_001).fill(0x81);
      deep[100_000] = 0x80;
      const bytes = forge(raw, { payload: deep, uncompressedLength: deep.length });
      expect(codeOf(() => decodeEnvelope(bytes))).toBe('TOO_DEEP');
      const json = encodeEnvelope(1, { codec: 'json', compression: 'none' });
      const deepJson = Buffer.from('['.repeat(100_000) + ']'.repeat(100_000));
      expect(
        codeOf(() => decodeEnvelope(forge(json, { payload: deepJson, uncompressedLength: 200_000 }))),
      ).toBe('TOO_DEEP');
      const shallow = encodeEnvelope([[[[1]]]]);
      expect(codeOf(() => decodeEnvelope(shallow, { maxDepth: 3 }))).toBe('TOO_DEEP');
    });

    it('INVALID_OPTIONS: names the option', () => {
      expect(() => encodeEnvelope(1, { compression: 'brotli' as never })).toThrow(/"compression"/);
      expect(() => encodeEnvelope(1, { codec: {} as never })).toThrow(/"codec"/);
      expect(() => decodeEnvelope(good, { maxBytes: 0 })).toThrow(/"maxBytes"/);
      expect(codeOf(() => decodeEnvelope(good, { max_depth: -1 } as never))).toBe('INVALID_OPTIONS');
    });
  });

  describe('properties', () => {
    it('round-trips arbitrary values with every compression', () => {
      fc.assert(
        fc.property(cborValue, fc.constantFrom(...COMPRESSIONS), (value, compression) => {
          expect(decodeEnvelope(encodeEnvelope(value, { compression }))).toEqual(value);
        }),
        { numRuns: 300 },
      );
    });

    const envelopes = fc
      .tuple(cborValue, fc.constantFrom(...COMPRESSIONS))
      .map(([value, compression]) => ({ value, bytes: encodeEnvelope(value, { compression }) }));

    it('detects every single-byte corruption (CRC-32 catches all bursts up to 32 bits)', () => {
      fc.assert(
        fc.property(envelopes, fc.nat(), fc.integer({ min: 1, max: 255 }), ({ bytes }, at, xor) => {
          const bad = Buffer.from(bytes);
          bad[at % bad.length]! ^= xor;
          expect(codeOf(() => decodeEnvelope(bad))).toBeDefined();
        }),
        { numRuns: 1000 },
      );
    });

    it('never returns a wrong value after random flips, and always rejects truncation', () => {
      fc.assert(
        fc.property(
          envelopes,
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }),
          fc.nat(),
          ({ value, bytes }, flips, cut) => {
            const bad = Buffer.from(bytes);
            for (const [at, xor] of flips) bad[at % bad.length]! ^= xor;
            try {
              expect(decodeEnvelope(bad)).toEqual(value);
            } catch (error) {
              expect(error).toBeInstanceOf(DataFormatError);
            }
            expect(codeOf(() => decodeEnvelope(bytes.subarray(0, cut % bytes.length)))).toBeDefined();
          },
        ),
        { numRuns: 500 },
      );
    });
  });
});

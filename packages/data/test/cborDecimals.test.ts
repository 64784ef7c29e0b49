import fc from 'fast-check';
import { Decoder, Encoder } from 'cbor-x';
import { DecimalPositions, packDecimals, restoreDecimals } from '../src/cborDecimals.js';
import { scanCbor } from '../src/cborScan.js';
import { referencePackDecimals } from './referenceDecimals.js';
import { CborCodec, DataFormatError, ZstdCompressor } from '../src/index.js';
import { AUTO_DECIMALS_MAX_BYTES } from '../src/cborCodec.js';
import { cborValue, hardDouble } from './arbitraries.js';
import { makeSnapshot } from '../benchmark/agentSnapshot.js';

const encoder = new Encoder({ useRecords: false });
const decoder = new Decoder({ useRecords: false });

function restored(bytes: Uint8Array): Uint8Array {
  const positions = new DecimalPositions();
  scanCbor(bytes, 1000, positions);
  return restoreDecimals(bytes, positions);
}

describe('packDecimals / restoreDecimals', () => {
  it('writes a short decimal as tag 4 [-digits, mantissa] and reads it back as the same double', () => {
    const float = encoder.encode(57.23);
    expect(float[0]).toBe(0xfb); // cbor-x: float64, 9 bytes
    const packed = packDecimals(float);
    expect([...packed]).toEqual([0xc4, 0x82, 0x21, 0x19, 0x16, 0x5b]); // 4([-2, 5723])
    expect(Object.is(decoder.decode(packed), 57.23)).toBe(true);
    expect([...packDecimals(encoder.encode(-0.5))]).toEqual([0xc4, 0x82, 0x20, 0x24]); // 4([-1, -5])
  });

  it('leaves doubles alone that are not exactly a short decimal, and returns the input when nothing changes', () => {
    for (const v of [0.1 + 0.2, Math.PI, 1e300, 12345678.12345, NaN, Infinity]) {
      const bytes = encoder.encode(v);
      expect(packDecimals(bytes)).toBe(bytes);
    }
    const text = encoder.encode({
      s: '\u00fb\u00fb\u00fb',
      b: new Uint8Array([0xfb, 1, 2, 3, 4, 5, 6, 7, 8]),
    });
    expect(packDecimals(text)).toBe(text); // 0xfb inside strings is not a float head
  });

  it('is read by any CBOR reader (cbor-x without hp) as the same numbers', () => {
    fc.assert(
      fc.property(fc.array(hardDouble, { maxLength: 30 }), (xs) => {
        const plain = decoder.decode(packDecimals(encoder.encode(xs))) as number[];
        xs.forEach((x, i) => {
          if (!Object.is(plain[i], Object.is(x, -0) ? 0 : x)) throw new Error(`${x} read as ${plain[i]}`);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('restores exactly the bytes cbor-x wrote (property over arbitrary values)', () => {
    fc.assert(
      fc.property(cborValue, (value) => {
        // padded past 1000 bytes: shorter input cannot be too deep, so the scan skips it (and cbor-x
        // reads tag 4 itself)
        const bytes = encoder.encode([value, 'x'.repeat(1000)]);
        const original = Uint8Array.from(bytes);
        const packed = packDecimals(bytes); // in place: \`bytes\` now holds the packed form
        expect(Buffer.from(packed).equals(Buffer.from(referencePackDecimals(original.slice())))).toBe(true);
        expect(Buffer.from(restored(packed)).equals(Buffer.from(original))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('makes agent snapshots smaller after compression', () => {
    const snapshot = makeSnapshot(1000);
    const zstd = new ZstdCompressor({ level: 3 });
    const plain = new CborCodec({ decimals: false }).encode(snapshot);
    const packed = new CborCodec({ decimals: true }).encode(snapshot);
    expect(packed.length).toBeLessThan(plain.length * 0.95);
    expect(zstd.compress(packed).length).toBeLessThan(zstd.compress(plain).length * 0.95);
    expect(new CborCodec().decode(packed)).toEqual(snapshot); // the default reads them too
  });

  it("'auto' (the default) packs CBOR below 1 MiB and leaves larger payloads as float64", () => {
    const codec = new CborCodec();
    expect(codec.decimals).toBe('auto');
    const on = new CborCodec({ decimals: true });
    const off = new CborCodec({ decimals: false });
    const small = Array.from({ length: 1000 }, (_, i) => i / 4 + 0.01);
    expect(Buffer.from(codec.encode(small)).equals(Buffer.from(on.encode(small)))).toBe(true);
    expect(codec.encode(small).length).toBeLessThan(off.encode(small).length);
    // 120,000 float64 items: 1.08 MB of CBOR, over the 1 MiB threshold
    const large = Array.from({ length: 120_000 }, (_, i) => i / 4 + 0.01);
    expect(off.encode(large).length).toBeGreaterThan(AUTO_DECIMALS_MAX_BYTES);
    expect(Buffer.from(codec.encode(large)).equals(Buffer.from(off.encode(large)))).toBe(true);
    expect(codec.decode(codec.encode(small))).toEqual(small);
    expect(codec.decode(on.encode(large))).toEqual(large);
    expect(() => new CborCodec({ decimals: 'always' as never })).toThrow(DataFormatError);
  });

  it('rejects a decimal fraction cut off at the end with TRUNCATED, not a wrong number', () => {
    const codec = new CborCodec({ decimals: true });
    const bytes = codec.encode(Array.from({ length: 2000 }, (_, i) => i + 0.25));
    for (const cut of [1, 2, 3]) {
      const error = (() => {
        try {
          codec.decode(bytes.subarray(0, bytes.length - cut));
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(DataFormatError);
      expect((error as DataFormatError).code).toBe('TRUNCATED');
    }
  });
});

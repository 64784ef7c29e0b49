import fc from 'fast-check';
import { Decoder, Encoder, FLOAT32_OPTIONS } from 'cbor-x';
import { CborCodec, DataFormatError } from '../src/index.js';
import { cborValue, hardDouble } from './arbitraries.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof DataFormatError) return error.code;
    throw error;
  }
  return undefined;
}

/** `depth` nested one-element arrays around an empty array, as raw CBOR bytes. */
function nestedArrays(depth: number): Uint8Array {
  const bytes = new Uint8Array(depth + 1).fill(0x81);
  bytes[depth] = 0x80;
  return bytes;
}

describe('CborCodec', () => {
  const codec = new CborCodec();

  it('round-trips the types structured clone keeps', () => {
    const value = {
      id: 7,
      name: 'ka',
      when: new Date(1_700_000_000_000),
      tags: new Set(['a', 'b']),
      scores: new Map<unknown, unknown>([
        ['x', 1],
        [2, { nested: true }],
      ]),
      big: 2n ** 100n,
      small: -5n,
      bytes: new Uint8Array([1, 2, 3]),
      floats: new Float64Array([1.5, -2.25]),
      ints: new Int32Array([-1, 2]),
      list: [1, 'two', null, undefined, true, 1.5, NaN, Infinity],
      empty: {},
    };
    expect(codec.decode(codec.encode(value))).toEqual(value);
    const invalid = codec.decode(codec.encode(new Date(NaN)));
    expect(invalid).toBeInstanceOf(Date);
    expect(Number.isNaN((invalid as Date).getTime())).toBe(true);
  });

  it('round-trips arbitrary values (property)', () => {
    fc.assert(
      fc.property(cborValue, (value) => {
        expect(codec.decode(codec.encode(value))).toEqual(value);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['float64', codec],
    ['decimals: true', new CborCodec({ decimals: true })],
  ])('round-trips every double bit for bit, %s (property; -0 decodes as 0, as documented)', (_name, c) => {
    fc.assert(
      fc.property(fc.array(hardDouble, { maxLength: 20 }), (xs) => {
        const back = c.decode(c.encode({ xs })) as { xs: number[] };
        for (let i = 0; i < xs.length; i++) {
          const want = Object.is(xs[i], -0) ? 0 : xs[i];
          if (!Object.is(back.xs[i], want)) throw new Error(`${xs[i]} decoded as ${back.xs[i]}`);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("does not use cbor-x's float32 DECIMAL_FIT: it loses doubles one ulp from a short decimal", () => {
    // Measured for benchmark/RESULTS.md: 4-byte floats would make 1,000-agent snapshots 2-4% smaller
    // after compression, but DECIMAL_FIT only checks value * 10^k is an integer, so 0.21000000000000002
    // is written as a float32 and read back as 0.21. The default codec keeps float64.
    const fit = { useRecords: false, useFloat32: FLOAT32_OPTIONS.DECIMAL_FIT };
    const lossy = new Decoder(fit).decode(new Encoder(fit).encode(0.21000000000000002)) as number;
    expect(lossy).toBe(0.21);
    expect(codec.decode(codec.encode(0.21000000000000002))).toBe(0.21000000000000002);
  });

  it('writes self-contained records: a fresh decoder reads every message of a reused encoder', () => {
    const first = codec.encode([{ a: 1, b: 'x' }]);
    const second = codec.encode([
      { a: 2, b: 'y' },
      { a: 3, b: 'z' },
    ]);
    const fresh = new Decoder({ useRecords: true, mapsAsObjects: false });
    expect(fresh.decode(second)).toEqual([
      { a: 2, b: 'y' },
      { a: 3, b: 'z' },
    ]);
    expect(new CborCodec().decode(first)).toEqual([{ a: 1, b: 'x' }]);
    expect(new CborCodec({ records: false }).decode(second)).toEqual([
      { a: 2, b: 'y' },
      { a: 3, b: 'z' },
    ]);
  });

  it('can write plain CBOR maps instead of records', () => {
    const plain = new CborCodec({ records: false });
    const bytes = plain.encode({ a: 1 });
    expect(bytes[0]! >> 5).toBe(5); // a CBOR map, no record tag
    expect(plain.decode(bytes)).toEqual({ a: 1 });
    expect(plain.decode(plain.encode(new Map([['k', 1]])))).toEqual(new Map([['k', 1]]));
  });

  it('rejects 100k nested arrays with TOO_DEEP before cbor-x recurses', () => {
    expect(codeOf(() => codec.decode(nestedArrays(100_000)))).toBe('TOO_DEEP');
  });

  it('rejects 100k nested tags and indefinite arrays with TOO_DEEP', () => {
    const tags = new Uint8Array(200_001);
    for (let i = 0; i < 100_000; i++) tags.set([0xd8, 0x40], i * 2);
    expect(codeOf(() => codec.decode(tags))).toBe('TOO_DEEP');
    const indefinite = new Uint8Array(100_000).fill(0x9f);
    expect(codeOf(() => codec.decode(indefinite))).toBe('TOO_DEEP');
  });

  it('accepts nesting up to maxDepth and rejects one more', () => {
    const limited = new CborCodec({ maxDepth: 50 });
    let value: unknown = [];
    for (let i = 1; i < 50; i++) value = [value];
    expect(limited.decode(limited.encode(value))).toEqual(value);
    expect(codeOf(() => limited.decode(limited.encode([value])))).toBe('TOO_DEEP');
    expect(codeOf(() => codec.decode(nestedArrays(60), { maxDepth: 50 }))).toBe('TOO_DEEP');
    expect(codec.decode(nestedArrays(1500 / 2))).toBeDefined();
  });

  it('reports values too deep to encode as TOO_DEEP, unsupported ones as ENCODE_FAILED', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(codeOf(() => codec.encode(deep))).toBe('TOO_DEEP');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(codeOf(() => codec.encode(cyclic))).toBe('TOO_DEEP');
    expect(codeOf(() => codec.encode(Symbol('x')))).toBe('ENCODE_FAILED');
  });

  describe('withEncoded (bytes lent from the reused output buffer)', () => {
    // a real copy (cbor-x returns Buffers, whose slice() is a view of the same memory)
    const copy = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes);

    it('lends the same bytes encode writes, and the same memory each time', () => {
      const value = { agents: [{ id: 1, name: 'kari', x: 12.5 }], step: 3 };
      const lent: Uint8Array[] = [];
      expect(codec.withEncoded(value, copy)).toEqual(codec.encode(value));
      codec.withEncoded(value, (bytes) => lent.push(bytes));
      codec.withEncoded({ other: 'value' }, (bytes) => lent.push(bytes));
      // cbor-x's RESET_BUFFER_MODE: the second encode starts where the first one did (if a cbor-x
      // update drops the flag, this fails instead of the buffers silently growing again).
      expect(lent[1]!.buffer).toBe(lent[0]!.buffer);
      expect(lent[1]!.byteOffset).toBe(lent[0]!.byteOffset);
    });

    it('never overwrites what encode returned before or after', () => {
      const before = codec.encode({ kept: 'before', n: [1, 2, 3] });
      const snapshot = copy(before);
      codec.withEncoded({ lent: 'x'.repeat(500) }, copy);
      const after = codec.encode({ kept: 'after' });
      codec.withEncoded({ lent: 'y'.repeat(5000) }, copy);
      expect(before).toEqual(snapshot);
      expect(codec.decode(after)).toEqual({ kept: 'after' });
    });

    it('keeps earlier results intact when a lent encode outgrows the buffer', () => {
      const kept = [1, 2, 3].map((i) => ({ i, bytes: codec.encode({ i, s: 'k'.repeat(100 * i) }) }));
      const copies = kept.map((k) => copy(k.bytes));
      // 2 MB and then 8 MB of CBOR: cbor-x moves to new, larger buffers while the bytes are lent
      for (const n of [2_000, 8_000]) {
        const big = Array.from({ length: n }, (_, i) => ({ id: i, text: 'x'.repeat(1000) }));
        const lent = codec.withEncoded(big, (bytes) => codec.decode(copy(bytes)));
        expect(lent).toEqual(big);
      }
      kept.forEach((k, j) => expect(Buffer.from(k.bytes).equals(Buffer.from(copies[j]!))).toBe(true));
      expect(codec.decode(codec.encode({ after: true }))).toEqual({ after: true });
    });

    it('refuses to encode while bytes are lent (it would overwrite them)', () => {
      const outer = { outer: [1, 2, 3] };
      const seen = codec.withEncoded(outer, (bytes) => {
        expect(() => codec.encode({ inner: 1 })).toThrow(/while withEncoded lends/);
        expect(() => new CborCodec().withEncoded({ inner: 1 }, copy)).toThrow(/while withEncoded lends/);
        return copy(bytes);
      });
      expect(codec.decode(seen)).toEqual(outer);
      expect(codec.decode(codec.encode(outer))).toEqual(outer);
    });

    it('applies decimals and the size limit, and types its errors', () => {
      const decimals = new CborCodec({ decimals: true });
      expect(decimals.withEncoded({ x: 12.25 }, copy)).toEqual(decimals.encode({ x: 12.25 }));
      expect(codeOf(() => new CborCodec({ maxBytes: 16 }).withEncoded('x'.repeat(100), copy))).toBe(
        'TOO_LARGE',
      );
      expect(codeOf(() => codec.withEncoded(Symbol('x'), copy))).toBe('ENCODE_FAILED');
      // a failed call leaves nothing lent: the next one uses the shared buffer again
      expect(codec.withEncoded([1], copy)).toEqual(codec.encode([1]));
    });
  });

  it('enforces maxBytes on both sides', () => {
    const small = new CborCodec({ maxBytes: 16 });
    expect(codeOf(() => small.encode('x'.repeat(100)))).toBe('TOO_LARGE');
    expect(codeOf(() => codec.decode(codec.encode('x'.repeat(100)), { maxBytes: 50 }))).toBe('TOO_LARGE');
  });

  it('rejects truncated, malformed and trailing bytes', () => {
    const bytes = codec.encode({ a: [1, 2, 3], b: 'hello' });
    expect(codeOf(() => codec.decode(bytes.subarray(0, bytes.length - 2)))).toMatch(
      /TRUNCATED|DECODE_FAILED/,
    );
    const lyingArray = new Uint8Array(2000);
    lyingArray.set([0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(codeOf(() => codec.decode(lyingArray))).toBe('TRUNCATED');
    expect(codeOf(() => codec.decode(Uint8Array.of(0x1c)))).toBe('DECODE_FAILED');
    expect(codeOf(() => codec.decode(Uint8Array.of(0x01, 0x02)))).toBe('DECODE_FAILED');
    expect(codeOf(() => codec.decode(new Uint8Array(0)))).toMatch(/TRUNCATED|DECODE_FAILED/);
  });

  it('never crashes on random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          codec.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(DataFormatError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('validates its options', () => {
    expect(codeOf(() => new CborCodec({ maxDepth: 0 }))).toBe('INVALID_OPTIONS');
    expect(() => new CborCodec({ maxDepth: 1e9 })).toThrow(/maxDepth/);
    expect(() => new CborCodec({ colour: 'red' } as never)).toThrow(/colour/);
    expect(new CborCodec({ max_depth: 10 } as never).maxDepth).toBe(10);
  });
});

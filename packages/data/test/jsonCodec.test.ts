import fc from 'fast-check';
import { DataFormatError, JsonCodec } from '../src/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof DataFormatError) return error.code;
    throw error;
  }
  return undefined;
}

describe('JsonCodec', () => {
  const codec = new JsonCodec();

  it('round-trips JSON values (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(codec.decode(codec.encode(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('writes plain UTF-8 JSON that other tools read', () => {
    const bytes = codec.encode({ a: [1, 'é'] });
    expect(Buffer.from(bytes).toString('utf8')).toBe('{"a":[1,"é"]}');
  });

  it('rejects deep nesting with TOO_DEEP before JSON.parse runs, ignoring brackets in strings', () => {
    const deep = Buffer.from('['.repeat(100_000) + ']'.repeat(100_000));
    expect(codeOf(() => codec.decode(deep))).toBe('TOO_DEEP');
    const limited = new JsonCodec({ maxDepth: 3 });
    expect(limited.decode(Buffer.from('[[["[[[[\\"{{{{"]]]'))).toEqual([[['[[[["{{{{']]]);
    expect(codeOf(() => limited.decode(Buffer.from('[[[[]]]]')))).toBe('TOO_DEEP');
  });

  it('maps bad input and unencodable values to DataFormatError codes', () => {
    expect(codeOf(() => codec.decode(Buffer.from('{"a":')))).toBe('DECODE_FAILED');
    expect(codeOf(() => codec.decode(Uint8Array.of(0xff, 0xfe)))).toBe('DECODE_FAILED');
    expect(codeOf(() => codec.decode(Buffer.from('"long"'), { maxBytes: 3 }))).toBe('TOO_LARGE');
    expect(codeOf(() => codec.encode(1n))).toBe('ENCODE_FAILED');
    expect(codeOf(() => codec.encode(undefined))).toBe('ENCODE_FAILED');
    expect(codeOf(() => new JsonCodec({ maxBytes: 4 }).encode('hello'))).toBe('TOO_LARGE');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(codeOf(() => codec.encode(cyclic))).toBe('ENCODE_FAILED');
  });

  it('validates its options', () => {
    expect(() => new JsonCodec({ maxBytes: -1 })).toThrow(/maxBytes/);
  });
});

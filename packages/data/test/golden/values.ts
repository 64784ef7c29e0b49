/**
 * The values stored in the golden envelopes. NEVER edit these: the .hpd files next to this module
 * were written from them by generate.ts with @hp/data 0.1.0 (envelope format version 1), and
 * envelope.golden.test.ts checks that every later version still reads them back to exactly these.
 */
export const GOLDEN_VALUES = {
  agents: {
    step: 1000,
    agents: Array.from({ length: 50 }, (_, i) => ({
      id: i,
      name: `agent-${i}`,
      x: i * 1.25,
      y: i === 0 ? 0 : -i / 4,
      alive: i % 7 !== 0,
      mood: ['calm', 'curious', 'angry'][i % 3],
      memory: Array.from({ length: i % 4 }, (_, m) => ({ step: 990 + m, text: `saw agent ${(i + m) % 50}` })),
    })),
  },
  types: {
    when: new Date(Date.UTC(2026, 10, 27, 6, 0, 0, 123)),
    tags: new Set(['a', 'b', 'c']),
    scores: new Map<unknown, unknown>([
      ['x', 1],
      [2, 'two'],
    ]),
    big: 2n ** 80n + 7n,
    negative: -42n,
    bytes: new Uint8Array([0, 1, 2, 254, 255]),
    floats: new Float64Array([1.5, -0.25, 1e300]),
    nothing: null,
    missing: undefined,
    text: 'héllo wörld ✓',
  },
  json: { a: [1, 2, 3], b: 'plain json', c: { d: true, e: null } },
};

export interface GoldenFile {
  file: string;
  value: keyof typeof GOLDEN_VALUES;
  codec: 'cbor' | 'json';
  compression: 'none' | 'gzip' | 'deflate' | 'lz4' | 'zstd';
  /** Written with `CborCodec({ decimals: true })` (short decimals as tag-4 decimal fractions). */
  decimals?: boolean;
}

export const GOLDEN_FILES: GoldenFile[] = [
  { file: 'agents-cbor-none.hpd', value: 'agents', codec: 'cbor', compression: 'none' },
  { file: 'agents-cbor-gzip.hpd', value: 'agents', codec: 'cbor', compression: 'gzip' },
  { file: 'agents-cbor-deflate.hpd', value: 'agents', codec: 'cbor', compression: 'deflate' },
  { file: 'agents-cbor-lz4.hpd', value: 'agents', codec: 'cbor', compression: 'lz4' },
  { file: 'agents-cbor-zstd.hpd', value: 'agents', codec: 'cbor', compression: 'zstd' },
  { file: 'types-cbor-zstd.hpd', value: 'types', codec: 'cbor', compression: 'zstd' },
  { file: 'types-cbor-none.hpd', value: 'types', codec: 'cbor', compression: 'none' },
  { file: 'agents-cbor-decimals-none.hpd', value: 'agents', codec: 'cbor', compression: 'none', decimals: true },
  { file: 'json-json-gzip.hpd', value: 'json', codec: 'json', compression: 'gzip' },
];

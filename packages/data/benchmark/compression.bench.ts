/**
 * Where hp's gzip/deflate use fflate (the design's choice) and where node:zlib: each hp compressor
 * against the other library on CBOR-encoded agent snapshots (64 KiB-ish and ~5.7 MB), plus LZ4 and
 * zstd against gzip. hp picks node:zlib at level 1 and for all decompression, fflate at level >= 6
 * on >= 32 KiB (see useFflate in src/gzipCompressor.ts).
 */
import { gunzipSync as zlibGunzip, gzipSync as zlibGzip } from 'node:zlib';
import { defineSuite, type BenchCase } from '@hp/bench';
import { gunzipSync as fflateGunzip, gzipSync as fflateGzip } from 'fflate';
import { CborCodec, GzipCompressor, Lz4Compressor, ZstdCompressor } from '../src/index.js';
import { makeSnapshot } from './agentSnapshot.js';

const codec = new CborCodec();
const small = codec.encode(makeSnapshot(300)); // ~57 KB
const large = codec.encode(makeSnapshot(30_000)); // ~5.7 MB
const gzip1 = new GzipCompressor({ level: 1 });
const gzip6 = new GzipCompressor({ level: 6 });
const unlimited = { maxOutputBytes: 2 ** 30 };

function sizeLabel(data: Uint8Array): string {
  return data.length > 1e6 ? `${(data.length / 1e6).toFixed(1)} MB` : `${Math.round(data.length / 1e3)} KB`;
}

function cases(data: Uint8Array): BenchCase[] {
  const label = sizeLabel(data);
  const packed = zlibGzip(data, { level: 1 });
  const zstd = new ZstdCompressor({ level: 3 });
  const lz4 = new Lz4Compressor();
  return [
    {
      name: `gzip level 1 compress ${label} (hp: node:zlib)`,
      unit: 'ops/s',
      ours: () => gzip1.compress(data),
      peer: { name: 'fflate', fn: () => fflateGzip(data, { level: 1 }) },
    },
    {
      name: `gzip level 6 compress ${label} (hp: fflate)`,
      unit: 'ops/s',
      ours: () => gzip6.compress(data),
      peer: { name: 'node:zlib', fn: () => zlibGzip(data, { level: 6 }) },
    },
    {
      name: `gunzip ${label} (hp: node:zlib, bounded)`,
      unit: 'ops/s',
      ours: () => gzip1.decompress(packed, { maxOutputBytes: data.length, expectedBytes: data.length }),
      peer: { name: 'fflate', fn: () => fflateGunzip(packed) },
    },
    {
      name: `gunzip ${label} (hp: node:zlib, bounded, no size hint)`,
      unit: 'ops/s',
      ours: () => gzip1.decompress(packed, unlimited),
      peer: { name: 'node:zlib unbounded', fn: () => zlibGunzip(packed) },
    },
    {
      name: `zstd level 3 compress ${label}`,
      unit: 'ops/s',
      ours: () => zstd.compress(data),
      peer: { name: 'node:zlib gzip level 1', fn: () => zlibGzip(data, { level: 1 }) },
    },
    {
      name: `lz4 frame compress ${label}`,
      unit: 'ops/s',
      ours: () => lz4.compress(data),
      peer: { name: 'node:zlib gzip level 1', fn: () => zlibGzip(data, { level: 1 }) },
    },
    {
      kind: 'measured',
      name: `zstd level 3 size ${label}`,
      unit: 'bytes',
      higherIsBetter: false,
      measure: () => ({ ours: zstd.compress(data).length, peer: 'gzip level 1', peerValue: packed.length }),
    },
  ];
}

export default defineSuite({
  name: 'compression',
  cases: () => [...cases(small), ...cases(large)],
});

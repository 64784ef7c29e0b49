import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Compressor, GzipCompressor, Lz4Compressor, ZstdCompressor } from '../src/index.js';

/** Our frames against the reference command line tools (lz4, zstd, gzip), both directions. */
const tools: [string, string, Compressor][] = [
  ['lz4', '/usr/bin/lz4', new Lz4Compressor()],
  ['zstd', '/usr/bin/zstd', new ZstdCompressor()],
  ['gzip', '/usr/bin/gzip', new GzipCompressor()],
];

const data = Buffer.from(
  Array.from({ length: 20_000 }, (_, i) => `agent ${i % 97} saw ${(i * 31) % 13} grain`).join('\n'),
);

describe.each(tools)('%s command line tool', (name, path, compressor) => {
  const available = existsSync(path);
  if (!available) {
    const message = `${path} not installed: interop with ${name} not checked`;
    if (process.env.CI === 'true' || process.env.CI === '1')
      throw new Error(`${message} (.ci/run installs it)`);
    console.warn(`SKIPPED: ${message}`);
  }
  (available ? it : it.skip)('reads our output and writes what we read', () => {
    const ours = compressor.compress(data);
    expect(execFileSync(path, ['-d', '-c'], { input: ours, maxBuffer: 1 << 26 }).equals(data)).toBe(true);
    const theirs = execFileSync(path, ['-c'], { input: data, maxBuffer: 1 << 26 });
    expect(Buffer.from(compressor.decompress(theirs, { maxOutputBytes: data.length })).equals(data)).toBe(
      true,
    );
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEnvelope, readEnvelopeHeader } from '../src/index.js';
import { GOLDEN_FILES, GOLDEN_VALUES } from './golden/values.js';

const IDS = { cbor: 1, json: 2, none: 0, gzip: 1, deflate: 2, lz4: 3, zstd: 4 } as const;

describe('golden envelopes written by @hp/data 0.1.0 (format version 1)', () => {
  it.each(GOLDEN_FILES.map((g) => [g.file, g] as const))('%s still decodes to its value', (_file, golden) => {
    const bytes = readFileSync(join(__dirname, 'golden', golden.file));
    const header = readEnvelopeHeader(bytes);
    expect(header.version).toBe(1);
    expect(header.codecId).toBe(IDS[golden.codec]);
    expect(header.compressionId).toBe(IDS[golden.compression]);
    const expected =
      golden.codec === 'json'
        ? JSON.parse(JSON.stringify(GOLDEN_VALUES[golden.value]))
        : GOLDEN_VALUES[golden.value];
    expect(decodeEnvelope(bytes)).toEqual(expected);
  });
});

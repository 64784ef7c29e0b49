import fc from 'fast-check';
import { Encoder } from 'cbor-x';
import { DecimalPositions, packDecimals } from '../src/cborDecimals.js';
import { scanCbor } from '../src/cborScan.js';
import { DataFormatError } from '../src/index.js';
import { cborValue } from './arbitraries.js';
import { referenceScan } from './referenceScan.js';

const records = new Encoder({ useRecords: true, mapsAsObjects: false });
const maps = new Encoder({ useRecords: false });

/** 'ok', an error code, or the positions found, so two scans can be compared exactly. */
function outcome(scan: typeof scanCbor, bytes: Uint8Array, maxDepth: number): string {
  const positions = new DecimalPositions();
  try {
    scan(bytes, maxDepth, positions);
  } catch (error) {
    if (error instanceof DataFormatError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return `ok ${Array.from({ length: positions.length }, (_, i) => positions.at(i)).join(',')}`;
}

describe('scanCbor', () => {
  it('agrees with the reference scan on valid, truncated and corrupted CBOR at any depth limit', () => {
    fc.assert(
      fc.property(
        cborValue,
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(),
        (value, useRecords, decimals, maxDepth, flips, cut) => {
          let bytes: Uint8Array = (useRecords ? records : maps).encode(value);
          if (decimals) bytes = packDecimals(bytes);
          bytes = Uint8Array.from(bytes);
          for (const [at, byte] of flips) if (bytes.length > 0) bytes[at % bytes.length] = byte;
          const variants = [bytes, bytes.subarray(0, cut % (bytes.length + 1))];
          for (const b of variants) {
            for (const depth of [maxDepth, 1000]) {
              expect(outcome(scanCbor, b, depth)).toBe(outcome(referenceScan, b, depth));
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('agrees with the reference scan on random bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.integer({ min: 1, max: 6 }),
        (bytes, depth) => {
          expect(outcome(scanCbor, bytes, depth)).toBe(outcome(referenceScan, bytes, depth));
        },
      ),
      { numRuns: 5000 },
    );
  });
});

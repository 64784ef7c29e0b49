/**
 * Writes the golden envelopes of test/golden/ (run ONCE, by hand, when the format gains a version;
 * never to "fix" a failing golden test, which means a reader broke compatibility):
 *
 *   cd packages/data && npx tsx test/golden/generate.ts
 *
 * Existing files are kept; pass --force to overwrite them.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CborCodec, encodeEnvelope } from '../../src/index.js';
import { GOLDEN_FILES, GOLDEN_VALUES } from './values.js';

const dir = import.meta.dirname;
const force = process.argv.includes('--force');
for (const golden of GOLDEN_FILES) {
  const path = join(dir, golden.file);
  if (existsSync(path) && !force) {
    console.log(`kept    ${golden.file}`);
    continue;
  }
  const bytes = encodeEnvelope(GOLDEN_VALUES[golden.value], {
    // decimals pinned: the CBOR default packs them below 1 MiB; the plain files keep float64s
    codec: golden.codec === 'cbor' ? new CborCodec({ decimals: golden.decimals === true }) : golden.codec,
    compression: golden.compression,
  });
  writeFileSync(path, bytes);
  console.log(`written ${golden.file} (${bytes.length} bytes)`);
}

import fc from 'fast-check';
import { hashKey } from '../src/index.js';
import { hashString, hashStringJs } from '../src/keyHash.js';
import { createWasmStringHash, wasmApi, wasmStringHashModule } from '../src/wasmStringHash.js';

describe('key hashing', () => {
  const wasm = createWasmStringHash();

  it('uses the WebAssembly string hash on Node 24 (JS String Builtins available)', () => {
    expect(wasmApi()!.validate(wasmStringHashModule())).toBe(true);
    expect(wasm).not.toBeNull();
    expect(hashString).not.toBe(hashStringJs); // the wasm export, not the fallback
  });

  it('gives the same value in wasm and in JavaScript for any string and seed', () => {
    const cases: Array<[string, number]> = [
      ['', 0],
      ['a', 1],
      ['s:12345', -7],
      ['ünïcødé 😀 \u0000', 0x7fffffff],
      ['x'.repeat(10_000), -0x80000000],
    ];
    for (const [s, seed] of cases) expect(wasm!(s, seed)).toBe(hashStringJs(s, seed));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.integer(), (s, seed) => {
        expect(wasm!(s, seed)).toBe(hashStringJs(s, seed));
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('hashes flat, concatenated and sliced strings of the same text alike', () => {
    const flat = 'agent:42:memory:episode-7';
    const cons = ['agent:42', ':memory:', 'episode-7'].join('');
    const sliced = `xx${flat}yy`.slice(2, -2);
    expect(hashKey(cons, 3)).toBe(hashKey(flat, 3));
    expect(hashKey(sliced, 3)).toBe(hashKey(flat, 3));
  });

  it('keeps the values the sketch and the simulator were tuned with (FNV-1a + murmur3 finaliser)', () => {
    // values of the hash before the wasm version existed
    expect([hashKey('hot', 1), hashKey('s:1', 1), hashKey(42, 1), hashKey('ünï😀', -5)]).toEqual([
      1405034919, -2079083103, 1197473426, 2003450224,
    ]);
  });
});

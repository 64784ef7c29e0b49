/**
 * The seeded string hash of `keyHash.ts` (FNV-1a over UTF-16 code units, then the murmur3
 * finaliser) as a 212-byte WebAssembly module whose function reads the string through the standard
 * JS String Builtins (`wasm:js-string` `length` and `charCodeAt`, V8 13+ / Node 24).
 *
 * Why: in JavaScript, `s.charCodeAt(i)` is only fast while `String.prototype` is a fast-mode
 * object. A library that subclasses String turns it into a dictionary (@redis/client does, with
 * `class VerbatimString extends String`, so every process that loads @keyv/redis has it), and from
 * then on each `charCodeAt` in optimized code is a generic property lookup: a 7-character key cost
 * 158 ns to hash instead of 24, a 64-character key 1.1 us. The wasm function does not look
 * anything up on the prototype, and V8 compiles the two builtins into the wasm code: 22-33 ns and
 * 89 ns with or without @redis/client loaded (about 1.1 ns per character). (@hp/cache also makes
 * String.prototype fast again when it loads @keyv/redis, `fastStringPrototype.ts`; the hash does
 * not depend on that.) Hand-assembled because the module is tiny and fixed; a toolchain (wabt,
 * AssemblyScript) would add a build step for 212 bytes.
 *
 * Where the builtins are unavailable (Node 22), `createWasmStringHash` returns null and the caller
 * uses the same hash written in JavaScript; both give identical values (tested).
 */

/** Unsigned LEB128 (section sizes, counts, string lengths). */
function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of an i32 (operands of i32.const). */
function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

const enum Op {
  BLOCK = 0x02,
  LOOP = 0x03,
  END = 0x0b,
  BR = 0x0c,
  BR_IF = 0x0d,
  CALL = 0x10,
  LOCAL_GET = 0x20,
  LOCAL_SET = 0x21,
  I32_CONST = 0x41,
  I32_GE_U = 0x4f,
  I32_ADD = 0x6a,
  I32_MUL = 0x6c,
  I32_XOR = 0x73,
  I32_SHR_U = 0x76,
  VOID = 0x40,
  FUNC = 0x60,
  I32 = 0x7f,
  EXTERNREF = 0x6f,
}

/** The module's bytes: `hash(s: externref, seed: i32): i32`. */
export function wasmStringHashModule(): Uint8Array {
  // locals: 0 = s, 1 = seed, 2 = h, 3 = i, 4 = n
  const get = (i: number) => [Op.LOCAL_GET, i];
  const set = (i: number) => [Op.LOCAL_SET, i];
  const k = (v: number) => [Op.I32_CONST, ...sleb(v)];
  const xorShift = (bits: number) => [...get(2), ...get(2), ...k(bits), Op.I32_SHR_U, Op.I32_XOR, ...set(2)];
  // prettier-ignore
  const body = [
    1, 3, Op.I32, // three i32 locals
    ...get(0), Op.CALL, 0, ...set(4), // n = length(s)
    ...get(1), ...k(0x811c9dc5), Op.I32_XOR, ...set(2), // h = FNV offset basis ^ seed
    Op.BLOCK, Op.VOID, Op.LOOP, Op.VOID,
    ...get(3), ...get(4), Op.I32_GE_U, Op.BR_IF, 1, // while (i < n)
    ...get(2), ...get(0), ...get(3), Op.CALL, 1, Op.I32_XOR, ...k(0x01000193), Op.I32_MUL, ...set(2),
    ...get(3), ...k(1), Op.I32_ADD, ...set(3),
    Op.BR, 0, Op.END, Op.END,
    ...get(2), ...get(4), Op.I32_XOR, ...set(2), // h ^= n, then the murmur3 finaliser
    ...xorShift(16),
    ...get(2), ...k(0x85ebca6b), Op.I32_MUL, ...set(2),
    ...xorShift(13),
    ...get(2), ...k(0xc2b2ae35), Op.I32_MUL, ...set(2),
    ...xorShift(16),
    ...get(2),
    Op.END,
  ];
  const types = [2, Op.FUNC, 1, Op.EXTERNREF, 1, Op.I32, Op.FUNC, 2, Op.EXTERNREF, Op.I32, 1, Op.I32];
  // prettier-ignore
  const imports = [
    2,
    ...name('wasm:js-string'), ...name('length'), 0, 0,
    ...name('wasm:js-string'), ...name('charCodeAt'), 0, 1,
  ];
  // prettier-ignore
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, [1, 1]), // one function of type 1
    ...section(7, [1, ...name('hash'), 0, 2]), // export "hash" = function 2 (after the two imports)
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
}

/**
 * The part of the WebAssembly API used here. The package compiles without the DOM library, where
 * @types/node declares `WebAssembly` as a namespace of types only; the compile options (`builtins`)
 * are newer than those types anyway.
 */
interface WasmApi {
  Module: new (bytes: Uint8Array, options?: { builtins: string[] }) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

/** The engine's WebAssembly object, or undefined where there is none. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

/** The wasm hash, or null where WebAssembly or the JS String Builtins are unavailable. */
export function createWasmStringHash(): ((s: string, seed: number) => number) | null {
  const api = wasmApi();
  if (api === undefined) return null;
  try {
    // engines without the builtins ignore the compile options: the `wasm:js-string` imports are
    // then ordinary imports that `{}` does not provide, and the Instance constructor throws
    const module = new api.Module(wasmStringHashModule(), { builtins: ['js-string'] });
    const instance = new api.Instance(module, {});
    return instance.exports.hash as (s: string, seed: number) => number;
  } catch {
    return null;
  }
}

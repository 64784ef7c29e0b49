/*
 * The packDecimals of 27 Nov (a copy into a new buffer, one itemBytes call per item), kept as the
 * reference for the in-place rewrite in src/cborDecimals.ts (the item, digit and write helpers, which
 * did not change, come from src): test/cborDecimals.test.ts checks that both write the same bytes.
 */
import { decimalDigits, itemBytes, POW10, writeDecimal } from '../src/cborDecimals.js';

/** Copies `bytes[from, to)` to `out` at `o`: a loop for the short spans between numbers (no view objects). */
function copySpan(out: Uint8Array, o: number, bytes: Uint8Array, from: number, to: number): number {
  if (to - from > 32) {
    out.set(bytes.subarray(from, to), o);
    return o + to - from;
  }
  for (let i = from; i < to; i++) out[o++] = bytes[i]!;
  return o;
}

/**
 * Rewrites the float64 items of one well-formed CBOR item (as cbor-x writes it) that are short decimals
 * as decimal fractions. Returns the input itself when there is none.
 */
export function referencePackDecimals(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let out: Uint8Array | undefined;
  let o = 0;
  let copied = 0; // input bytes before this were copied (or replaced) into `out`
  const end = bytes.length;
  let pos = 0;
  while (pos < end) {
    const initial = bytes[pos]!;
    if (initial !== 0xfb || pos + 9 > end) {
      pos += itemBytes(bytes, pos, initial);
      continue;
    }
    const v = view.getFloat64(pos + 1);
    const digits = decimalDigits(v);
    if (digits !== 0) {
      // A decimal is at most 8 bytes where the float was 9: the output never outgrows the input.
      out ??= new Uint8Array(end);
      o = copySpan(out, o, bytes, copied, pos);
      o = writeDecimal(out, o, digits, Math.round(v * POW10[digits]!));
      copied = pos + 9;
    }
    pos += 9;
  }
  if (!out) return bytes;
  o = copySpan(out, o, bytes, copied, end);
  return out.subarray(0, o);
}

/*
 * The packDecimals of 27 Nov (a copy into a new buffer, one itemBytes call per item), kept verbatim as
 * the reference for the in-place rewrite in src/cborDecimals.ts: test/cborDecimals.test.ts checks that
 * both write the same bytes.
 */
const POW10 = [1, 10, 100, 1000, 10000];
const MAX_DIGITS = 4;

/** Bytes of the item head starting with `initial` at `pos`, plus the payload of a definite byte/text string. */
function itemBytes(bytes: Uint8Array, pos: number, initial: number): number {
  const info = initial & 0x1f;
  const isString = initial >= 0x40 && initial < 0x80;
  if (info < 24) return isString ? 1 + info : 1;
  if (info === 24) return isString ? 2 + bytes[pos + 1]! : 2;
  if (info === 25) return isString ? 3 + ((bytes[pos + 1]! << 8) | bytes[pos + 2]!) : 3;
  if (info === 26) {
    if (!isString) return 5;
    return (
      5 + bytes[pos + 1]! * 0x1000000 + ((bytes[pos + 2]! << 16) | (bytes[pos + 3]! << 8) | bytes[pos + 4]!)
    );
  }
  if (info === 27) {
    if (!isString) return 9;
    const hi =
      bytes[pos + 1]! * 0x1000000 + ((bytes[pos + 2]! << 16) | (bytes[pos + 3]! << 8) | bytes[pos + 4]!);
    const lo =
      bytes[pos + 5]! * 0x1000000 + ((bytes[pos + 6]! << 16) | (bytes[pos + 7]! << 8) | bytes[pos + 8]!);
    return 9 + hi * 0x100000000 + lo;
  }
  return 1; // indefinite-length heads, breaks and simple values: the head only
}

/** Writes `4([-digits, mantissa])` at `o`; returns the position after it. */
function writeDecimal(out: Uint8Array, o: number, digits: number, mantissa: number): number {
  out[o++] = 0xc4; // tag 4
  out[o++] = 0x82; // array of 2
  out[o++] = 0x20 | (digits - 1); // negative integer -digits
  const major = mantissa < 0 ? 0x20 : 0;
  const arg = mantissa < 0 ? -1 - mantissa : mantissa;
  if (arg < 24) out[o++] = major | arg;
  else if (arg < 0x100) {
    out[o++] = major | 24;
    out[o++] = arg;
  } else if (arg < 0x10000) {
    out[o++] = major | 25;
    out[o++] = arg >> 8;
    out[o++] = arg & 0xff;
  } else {
    out[o++] = major | 26;
    out[o++] = arg >>> 24;
    out[o++] = (arg >> 16) & 0xff;
    out[o++] = (arg >> 8) & 0xff;
    out[o++] = arg & 0xff;
  }
  return o;
}

/** Copies `bytes[from, to)` to `out` at `o`: a loop for the short spans between numbers (no view objects). */
function copySpan(out: Uint8Array, o: number, bytes: Uint8Array, from: number, to: number): number {
  if (to - from > 32) {
    out.set(bytes.subarray(from, to), o);
    return o + to - from;
  }
  for (let i = from; i < to; i++) out[o++] = bytes[i]!;
  return o;
}

/** The decimal digits (1..4) that represent `v` exactly, or 0. */
function decimalDigits(v: number): number {
  for (let d = 1; d <= MAX_DIGITS; d++) {
    const p = POW10[d]!;
    const m = Math.round(v * p);
    if (m / p === v) return Math.abs(m) < 0x100000000 ? d : 0;
  }
  return 0;
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


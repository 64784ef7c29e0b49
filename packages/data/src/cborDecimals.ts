/*
 * Short decimals as CBOR decimal fractions (RFC 8949 §3.4.4, tag 4), without losing a bit.
 *
 * Hand-written because no library does it: cbor-x writes every non-integer as a float64 (9 bytes whose
 * low mantissa bytes look random to a compressor), and its float32 "decimal fit" mode is lossy for
 * doubles that are not the nearest double of a short decimal (0.1 + 0.2 comes back as 0.3). Simulation
 * state is full of rounded figures (prices, positions, scores with 1-4 decimals): written as
 * `4([-d, m])` they take 5-8 bytes of mostly-predictable integer bytes, which makes CBOR agent
 * snapshots 4-8% smaller after compression (benchmark/RESULTS.md). The default (`decimals: 'auto'`)
 * packs CBOR below 1 MiB, where it decides whether an agent snapshot is smaller than JSON+gzip's; the
 * pass over the bytes each way costs 10-15% of a round trip, so from 1 MiB (where zstd is small
 * enough alone) it is left out unless `decimals: true`.
 *
 * Exactness: a double `v` is rewritten only when `Math.round(v * 10^d) / 10^d === v` for some d in
 * 1..4 and the mantissa fits 32 bits. The reader computes that same expression, so it gets `v` back
 * bit for bit; any other CBOR reader (cbor-x included) reads a decimal fraction as the nearest double
 * of `m * 10^-d`, which is the same double (IEEE division is correctly rounded). Everything else, NaN,
 * infinities, big or long-fraction doubles, is left as it was.
 */

export const POW10 = [1, 10, 100, 1000, 10000];
const MAX_DIGITS = 4;

/** Bytes of the item head starting with `initial` at `pos`, plus the payload of a definite byte/text string. */
export function itemBytes(bytes: Uint8Array, pos: number, initial: number): number {
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
export function writeDecimal(out: Uint8Array, o: number, digits: number, mantissa: number): number {
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

/**
 * Copies `bytes[from, to)` to `out` at `o` (`out` may be `bytes` itself with o <= from: a forward copy is
 * safe when moving down). Four bytes per step through the DataViews for the short spans between numbers
 * (~30 bytes, where a byte loop or a native call per span each cost more), natively for long ones.
 */
function copySpan(
  out: Uint8Array,
  outView: DataView,
  o: number,
  bytes: Uint8Array,
  view: DataView,
  from: number,
  to: number,
): number {
  if (out === bytes && o === from) return to;
  if (to - from > 512) {
    if (out === bytes) out.copyWithin(o, from, to);
    else out.set(bytes.subarray(from, to), o);
    return o + to - from;
  }
  let i = from;
  for (; i + 4 <= to; i += 4, o += 4) outView.setUint32(o, view.getUint32(i));
  for (; i < to; i++) out[o++] = bytes[i]!;
  return o;
}

/** The decimal digits (1..4) that represent `v` exactly, or 0. */
export function decimalDigits(v: number): number {
  for (let d = 1; d <= MAX_DIGITS; d++) {
    const p = POW10[d]!;
    const m = Math.round(v * p);
    if (m / p === v) return Math.abs(m) < 0x100000000 ? d : 0;
  }
  return 0;
}

/**
 * Rewrites the float64 items of one well-formed CBOR item (as cbor-x writes it) that are short decimals
 * as decimal fractions, **in place** (a decimal is 4-8 bytes where the float was 9, so the output never
 * overtakes the input): returns a view of `bytes` (the input itself when nothing changes). One pass:
 * the item heads are stepped over inline (no call per item) and the bytes between two rewritten
 * numbers are moved down once, natively when the span is long.
 */
export function packDecimals(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length;
  let o = 0; // output position: bytes before `copied` are final at [0, o)
  let copied = 0;
  let pos = 0;
  while (pos < end) {
    const initial = bytes[pos]!;
    if (initial === 0xfb) {
      if (pos + 9 > end) break;
      const v = view.getFloat64(pos + 1);
      const digits = decimalDigits(v);
      if (digits !== 0) {
        o = copySpan(bytes, view, o, bytes, view, copied, pos);
        o = writeDecimal(bytes, o, digits, Math.round(v * POW10[digits]!));
        copied = pos + 9;
      }
      pos += 9;
      continue;
    }
    const info = initial & 0x1f;
    if (initial < 0x40) {
      // unsigned and negative integers: the head only
      pos += info < 24 ? 1 : info === 24 ? 2 : info === 25 ? 3 : info === 26 ? 5 : info === 27 ? 9 : 1;
    } else if (initial < 0x80 && info < 25) {
      // byte and text strings up to 255 bytes: most of the strings in the data
      pos += info < 24 ? 1 + info : 2 + bytes[pos + 1]!;
    } else {
      pos += itemBytes(bytes, pos, initial);
    }
  }
  if (copied === 0) return bytes;
  o = copySpan(bytes, view, o, bytes, view, copied, end);
  return bytes.subarray(0, o);
}

/**
 * If a decimal fraction as `packDecimals` writes it starts at `pos` (tag 4 head), the length of that
 * item; else 0. Only the exact shape is matched: `4([-1..-4, (neg)int up to 32 bits])`.
 */
export function packedDecimalLength(bytes: Uint8Array, pos: number): number {
  if (bytes[pos + 1] !== 0x82 || pos + 4 > bytes.length) return 0;
  if ((bytes[pos + 2]! & 0xfc) !== 0x20) return 0;
  const head = bytes[pos + 3]!;
  if (head >= 0x40) return 0;
  const info = head & 0x1f;
  const length = info < 24 ? 4 : info === 24 ? 5 : info === 25 ? 6 : info === 26 ? 8 : 0;
  return length !== 0 && pos + length <= bytes.length ? length : 0;
}

function decimalAt(bytes: Uint8Array, pos: number): number {
  const digits = (bytes[pos + 2]! & 0x03) + 1;
  const head = bytes[pos + 3]!;
  const info = head & 0x1f;
  let arg: number;
  if (info < 24) arg = info;
  else if (info === 24) arg = bytes[pos + 4]!;
  else if (info === 25) arg = (bytes[pos + 4]! << 8) | bytes[pos + 5]!;
  else
    arg = bytes[pos + 4]! * 0x1000000 + ((bytes[pos + 5]! << 16) | (bytes[pos + 6]! << 8) | bytes[pos + 7]!);
  const mantissa = head < 0x20 ? arg : -1 - arg;
  return mantissa / POW10[digits]!;
}

/** Byte positions of decimal fractions, as the decoder's scan finds them (a growable Uint32Array: no GC churn). */
export class DecimalPositions {
  length = 0;
  /** Allocated at the first push: most decodes (cache values, float64 CBOR) find none. */
  private _data: Uint32Array | undefined;

  push(position: number): void {
    if (!this._data) this._data = new Uint32Array(256);
    else if (this.length === this._data.length) {
      const grown = new Uint32Array(this._data.length * 2);
      grown.set(this._data);
      this._data = grown;
    }
    this._data[this.length++] = position;
  }

  at(index: number): number {
    return this._data![index]!;
  }
}

/**
 * Turns the decimal fractions at `positions` (found by the decoder's scan, ascending) back into the
 * float64 items they came from, so that cbor-x reads them at full speed (its own tag-4 reader parses a
 * string per number, 2x slower on snapshots). The output is at most 9/4 of the input.
 */
export function restoreDecimals(bytes: Uint8Array, positions: DecimalPositions): Uint8Array {
  if (positions.length === 0) return bytes;
  const out = new Uint8Array(bytes.length + positions.length * 5);
  const outView = new DataView(out.buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 0;
  let copied = 0;
  for (let k = 0; k < positions.length; k++) {
    const pos = positions.at(k);
    o = copySpan(out, outView, o, bytes, view, copied, pos);
    out[o] = 0xfb;
    outView.setFloat64(o + 1, decimalAt(bytes, pos));
    o += 9;
    copied = pos + packedDecimalLength(bytes, pos);
  }
  o = copySpan(out, outView, o, bytes, view, copied, bytes.length);
  return out.subarray(0, o);
}

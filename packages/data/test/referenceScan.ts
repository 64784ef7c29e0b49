/* The depth pre-scan as it was before its fast path (2026-11-27): a reference the current scan must agree with. */
import { type DecimalPositions, packedDecimalLength } from '../src/cborDecimals.js';
import { DataFormatError } from '../src/dataFormatError.js';

/**
 * Checks that `bytes` holds one well-formed CBOR item nested at most `maxDepth` deep (arrays, maps,
 * tags and indefinite-length strings each count one level). Throws `TOO_DEEP`, `TRUNCATED` or
 * `DECODE_FAILED`. Runs in O(items), with O(maxDepth) memory. When `decimals` is given, the positions
 * of the decimal fractions `packDecimals` writes are pushed to it (ascending), for `restoreDecimals`,
 * and each counts as the single number it stands for.
 */
export function referenceScan(bytes: Uint8Array, maxDepth: number, decimals?: DecimalPositions): void {
  // Fewer bytes than levels: cannot be too deep; cbor-x itself reports truncation or junk.
  if (bytes.length <= maxDepth) return;
  const end = bytes.length;
  // remaining[d] = items still expected in the container at depth d (-1: indefinite, ends at 0xff).
  const remaining = new Int32Array(maxDepth + 1);
  let depth = 0;
  let pos = 0;
  for (;;) {
    if (pos >= end) throw truncated(pos);
    const start = pos;
    const initial = bytes[pos++]!;
    const major = initial >> 5;
    const info = initial & 0x1f;
    let arg: number;
    if (info < 24) arg = info;
    else if (info === 24) {
      if (pos + 1 > end) throw truncated(pos);
      arg = bytes[pos]!;
      pos += 1;
    } else if (info === 25) {
      if (pos + 2 > end) throw truncated(pos);
      arg = (bytes[pos]! << 8) | bytes[pos + 1]!;
      pos += 2;
    } else if (info === 26) {
      if (pos + 4 > end) throw truncated(pos);
      arg = bytes[pos]! * 0x1000000 + ((bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!);
      pos += 4;
    } else if (info === 27) {
      if (pos + 8 > end) throw truncated(pos);
      const hi =
        bytes[pos]! * 0x1000000 + ((bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!);
      const lo =
        bytes[pos + 4]! * 0x1000000 + ((bytes[pos + 5]! << 16) | (bytes[pos + 6]! << 8) | bytes[pos + 7]!);
      arg = hi * 0x100000000 + lo;
      pos += 8;
    } else if (info === 31) {
      arg = -1;
    } else {
      throw malformed(pos - 1, `reserved additional information ${info}`);
    }

    let opens = 0; // items a new container expects (0: this item is complete now)
    switch (major) {
      case 0:
      case 1:
        if (arg === -1) throw malformed(pos - 1, 'indefinite integer');
        break;
      case 2:
      case 3:
        if (arg === -1) opens = -1;
        else {
          if (arg > end - pos) throw truncated(end);
          pos += arg;
        }
        break;
      case 4:
      case 5:
        if (arg === -1) opens = -1;
        else {
          const items = major === 5 ? arg * 2 : arg;
          // every item takes at least one byte: a longer claimed length is a lie or a truncation
          if (items > end - pos) throw truncated(end);
          if (items === 0 && depth >= maxDepth) throw tooDeep(maxDepth);
          opens = items;
        }
        break;
      case 6:
        if (arg === -1) throw malformed(pos - 1, 'indefinite tag');
        if (arg === 4 && decimals) {
          // a decimal fraction as packDecimals writes it: one number once restored, not three items
          const length = packedDecimalLength(bytes, start);
          if (length !== 0) {
            decimals.push(start);
            pos = start + length;
            break;
          }
        }
        opens = 1;
        break;
      default:
        if (info === 31) {
          // break: closes the innermost indefinite container, which is then a complete item
          if (depth === 0 || remaining[depth] !== -1) throw malformed(pos - 1, 'unexpected break');
          depth--;
        }
    }

    if (opens !== 0) {
      if (depth >= maxDepth) throw tooDeep(maxDepth);
      remaining[++depth] = opens;
      continue;
    }
    // One item finished: count it against its container(s).
    while (depth > 0) {
      const left = remaining[depth]!;
      if (left === -1) break;
      if (left > 1) {
        remaining[depth] = left - 1;
        break;
      }
      depth--;
    }
    if (depth === 0) return;
  }
}

function tooDeep(maxDepth: number): DataFormatError {
  return new DataFormatError(
    'TOO_DEEP',
    `CBOR input is nested deeper than maxDepth ${maxDepth}; raise maxDepth if this data is trusted`,
  );
}

function truncated(pos: number): DataFormatError {
  return new DataFormatError('TRUNCATED', `CBOR input ends early (at byte ${pos}); the data was cut off`);
}

function malformed(pos: number, what: string): DataFormatError {
  return new DataFormatError('DECODE_FAILED', `CBOR input is malformed at byte ${pos}: ${what}`);
}

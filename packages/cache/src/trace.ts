import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { zstdDecompressSync } from 'node:zlib';
import { CacheError } from './cacheError.js';

/**
 * An access trace with keys renumbered densely (0..unique-1) in order of first appearance, so
 * simulators can index typed arrays by key.
 */
export interface Trace {
  name: string;
  keys: Int32Array;
  unique: number;
}

/** Renumbers arbitrary integer keys densely (table lookup when keys are small, Map otherwise). */
export function denseTrace(name: string, raw: ArrayLike<number>, length = raw.length): Trace {
  const keys = new Int32Array(length);
  let max = 0;
  let min = 0;
  for (let i = 0; i < length; i++) {
    const k = raw[i]!;
    if (k > max) max = k;
    if (k < min) min = k;
  }
  let unique = 0;
  if (min >= 0 && max < 1 << 27 && Number.isInteger(max)) {
    const ids = new Int32Array(max + 1).fill(-1);
    for (let i = 0; i < length; i++) {
      const k = raw[i]!;
      let id = ids[k]!;
      if (id < 0) ids[k] = id = unique++;
      keys[i] = id;
    }
  } else {
    const ids = new Map<number, number>();
    for (let i = 0; i < length; i++) {
      const k = raw[i]!;
      let id = ids.get(k);
      if (id === undefined) ids.set(k, (id = unique++));
      keys[i] = id;
    }
  }
  return { name, keys, unique };
}

/**
 * Parses ARC-format text (`start count ignored request_no` per line = count accesses to keys
 * start..start+count-1). Parses bytes directly: P6 expands to 12.7M accesses.
 */
export function parseArcTrace(name: string, text: Uint8Array): Trace {
  let raw = new Float64Array(1 << 20);
  let n = 0;
  let field = 0;
  let start = 0;
  let count = 0;
  let value = 0;
  let inNumber = false;
  let line = 1;
  const flush = (): void => {
    if (field === 0) start = value;
    else if (field === 1) count = value;
    field++;
  };
  const endLine = (): void => {
    if (field === 0) return; // blank line
    if (field < 2) throw new CacheError('INVALID_TRACE', `${name}: line ${line} needs "start count ..."`);
    if (n + count > raw.length) {
      const bigger = new Float64Array(Math.max(raw.length * 2, n + count));
      bigger.set(raw);
      raw = bigger;
    }
    for (let i = 0; i < count; i++) raw[n++] = start + i;
    field = 0;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c >= 48 && c <= 57) {
      value = inNumber ? value * 10 + (c - 48) : c - 48;
      inNumber = true;
    } else {
      if (inNumber) {
        flush();
        inNumber = false;
      }
      if (c === 10) {
        endLine();
        line++;
      } else if (c !== 32 && c !== 9 && c !== 13) {
        throw new CacheError(
          'INVALID_TRACE',
          `${name}: unexpected character at line ${line}; expected integers`,
        );
      }
    }
  }
  if (inNumber) flush();
  endLine();
  return denseTrace(name, raw, n);
}

/** One key per line (any text); blank lines are skipped. */
export function parseKeyLines(name: string, text: string): Trace {
  const ids = new Map<string, number>();
  const keys: number[] = [];
  for (const raw of text.split('\n')) {
    const k = raw.trim();
    if (k === '') continue;
    let id = ids.get(k);
    if (id === undefined) ids.set(k, (id = ids.size));
    keys.push(id);
  }
  return { name, keys: Int32Array.from(keys), unique: ids.size };
}

/**
 * Reads a trace file: `.zst` is decompressed; `.lis` (ARC) is parsed as ranges; anything else as
 * one key per line.
 */
export function readTrace(path: string): Trace {
  let bytes: Uint8Array = readFileSync(path);
  let name = basename(path);
  if (name.endsWith('.zst')) {
    bytes = zstdDecompressSync(bytes);
    name = name.slice(0, -4);
  }
  if (name.endsWith('.lis')) return parseArcTrace(name.slice(0, -4), bytes);
  return parseKeyLines(name, Buffer.from(bytes).toString('utf8'));
}

import * as zlib from 'node:zlib';
import { compressFrameSync } from 'lz4-napi';

/**
 * Decompression bombs that claim ~1 GiB of zeros, built without compressing 1 GiB: one compressed
 * 16 MiB piece repeated. Each is a few hundred KiB at most.
 */
const PIECE = 16 * 1024 * 1024;
const COPIES = 64; // 64 x 16 MiB = 1 GiB

function repeat(piece: Uint8Array, copies: number, tail: Uint8Array = new Uint8Array(0)): Buffer {
  const out = Buffer.alloc(piece.length * copies + tail.length);
  for (let i = 0; i < copies; i++) out.set(piece, i * piece.length);
  out.set(tail, piece.length * copies);
  return out;
}

let zeros: Buffer | undefined;
const zeroPiece = (): Buffer => (zeros ??= Buffer.alloc(PIECE));

/** Raw deflate: byte-aligned non-final pieces (sync flush) then an empty final block. */
export function deflateBomb(): Buffer {
  const piece = zlib.deflateRawSync(zeroPiece(), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return repeat(piece, COPIES, Uint8Array.of(0x03, 0x00));
}

/** One gzip member of 1 GiB whose trailer lies (ISIZE says 1 KiB), so only the output bound can stop it. */
export function gzipBombLyingTrailer(): Buffer {
  const header = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(1024, 4);
  return Buffer.concat([header, deflateBomb(), trailer]);
}

/** 64 gzip members of 16 MiB each (honest trailers). */
export function gzipBomb(): Buffer {
  return repeat(zlib.gzipSync(zeroPiece(), { level: 9 }), COPIES);
}

/** 64 concatenated zstd frames of 16 MiB each. */
export function zstdBomb(): Buffer {
  return repeat(zlib.zstdCompressSync(zeroPiece()), COPIES);
}

/**
 * One LZ4 frame of 16,384 blocks that each inflate to 64 KiB of zeros (1 GiB), built from the
 * block of a compressed 64 KiB of zeros.
 */
export function lz4Bomb(): Buffer {
  const frame = compressFrameSync(Buffer.alloc(64 * 1024));
  // magic(4) FLG BD HC = 7 header bytes; then [size u32][block] ... [0 u32]
  const headerLength = 7;
  const blockSize = frame.readUInt32LE(headerLength) & 0x7fffffff;
  const block = frame.subarray(headerLength, headerLength + 4 + blockSize);
  const copies = 16_384;
  const out = Buffer.alloc(headerLength + block.length * copies + 4);
  frame.copy(out, 0, 0, headerLength);
  for (let i = 0; i < copies; i++) out.set(block, headerLength + i * block.length);
  return out; // ends with a zero end mark (Buffer.alloc)
}

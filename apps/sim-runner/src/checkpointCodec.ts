import { decodeEnvelope, encodeEnvelope } from '@hp/data';
import type { CheckpointCodec } from './checkpoint.js';

/**
 * The default checkpoint codec: @hp/data's envelope (CBOR, compression chosen by size, CRC-32 checked),
 * so a checkpoint is a self-describing, integrity-checked file that any hp tool can open.
 */
export const envelopeCheckpointCodec: CheckpointCodec = {
  encode: (value: unknown) => encodeEnvelope(value, { codec: 'cbor', compression: 'auto' }),
  decode: (bytes: Uint8Array) => decodeEnvelope(bytes),
};

/**
 * A readable alternative for debugging: the magic line `HPCK1 json\n` then UTF-8 JSON (no compression,
 * no checksum). Pass it as `codec` to both save and load.
 */
const MAGIC = 'HPCK1 json\n';

export const jsonCheckpointCodec: CheckpointCodec = {
  encode(value: unknown): Uint8Array {
    return new TextEncoder().encode(MAGIC + JSON.stringify(value));
  },
  decode(bytes: Uint8Array): unknown {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (!text.startsWith(MAGIC)) throw new Error('missing the HPCK1 json header');
    return JSON.parse(text.slice(MAGIC.length));
  },
};

/** The codec used when none is given. */
export const defaultCheckpointCodec: CheckpointCodec = envelopeCheckpointCodec;

import type { CheckpointCodec } from './checkpoint.js';

/**
 * The default checkpoint codec.
 *
 * Seam: checkpoints are meant to go through @hp/data's envelope (codec + compression + checksum header).
 * Until @hp/data exports its envelope, this stand-in writes a small self-describing envelope of its own:
 * the magic line `HPCK1 json\n` followed by UTF-8 JSON. It is swapped for the @hp/data envelope in one
 * place (here) when that lands; files written by this version are recognised by their magic line.
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
export const defaultCheckpointCodec: CheckpointCodec = jsonCheckpointCodec;

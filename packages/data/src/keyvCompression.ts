import { type z } from 'zod';
import { parseOptions } from './options.js';
import {
  fromStoredString,
  type KeyvAdapterOptions,
  keyvAdapterSchema,
  type KeyvData,
  toStoredString,
} from './keyvSerializer.js';

/** keyv's `CompressionAdapter` shape (`new Keyv({ compression })`). */
export interface KeyvCompressionAdapter {
  compress(value: unknown): Promise<string>;
  decompress(value: unknown): Promise<unknown>;
  serialize<Value>(data: KeyvData<Value>): Promise<string>;
  deserialize<Value>(data: string): Promise<KeyvData<Value> | undefined>;
}

/**
 * A keyv compression adapter on hp's codecs and compressors: `new Keyv({ compression:
 * createKeyvCompression() })`. keyv passes each value through `compress` (here: encode with the codec,
 * compress, wrap in an envelope, base64 with an `hpd1:` prefix) before its own serializer, and
 * `decompress` reverses it with the caller's size and depth limits.
 */
export function createKeyvCompression(options: KeyvAdapterOptions = {}): KeyvCompressionAdapter {
  const opts: z.output<typeof keyvAdapterSchema> = parseOptions(
    'createKeyvCompression',
    keyvAdapterSchema,
    options,
  );
  const adapter: KeyvCompressionAdapter = {
    compress: async (value) => toStoredString(value, opts),
    decompress: async (value) => fromStoredString(value, opts),
    serialize: async (data) =>
      JSON.stringify({ value: await adapter.compress(data.value), expires: data.expires }),
    deserialize: async <Value>(data: string) => {
      const parsed = JSON.parse(data) as { value?: unknown; expires?: number };
      return {
        value: (await adapter.decompress(parsed.value)) as Value,
        expires: parsed.expires ?? undefined,
      };
    },
  };
  return adapter;
}

import Keyv, { type CompressionAdapter } from 'keyv';
import { createKeyvCompression, DataFormatError } from '../src/index.js';

describe('createKeyvCompression', () => {
  it('plugs into keyv 5 as its compression adapter and stores fewer bytes than JSON', async () => {
    const compression: CompressionAdapter = createKeyvCompression({ compression: 'gzip' });
    const store = new Map<string, unknown>();
    const keyv = new Keyv({ store, compression, namespace: 'hp-data-test' });
    const snapshot = {
      step: 1,
      agents: Array.from({ length: 500 }, (_, i) => ({
        id: i,
        mood: 'calm',
        memory: ['saw grain at the market'],
      })),
    };
    await keyv.set('snapshot', snapshot);
    expect(await keyv.get('snapshot')).toEqual(snapshot);
    const stored = [...store.values()][0] as string;
    expect(stored.length).toBeLessThan(JSON.stringify(snapshot).length / 4);
    await keyv.set('when', new Date(0));
    expect(await keyv.get('when')).toEqual(new Date(0));
    await keyv.disconnect();
  });

  it('serialize/deserialize round-trip on their own, and bad input is a DataFormatError', async () => {
    const adapter = createKeyvCompression();
    const text = await adapter.serialize({ value: new Map([[1, 2]]), expires: 5 });
    expect(await adapter.deserialize(text)).toEqual({ value: new Map([[1, 2]]), expires: 5 });
    await expect(adapter.decompress('nope')).rejects.toBeInstanceOf(DataFormatError);
    await expect(adapter.decompress(42)).rejects.toBeInstanceOf(DataFormatError);
  });
});

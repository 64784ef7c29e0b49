import Keyv, { type Deserialize, type Serialize } from 'keyv';
import { createKeyvSerializer, DataFormatError } from '../src/index.js';

describe('createKeyvSerializer', () => {
  const value = {
    when: new Date(Date.UTC(2026, 0, 1)),
    tags: new Set(['a']),
    scores: new Map([['x', 1]]),
    big: 2n ** 70n,
    floats: new Float64Array([0.5]),
    list: Array.from({ length: 200 }, (_, i) => ({ id: i, mood: 'calm' })),
  };

  it('plugs into keyv 5 and keeps the types its JSON default loses', async () => {
    const { serialize, deserialize } = createKeyvSerializer();
    const typed: { serialize: Serialize; deserialize: Deserialize } = { serialize, deserialize };
    const store = new Map<string, unknown>();
    const keyv = new Keyv({ store, ...typed, namespace: 'hp-data-test' });
    await keyv.set('agent', value);
    expect(await keyv.get('agent')).toEqual(value);
    const raw = [...store.values()][0];
    expect(typeof raw).toBe('string');
    expect(raw as string).toMatch(/^hpd1:/);
    await keyv.set('short', 'lived', 60_000);
    expect(await keyv.get('short')).toBe('lived');
    await keyv.disconnect();
  });

  it('keeps expires and offers keyv 4 names', () => {
    const s = createKeyvSerializer({ compression: 'zstd', codec: 'cbor' });
    expect(s.parse(s.stringify({ value: 1, expires: 123 }))).toEqual({ value: 1, expires: 123 });
    expect(s.deserialize(s.serialize({ value: 'x' }))).toEqual({ value: 'x' });
  });

  it('rejects foreign, tampered and oversized strings with DataFormatError', () => {
    const s = createKeyvSerializer({ maxBytes: 1000 });
    expect(() => s.deserialize('{"value":1}')).toThrow(DataFormatError);
    const good = s.serialize({ value: 'hello' });
    const tampered = good.slice(0, -4) + (good.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => s.deserialize(tampered)).toThrow(DataFormatError);
    const big = createKeyvSerializer({ compression: 'none' }).serialize({ value: 'x'.repeat(5000) });
    expect(() => s.deserialize(big)).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
    expect(() => createKeyvSerializer({ compression: 'snappy' as never })).toThrow(/"compression"/);
  });
});

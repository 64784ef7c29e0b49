import { Keyv } from 'keyv';
import { TieredCache, TieredKeyvStore } from '../src/index.js';

/**
 * A few adapter checks of our own; the official @keyv/test-suite runs in officialKeyvSuite.test.ts.
 */
describe('TieredKeyvStore (keyv store adapter contract)', () => {
  let caches: TieredCache[] = [];
  const make = (namespace?: string, shared?: TieredCache) => {
    const cache = shared ?? new TieredCache({ seed: 1 });
    caches.push(cache);
    return { keyv: new Keyv({ store: new TieredKeyvStore(cache), namespace }), cache };
  };
  afterEach(async () => {
    for (const c of caches) await c.close();
    caches = [];
  });

  it('set/get/delete/has/clear return what keyv promises', async () => {
    const { keyv } = make();
    expect(await keyv.set('foo', 'bar')).toBe(true);
    expect(await keyv.get('foo')).toBe('bar');
    expect(await keyv.has('foo')).toBe(true);
    expect(await keyv.get('nope')).toBeUndefined();
    expect(await keyv.delete('foo')).toBe(true);
    expect(await keyv.delete('foo')).toBe(false);
    expect(await keyv.has('foo')).toBe(false);
    await keyv.set('a', 1);
    await keyv.clear();
    expect(await keyv.get('a')).toBeUndefined();
  });

  it('round-trips value types and many-key operations', async () => {
    const { keyv } = make();
    const values: unknown[] = ['s', 0, -1.5, true, false, null, [1, 'x'], { nested: { a: [1] } }, ''];
    for (const [i, v] of values.entries()) {
      await keyv.set(`k${i}`, v);
      expect(await keyv.get(`k${i}`)).toEqual(v);
    }
    expect(await keyv.get(['k0', 'k1', 'missing'])).toEqual(['s', 0, undefined]);
    expect(await keyv.deleteMany(['k0', 'k1'])).toBe(true);
    expect(await keyv.get('k0')).toBeUndefined();
  });

  it('expires entries after their TTL', async () => {
    const { keyv } = make();
    await keyv.set('t', 'v', 30);
    expect(await keyv.get('t')).toBe('v');
    await new Promise((r) => setTimeout(r, 60));
    expect(await keyv.get('t')).toBeUndefined();
  });

  it('keeps namespaces apart on one cache, including clear()', async () => {
    const shared = new TieredCache({ seed: 1 });
    const a = make('ns1', shared).keyv;
    const b = make('ns2', shared).keyv;
    await a.set('k', 'one');
    await b.set('k', 'two');
    expect(await a.get('k')).toBe('one');
    expect(await b.get('k')).toBe('two');
    await a.clear();
    expect(await a.get('k')).toBeUndefined();
    expect(await b.get('k')).toBe('two');
  });
});

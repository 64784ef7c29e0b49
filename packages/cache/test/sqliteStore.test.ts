import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyv } from 'keyv';
import { SqliteStore, TieredCache } from '../src/index.js';

describe('SqliteStore (node:sqlite keyv store)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-cache-sqlite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('persists a tier across processes (close and reopen the file)', async () => {
    const path = join(dir, 'cache.db');
    const a = new TieredCache({ seed: 1, stores: [{ name: 'disk', store: new SqliteStore({ path }) }] });
    await a.set('state_snapshot:1', { tick: 5, agents: new Map([['a', 1]]) });
    await a.close();
    const b = new TieredCache({ seed: 1, stores: [{ name: 'disk', store: new SqliteStore({ path }) }] });
    expect(await b.get('state_snapshot:1')).toEqual({ tick: 5, agents: new Map([['a', 1]]) });
    await b.close();
  });

  it('honours TTL and namespaced clear, as keyv stores must', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const k1 = new Keyv({ store, namespace: 'one' });
    await k1.set('x', 1, 5);
    await k1.set('y', 2);
    expect(await k1.get('y')).toBe(2);
    await new Promise((r) => setTimeout(r, 20));
    expect(await k1.get('x')).toBeUndefined();
    expect(store.purgeExpired()).toBe(0);
    const other = new SqliteStore({ path: ':memory:' });
    expect(await other.get('one:y')).toBeUndefined();
    await k1.clear();
    expect(await k1.get('y')).toBeUndefined();
    await k1.disconnect();
    await other.disconnect();
  });
});

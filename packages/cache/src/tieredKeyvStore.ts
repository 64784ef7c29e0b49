import { EventEmitter } from 'node:events';
import { type KeyvStoreAdapter, type StoredData } from 'keyv';
import { type TieredCache } from './tieredCache.js';

/**
 * The tiered cache as a keyv store adapter: `new Keyv({ store: new TieredKeyvStore(cache) })`.
 * keyv passes namespaced keys (`ns:key`) and its own serialized values; TTLs are in ms.
 * `clear()` with a namespace removes that namespace's keys from every tier (stores included, when keyv
 * can iterate them: Redis, Map, SQL stores); without one it clears everything.
 */
export class TieredKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  /**
   * `dialect`/`url` are read by keyv when an adapter has `iterator()` (it wires the iterator only for
   * its built-in dialects and throws on a missing `url`).
   */
  opts: { cache: TieredCache; dialect: string; url: string };
  namespace?: string;
  private readonly _cache: TieredCache;

  constructor(cache: TieredCache) {
    super();
    this._cache = cache;
    this.opts = { cache, dialect: 'hp-tiered', url: 'hp-tiered:' };
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return (await this._cache.get(key)) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    return Promise.all(keys.map((k) => this.get<Value>(k)));
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    await this._cache.set(key, value, { ttl: typeof ttl === 'number' && ttl > 0 ? ttl : undefined });
    return true;
  }

  async setMany(values: Array<{ key: string; value: unknown; ttl?: number }>): Promise<void> {
    await Promise.all(values.map((v) => this.set(v.key, v.value, v.ttl)));
  }

  async delete(key: string): Promise<boolean> {
    return this._cache.delete(key);
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    const r = await Promise.all(keys.map((k) => this.delete(k)));
    return r.every(Boolean);
  }

  async has(key: string): Promise<boolean> {
    return this._cache.has(key);
  }

  async hasMany(keys: string[]): Promise<boolean[]> {
    return Promise.all(keys.map((k) => this.has(k)));
  }

  async clear(): Promise<void> {
    if (!this.namespace) return this._cache.clear();
    await this._cache.deletePrefix(`${this.namespace}:`);
  }

  /**
   * `[key, stored value]` of every live entry in `namespace` (all entries without one): in-process
   * tiers first, then the stores that keyv can iterate. keyv 5 only wires `keyv.iterator()` to stores
   * whose dialect it knows; see the README for the one line that wires this one.
   */
  async *iterator<Value>(
    namespace?: string,
  ): AsyncGenerator<Array<string | Awaited<Value> | undefined>, void> {
    const ns = namespace ?? this.namespace;
    for (const [key, value] of await this._cache.entriesWithPrefix(ns ? `${ns}:` : ''))
      yield [key, value as Awaited<Value>];
  }

  async disconnect(): Promise<void> {
    await this._cache.close();
  }
}

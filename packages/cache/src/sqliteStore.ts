import { EventEmitter } from 'node:events';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { type KeyvStoreAdapter, type StoredData } from 'keyv';

export interface SqliteStoreOptions {
  /** Database file (`:memory:` for a throwaway one). */
  path: string;
  /** Table name (default `hp_cache`). */
  table?: string;
}

/**
 * A persistent embedded keyv store on Node's built-in `node:sqlite` (no native add-on to build).
 * Keys are namespaced by keyv; `expires` is kept in a column so expired rows are skipped and
 * purged without decoding values. Hand-written because @keyv/sqlite needs the native sqlite3 package.
 */
export class SqliteStore extends EventEmitter implements KeyvStoreAdapter {
  opts: SqliteStoreOptions;
  namespace?: string;
  private readonly _db: DatabaseSync;
  private readonly _get: StatementSync;
  private readonly _set: StatementSync;
  private readonly _delete: StatementSync;
  private readonly _clearAll: StatementSync;
  private readonly _clearNs: StatementSync;
  private readonly _purge: StatementSync;

  constructor(options: SqliteStoreOptions) {
    super();
    this.opts = options;
    const table = options.table ?? 'hp_cache';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new Error(`SqliteStore: bad table name ${table}`);
    this._db = new DatabaseSync(options.path);
    this._db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER)`);
    this._get = this._db.prepare(`SELECT value, expires FROM ${table} WHERE key = ?`);
    this._set = this._db.prepare(
      `INSERT INTO ${table} (key, value, expires) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
    );
    this._delete = this._db.prepare(`DELETE FROM ${table} WHERE key = ?`);
    this._clearAll = this._db.prepare(`DELETE FROM ${table}`);
    this._clearNs = this._db.prepare(`DELETE FROM ${table} WHERE key LIKE ? ESCAPE '\\'`);
    this._purge = this._db.prepare(`DELETE FROM ${table} WHERE expires IS NOT NULL AND expires <= ?`);
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const row = this._get.get(key) as { value: string; expires: number | null } | undefined;
    if (!row) return undefined;
    if (row.expires !== null && row.expires <= Date.now()) {
      this._delete.run(key);
      return undefined;
    }
    return row.value as StoredData<Value>;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    return Promise.all(keys.map((k) => this.get<Value>(k)));
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const expires = typeof ttl === 'number' && ttl > 0 ? Date.now() + ttl : null;
    this._set.run(key, typeof value === 'string' ? value : JSON.stringify(value), expires);
    return true;
  }

  async setMany(values: Array<{ key: string; value: unknown; ttl?: number }>): Promise<void> {
    for (const v of values) await this.set(v.key, v.value, v.ttl);
  }

  async delete(key: string): Promise<boolean> {
    return Number(this._delete.run(key).changes) > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    let any = false;
    for (const k of keys) any = (await this.delete(k)) || any;
    return any;
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async hasMany(keys: string[]): Promise<boolean[]> {
    return Promise.all(keys.map((k) => this.has(k)));
  }

  async clear(): Promise<void> {
    if (this.namespace) {
      const prefix = `${this.namespace}:`.replace(/[\\%_]/g, (c) => `\\${c}`);
      this._clearNs.run(`${prefix}%`);
    } else {
      this._clearAll.run();
    }
  }

  /** Deletes expired rows; returns how many. */
  purgeExpired(): number {
    return Number(this._purge.run(Date.now()).changes);
  }

  async disconnect(): Promise<void> {
    if (this._db.isOpen) this._db.close();
  }
}

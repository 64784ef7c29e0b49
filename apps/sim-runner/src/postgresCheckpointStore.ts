import type { CheckpointStore } from './checkpoint.js';
import { CheckpointError } from './checkpoint.js';

/** What the store needs from a PostgreSQL client (node-postgres's `Client` fits). */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** A pool of PostgreSQL clients: @hp/pool's `Pool` (with `postgresFactory`) fits. */
export interface PgPoolLike<C extends PgQueryable = PgQueryable> {
  use<R>(fn: (client: C) => Promise<R>, options?: { signal?: AbortSignal }): Promise<R>;
}

export interface PostgresCheckpointStoreOptions {
  pool: PgPoolLike;
  /** Table name (default `sim_runner_checkpoints`; created on first use). Letters, digits and _ only. */
  table?: string;
}

/**
 * Checkpoints in a PostgreSQL table (key text primary key, data bytea, saved_at), through a connection pool
 * (@hp/pool). Saving a key again replaces it. Same contract as the file store, so `saveCheckpoint` /
 * `loadCheckpoint` take it as `store`.
 */
export class PostgresCheckpointStore implements CheckpointStore {
  private readonly _pool: PgPoolLike;
  private readonly _table: string;
  private _ready: Promise<void> | undefined;

  constructor(options: PostgresCheckpointStoreOptions) {
    const table = options.table ?? 'sim_runner_checkpoints';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table)) {
      throw new RangeError(`PostgresCheckpointStore: table must be a plain identifier, got "${table}"`);
    }
    this._pool = options.pool;
    this._table = table;
  }

  private _ensureTable(signal?: AbortSignal): Promise<void> {
    this._ready ??= this._pool
      .use(
        (c) =>
          c.query(
            `CREATE TABLE IF NOT EXISTS ${this._table} (key text PRIMARY KEY, data bytea NOT NULL, saved_at timestamptz NOT NULL DEFAULT now())`,
          ),
        { signal },
      )
      .then(
        () => undefined,
        (error: unknown) => {
          this._ready = undefined;
          throw error;
        },
      );
    return this._ready;
  }

  async save(key: string, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    await this._ensureTable(signal);
    await this._pool.use(
      (c) =>
        c.query(
          `INSERT INTO ${this._table} (key, data, saved_at) VALUES ($1, $2, now())
           ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, saved_at = EXCLUDED.saved_at`,
          [key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
        ),
      { signal },
    );
  }

  async load(key: string, signal?: AbortSignal): Promise<Uint8Array> {
    await this._ensureTable(signal);
    const { rows } = await this._pool.use(
      (c) => c.query(`SELECT data FROM ${this._table} WHERE key = $1`, [key]),
      {
        signal,
      },
    );
    const data = rows[0]?.data;
    if (!(data instanceof Uint8Array)) {
      throw new CheckpointError('CHECKPOINT_NOT_FOUND', `no checkpoint "${key}" in table ${this._table}`);
    }
    return data;
  }

  /** Removes a checkpoint (no error if absent). */
  async delete(key: string, signal?: AbortSignal): Promise<void> {
    await this._ensureTable(signal);
    await this._pool.use((c) => c.query(`DELETE FROM ${this._table} WHERE key = $1`, [key]), { signal });
  }
}

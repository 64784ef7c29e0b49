import { type Attributes } from '@opentelemetry/api';
import { DeadClients } from './deadClients.js';
import { type PoolFactory } from './pool.js';

/** The parts of pg's `Client` the pool uses; `pg.Client` satisfies it. */
export interface PgClientLike {
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  end(): Promise<unknown>;
  on(event: 'error' | 'end', listener: () => void): unknown;
}

export interface PostgresFactoryOptions<C extends PgClientLike> {
  /** pg's Client class (`import pg from 'pg'` then `pg.Client`). Default: loaded from the optional peer 'pg'. */
  Client?: new (config: Record<string, unknown>) => C;
  /** e.g. 'postgres://postgres@127.0.0.1:5432/test'. */
  connectionString?: string;
  /** More pg ClientConfig fields (host, port, user, database, ssl, statement_timeout, ...). */
  client?: Record<string, unknown>;
  /** Shown in pg_stat_activity; default `hp:<pool name>`. */
  application_name?: string;
  applicationName?: string;
  /** Health-check query. Default 'SELECT 1'. */
  validationQuery?: string;
}

type PgModule = { Client: new (config: Record<string, unknown>) => PgClientLike };

async function loadPg(): Promise<PgModule['Client']> {
  try {
    const mod = (await import('pg')) as unknown as PgModule & { default?: PgModule };
    return (mod.default ?? mod).Client;
  } catch (err) {
    throw new Error("postgresFactory needs the 'pg' package: npm i pg (or pass { Client: pg.Client })", {
      cause: err,
    });
  }
}

function serviceAttributes(
  connectionString: string | undefined,
  client: Record<string, unknown>,
): Attributes {
  const attrs: Attributes = { 'db.system.name': 'postgresql' };
  let host = client.host as string | undefined;
  let port = client.port as number | string | undefined;
  let database = client.database as string | undefined;
  if (connectionString) {
    try {
      const url = new URL(connectionString);
      host ??= url.hostname || undefined;
      port ??= url.port || undefined;
      database ??= url.pathname.replace(/^\//, '') || undefined;
    } catch {
      // not a URL (e.g. a socket path): leave the attributes out
    }
  }
  if (host) attrs['server.address'] = host;
  attrs['server.port'] = Number(port ?? 5432);
  if (database) attrs['db.namespace'] = database;
  return attrs;
}

/**
 * A factory of connected pg `Client`s: connect within `connection_timeout`, a server-side kill
 * ('error'/'end' events) marks the client broken so the pool replaces it, health checks run `SELECT 1`.
 */
export function postgresFactory<C extends PgClientLike = PgClientLike>(
  options: PostgresFactoryOptions<C> = {},
): PoolFactory<C> {
  const dead = new DeadClients();
  const extra = options.client ?? {};
  const query = options.validationQuery ?? 'SELECT 1';
  return {
    attributes: serviceAttributes(options.connectionString, extra),
    async create(ctx) {
      const Client = (options.Client ?? (await loadPg())) as new (config: Record<string, unknown>) => C;
      const client = new Client({
        connectionTimeoutMillis: ctx.config.connectionTimeoutMs,
        ...extra,
        ...(options.connectionString ? { connectionString: options.connectionString } : {}),
        application_name: options.application_name ?? options.applicationName ?? `hp:${ctx.poolName}`,
      });
      return dead.connect(client, ctx, () => void client.end().catch(() => {}));
    },
    async destroy(client) {
      if (dead.has(client)) {
        // Broken or unresponsive: a polite Terminate may never be answered, so cut the socket.
        (client as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream?.destroy?.();
        await client.end().catch(() => {});
        return;
      }
      dead.add(client);
      await client.end();
    },
    isBroken: (client) => dead.has(client),
    validate: (client, signal) => dead.validate(client, () => client.query(query), signal),
  };
}

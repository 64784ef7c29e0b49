import { type Attributes } from '@opentelemetry/api';
import { type Client, type Pool as UndiciPool } from 'undici';
import { type PoolFactory } from './pool.js';
import { type ResolvedPoolConfig } from './poolConfig.js';

export interface HttpFactoryOptions {
  /** Origin of the LLM API, e.g. 'https://api.openai.com' or 'http://127.0.0.1:8080'. */
  origin: string;
  /** More undici Client options (tls, headersTimeout, bodyTimeout, ...). */
  client?: Client.Options;
}

function originAttributes(origin: string): Attributes {
  const url = new URL(origin);
  return {
    'server.address': url.hostname,
    'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    'url.scheme': url.protocol.replace(':', ''),
  };
}

function keepAlive(config: ResolvedPoolConfig): Partial<Client.Options> {
  if (config.maxIdleTimeMs === 0) return {};
  return { keepAliveTimeout: config.maxIdleTimeMs, keepAliveMaxTimeout: config.maxIdleTimeMs };
}

/**
 * A factory of undici `Client`s to one origin: each pooled resource is one keep-alive connection
 * (pipelining 1), so the pool's max_size bounds the connections to the API and its acquire queue
 * holds the callers beyond it. The socket stays open `max_idle_time` between requests (unless the
 * server closes it first; undici then reconnects on the next request).
 */
export function httpFactory(options: HttpFactoryOptions): PoolFactory<Client> {
  const origin = new URL(options.origin).origin;
  return {
    attributes: originAttributes(origin),
    async create(ctx) {
      const { Client } = await import('undici');
      return new Client(origin, {
        connectTimeout: ctx.config.connectionTimeoutMs,
        ...keepAlive(ctx.config),
        ...options.client,
        pipelining: 1,
      });
    },
    async destroy(client) {
      if (!client.destroyed) await client.close();
    },
    isBroken: (client) => client.closed || client.destroyed,
  };
}

/**
 * One undici `Pool` sized from a PoolConfig (connections = max_size, keep-alive = max_idle_time), for
 * SDKs that take a dispatcher (e.g. `fetchOptions: { dispatcher }`) rather than a connection per call.
 */
export async function httpDispatcher(
  origin: string,
  config: ResolvedPoolConfig,
  options: UndiciPool.Options = {},
): Promise<UndiciPool> {
  const { Pool } = await import('undici');
  return new Pool(new URL(origin).origin, {
    connections: config.maxSize,
    connectTimeout: config.connectionTimeoutMs,
    ...keepAlive(config),
    ...options,
  });
}

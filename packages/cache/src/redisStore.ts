import { createKeyvSerializer } from '@hp/data';
import { createKeyv } from '@keyv/redis';
import { type Keyv } from 'keyv';
import { restoreFastStringPrototype } from './fastStringPrototype.js';

// @keyv/redis (through @redis/client) has just been evaluated: undo its slow String.prototype
restoreFastStringPrototype();

export interface RedisStoreOptions {
  /** `redis://host:port[/db]`. */
  url: string;
  /** Key namespace (prefix) of this cache in Redis; pick one per application / test run. */
  namespace: string;
  /** Connection timeout in ms (default 1000). */
  connectTimeoutMs?: number;
}

/**
 * A Keyv on Redis through @keyv/redis, configured so that a dead Redis fails fast instead of hanging:
 * connection errors and command errors throw, commands are not queued while disconnected, and the
 * client keeps reconnecting in the background (at most every 500 ms) so the tier recovers by itself.
 * Values are stored as @hp/data CBOR envelopes.
 */
export function createRedisStore(options: RedisStoreOptions): Keyv {
  const connectTimeout = options.connectTimeoutMs ?? 1000;
  const keyv = createKeyv(
    {
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout,
        reconnectStrategy: (retries: number) => Math.min(50 + retries * 50, 500),
      },
    },
    {
      namespace: options.namespace,
      throwOnConnectError: true,
      throwOnErrors: true,
      connectionTimeout: connectTimeout,
    },
  );
  const serializer = createKeyvSerializer();
  keyv.serialize = serializer.serialize;
  keyv.deserialize = serializer.deserialize;
  keyv.throwOnErrors = true;
  return keyv;
}

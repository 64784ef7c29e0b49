import { abortable } from './abortable.js';
import { type CreateContext } from './pool.js';

/** A database client that reports a dropped connection through 'error'/'end' events (pg and node-redis do). */
export interface EventedClient {
  connect(): Promise<unknown>;
  on(event: 'error' | 'end', listener: () => void): unknown;
}

/**
 * The clients of one factory (postgresFactory, redisFactory) known to be dead: dropped by the server
 * ('error'/'end'), failed to connect, or failed a health-check round trip. A dead client is destroyed
 * by cutting its socket instead of waiting for a polite goodbye.
 */
export class DeadClients {
  private readonly _dead = new WeakSet<object>();

  has(client: object): boolean {
    return this._dead.has(client);
  }

  add(client: object): void {
    this._dead.add(client);
  }

  /**
   * Watches `client` for 'error'/'end' (marks it dead and tells the pool) and connects it within
   * `ctx.signal`; on failure marks it dead, calls `discard` and rethrows.
   */
  async connect<C extends EventedClient>(client: C, ctx: CreateContext, discard: () => void): Promise<C> {
    const markDead = (): void => {
      this._dead.add(client);
      ctx.markBroken();
    };
    client.on('error', markDead);
    client.on('end', markDead);
    try {
      await abortable(client.connect(), ctx.signal);
    } catch (err) {
      this._dead.add(client);
      discard();
      throw err;
    }
    return client;
  }

  /** Health check: awaits `roundTrip()` within `signal`; a failure marks the client dead and rethrows. */
  async validate(
    client: object,
    roundTrip: () => Promise<unknown>,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    try {
      await abortable(roundTrip(), signal);
    } catch (err) {
      this._dead.add(client);
      throw err;
    }
    return !this._dead.has(client);
  }
}

import { type CreateContext, type PoolFactory } from '../src/index.js';

export interface FakeResource {
  id: number;
  alive: boolean;
  destroyed: boolean;
  markBroken: () => void;
}

export type FakeMode =
  'ok' | 'throw' | 'reject' | 'undefined' | 'null' | 'zero' | 'string' | 'duplicate' | 'hang';

/** A factory of in-memory resources whose failure modes tests switch at will. */
export class FakeFactory implements PoolFactory<FakeResource> {
  mode: FakeMode = 'ok';
  nextId = 1;
  created: FakeResource[] = [];
  destroyedCount = 0;
  createCalls = 0;
  validateCalls = 0;

  get live(): FakeResource[] {
    return this.created.filter((r) => !r.destroyed);
  }

  create(ctx: CreateContext): Promise<FakeResource> | FakeResource {
    this.createCalls++;
    switch (this.mode) {
      case 'throw':
        throw new Error('factory threw');
      case 'reject':
        return Promise.reject(new Error('connection refused'));
      case 'undefined':
        return Promise.resolve(undefined as unknown as FakeResource);
      case 'null':
        return null as unknown as FakeResource;
      case 'zero':
        return 0 as unknown as FakeResource;
      case 'string':
        return Promise.resolve('garbage' as unknown as FakeResource);
      case 'duplicate':
        if (this.live.length > 0) return this.live[0]!;
        break;
      case 'hang':
        return new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new Error('create aborted'))),
        );
    }
    const r: FakeResource = { id: this.nextId++, alive: true, destroyed: false, markBroken: ctx.markBroken };
    this.created.push(r);
    return Promise.resolve(r);
  }

  destroy(r: FakeResource): void {
    if (r.destroyed) throw new Error(`resource ${r.id} destroyed twice`);
    r.destroyed = true;
    this.destroyedCount++;
  }

  isBroken(r: FakeResource): boolean {
    return r.destroyed;
  }

  validate(r: FakeResource): Promise<boolean> {
    this.validateCalls++;
    return Promise.resolve(r.alive);
  }
}

export const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await tick(2);
  }
}

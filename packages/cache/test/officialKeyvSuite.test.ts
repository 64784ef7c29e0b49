import { describeWithService, SERVICES } from '@hp/testing';
import keyvTestSuite, { keyvIteratorTests } from '@keyv/test-suite';
import { Keyv } from 'keyv';
import { createRedisStore, TieredCache, TieredKeyvStore } from '../src/index.js';

/**
 * Runs the OFFICIAL @keyv/test-suite (2.1.2) against TieredKeyvStore. The suite is written for vitest:
 * it calls `test.it(name, (t) => ...)` with `t.expect`, and `test.beforeEach/afterEach`. `vitestLike`
 * maps that shape onto Jest's globals; nothing in the suite's test bodies is changed or skipped.
 *
 * keyv 5 only exposes `keyv.iterator()` for stores whose `opts.dialect`/`opts.url` names one of its
 * built-in backends (redis, sqlite, ...). `IterableKeyv` wires our adapter's `iterator()` the same way
 * keyv does for those (`generateIterator`), so the official iterator tests exercise our code.
 */
type SuiteTest = Parameters<typeof keyvTestSuite>[0];
type Body = (t: { expect: typeof expect }) => unknown;

/** Official tests excluded by name, with the reason (empty: every official test runs). */
const EXCLUDED: ReadonlySet<string> = new Set<string>([]);

const vitestLike = {
  it: (name: string, fn: Body) =>
    (EXCLUDED.has(name) ? it.skip : it)(name, async () => {
      await fn({ expect });
    }),
  beforeEach,
  afterEach,
  beforeAll,
  afterAll,
  describe,
  expect,
} as unknown as SuiteTest;

class IterableKeyv extends Keyv {
  constructor(options?: ConstructorParameters<typeof Keyv>[0]) {
    super(options);
    const store = this.store as unknown;
    if (store instanceof TieredKeyvStore) {
      this.iterator = this.generateIterator(store.iterator.bind(store));
    }
  }
}

function runOfficialSuite(makeCache: () => TieredCache): void {
  let cache: TieredCache | undefined;
  const store = (): TieredKeyvStore => new TieredKeyvStore((cache ??= makeCache()));
  afterAll(async () => {
    if (cache) {
      await cache.clear();
      await cache.close();
    }
  });
  describe('keyvTestSuite (keyvApiTests, keyvValueTests, keyvNamespaceTest)', () => {
    keyvTestSuite(vitestLike, IterableKeyv as typeof Keyv, store);
  });
  describe('keyvIteratorTests', () => keyvIteratorTests(vitestLike, IterableKeyv as typeof Keyv, store));
}

describe('official @keyv/test-suite: TieredKeyvStore over in-process tiers', () => {
  runOfficialSuite(() => new TieredCache({ seed: 1 }));
});

describeWithService('redis')(
  'official @keyv/test-suite: TieredKeyvStore over in-process tiers + Redis (127.0.0.1:6379)',
  () => {
    const namespace = `hp-cache-keyv-suite-${process.pid}-${Date.now()}`;
    runOfficialSuite(
      () =>
        new TieredCache({
          seed: 1,
          stores: [{ name: 'redis', store: createRedisStore({ url: SERVICES.redis.url, namespace }) }],
        }),
    );
  },
);

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const dist = join(__dirname, '..', 'dist');
if (!existsSync(join(dist, 'index.cjs'))) {
  const message = `@hp/cache dist check: ${dist} is missing; run "npm run build -w @hp/cache" first`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(message);
  console.warn(`SKIPPED: ${message}`);
}

// The built files (CJS through a plain require, ESM through import) must load on their own:
// jest maps @hp/* to sources, so only this catches bundling mistakes such as a lost `node:` prefix.
(existsSync(join(dist, 'index.cjs')) ? describe : describe.skip)('built package', () => {
  it('loads as CommonJS and as ESM', () => {
    const cjs = spawnSync(
      process.execPath,
      [
        '-e',
        `const c = require(${JSON.stringify(join(dist, 'index.cjs'))});
         const m = new c.MemoryCache({ max: 2 }); m.set('a', 1);
         new c.SqliteStore({ path: ':memory:' }).disconnect();
         process.stdout.write([m.get('a'), typeof c.createRedisStore, c.llmCacheKey({ provider: 'p', model: 'm', messages: [] }).slice(0, 15)].join(' '));`,
      ],
      { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } },
    );
    expect(cjs.stderr).toBe('');
    expect(cjs.stdout.trim()).toBe('1 function llm_response:v1');
    const esm = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { TieredCache } from ${JSON.stringify(join(dist, 'index.js'))};
         const t = new TieredCache(); await t.set('k', 2); process.stdout.write(String(await t.get('k'))); await t.close();`,
      ],
      { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } },
    );
    expect(esm.stderr).toBe('');
    expect(esm.stdout.trim()).toBe('2');
  });

  it('leaves String.prototype a fast object after loading @keyv/redis (see src/fastStringPrototype.ts)', () => {
    const isFast = (load: string) =>
      spawnSync(
        process.execPath,
        [
          '--allow-natives-syntax',
          '--input-type=module',
          '-e',
          `${load}; process.stdout.write(String(new Function('o', 'return %HasFastProperties(o)')(String.prototype)));`,
        ],
        { encoding: 'utf8', cwd: join(__dirname, '..'), env: { ...process.env, FORCE_COLOR: '0' } },
      );
    // the problem: @redis/client alone leaves it a dictionary (generic lookups for every string method)
    const redisOnly = isFast(`await import('@keyv/redis')`);
    expect(redisOnly.stderr).toBe('');
    expect(redisOnly.stdout).toBe('false');
    const withCache = isFast(`await import(${JSON.stringify(join(dist, 'index.js'))})`);
    expect(withCache.stderr).toBe('');
    expect(withCache.stdout).toBe('true');
  });
});

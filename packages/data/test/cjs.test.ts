import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const dist = join(__dirname, '..', 'dist', 'index.cjs');
const built = existsSync(dist);
if (!built) {
  const message = `@hp/data CJS check: ${dist} is missing; run "npm run build -w @hp/data" first`;
  if (process.env.CI) throw new Error(message);
  console.warn(`${message} (test skipped)`);
}

(built ? describe : describe.skip)('the built CommonJS bundle', () => {
  it('loads with require() in a plain Node process and round-trips a value', () => {
    const script = `
      const data = require(${JSON.stringify(dist)});
      const value = { when: new Date(0), tags: new Set(['a']), n: 2n ** 70n, list: [1, 'x'] };
      const back = data.decodeEnvelope(data.encodeEnvelope(value, { compression: 'zstd' }));
      const lz4 = new data.Lz4Compressor();
      const bytes = lz4.decompress(lz4.compress(Buffer.from('hello hello hello')), { maxOutputBytes: 100 });
      console.log(JSON.stringify({
        ok: back.when.getTime() === 0 && back.tags.has('a') && back.n === 2n ** 70n && back.list[1] === 'x',
        lz4: Buffer.from(bytes).toString(),
        isError: new data.DataFormatError('TOO_LARGE', 'x') instanceof Error,
      }));
    `;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(JSON.parse(out)).toEqual({ ok: true, lz4: 'hello hello hello', isError: true });
  });
});

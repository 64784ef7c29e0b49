import { join } from 'node:path';
import type * as EmulatorModule from '../src/emulator/index.js';
import type * as RootModule from '../src/index.js';

// The built CommonJS output must load with a plain require (the `test` target depends on `build`).
describe('built package', () => {
  it('loads dist/*.cjs with require and serves a request', async () => {
    const dist = join(__dirname, '..', 'dist');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const emulator = require(join(dist, 'emulator', 'index.cjs')) as typeof EmulatorModule;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const root = require(join(dist, 'index.cjs')) as typeof RootModule;
    expect(typeof root.LlmRateLimitedError).toBe('function');
    const emu = await emulator.startEmulator({ timeScale: 0 });
    try {
      const res = await fetch(`${emu.url}/models`);
      expect(res.status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});

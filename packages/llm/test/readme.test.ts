import { join } from 'node:path';
import { runReadmeExample } from '@hp/testing';

describe('README example', () => {
  it('runs the SDK and the hp client against the emulator', async () => {
    const { logs } = await runReadmeExample(join(__dirname, '..'));
    expect(logs[0]).toMatch(/^sdk action: (build dam|move uphill|wait)$/);
    expect(logs[1]).toMatch(/^client action: (shelter|keep walking) \| cached: false true$/);
    expect(logs[2]).toBe('embeddings: 2 1536');
    expect(logs[3]).toBe('tokens used: true');
  });
});

import { join } from 'node:path';
import { runReadmeExample } from '@hp/testing';

describe('README example', () => {
  it('runs and prints a decision among the listed choices', async () => {
    const { logs } = await runReadmeExample(join(__dirname, '..'));
    expect(logs[0]).toMatch(/^action: (build dam|move uphill|wait)$/);
    expect(logs[1]).toMatch(/^tokens: \d+$/);
    expect(logs[2]).toBe('embeddings: 2 1536');
  });
});

import { join } from 'node:path';
import { runReadmeExample } from '@hp/testing';

describe('README example', () => {
  it('runs and prints what it says', async () => {
    const { logs } = await runReadmeExample(join(__dirname, '..'));
    expect(logs[0]).toMatch(/^envelope of \d+ bytes, codec 1, compression \d$/);
    expect(logs[1]).toBe('true 2026-01-01T00:00:00.000Z 2n');
    expect(logs[2]).toBe('CHECKSUM_MISMATCH');
  });
});

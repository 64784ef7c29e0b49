import { join } from 'node:path';
import { runReadmeExample } from '@hp/testing';

describe('README example', () => {
  it('builds a Boltzmann model, runs 50 steps and prints the Gini', async () => {
    const { logs } = await runReadmeExample(join(__dirname, '..'));
    expect(logs).toHaveLength(1);
    const match = /^Gini after 50 steps: (0\.\d{3})$/.exec(logs[0]!);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThan(0.3);
  });
});

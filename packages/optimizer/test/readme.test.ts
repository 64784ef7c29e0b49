import { join } from 'node:path';
import { runReadmeExample } from '@hp/testing';

describe('README example', () => {
  it('wires a knob and two signals, runs 30 intervals with a fake clock and prints the audit log', async () => {
    const { logs } = await runReadmeExample(join(__dirname, '..'));
    expect(logs[0]).toMatch(
      /^llm\.batch_size 5 -> 6 kept \(hill-climb probe; expected n\/a, measured \d+\.\d%; welch p=0\.0000 < 0\.025 \(look 1\/2\)\)$/,
    );
    expect(logs).toHaveLength(4);
    expect(logs[3]).toMatch(/^batch size 11 kept 6$/);
  });
});

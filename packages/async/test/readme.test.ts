import { runReadmeExample } from '@hp/testing';
import { join } from 'node:path';

describe('README example', () => {
  it('runs an LLM-style workload under request and token limits', async () => {
    const { logs } = await runReadmeExample(join(__dirname, '..'));
    expect(logs).toEqual(['30 answers, first: echo: agent 0 decides', 'tasks waited for the limits: true']);
  });
});

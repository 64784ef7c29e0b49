import { join } from 'node:path';
import { describeWithService, runReadmeExample } from '@hp/testing';

describeWithService('redis')('README example', () => {
  it('runs the two-tier LLM-response example', async () => {
    const { logs } = await runReadmeExample(join(__dirname, '..'));
    expect(logs[0]).toMatch(/^llm_response:v1: hi! hi! model calls: 1$/);
    expect(logs[1]).toBe('hit ratio: 0.5');
  });
});

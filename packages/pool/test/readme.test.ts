import { join } from 'node:path';
import { describeWithService, runReadmeExample } from '@hp/testing';

describeWithService('postgres')('README example', () => {
  it('runs a named PostgreSQL pool from config with use()', async () => {
    const { logs } = await runReadmeExample(join(__dirname, '..'));
    expect(logs).toEqual(['one = 1', 'open connections: 1']);
  });
});

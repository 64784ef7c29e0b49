import { join } from 'node:path';
import { runReadmeExample } from '@hp/testing';

describe('README example', () => {
  it('sets up monitoring, records, serves the dashboard JSON and Prometheus, shuts down', async () => {
    const { logs } = await runReadmeExample(join(__dirname, '..'));
    expect(logs).toEqual([
      'dashboard on loopback: true',
      'requests 2 mean ms 210',
      'prometheus has the histogram: true',
    ]);
  });
});

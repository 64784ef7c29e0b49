import { Pool, postgresFactory } from '@hp/pool';
import { describeWithService } from '@hp/testing';
import pg from 'pg';
import { loadCheckpoint, resumeFromCheckpoint, saveCheckpoint } from '../src/checkpoint.js';
import { BoltzmannModel } from '../src/models/boltzmann.js';
import { PostgresCheckpointStore, type PgPoolLike } from '../src/postgresCheckpointStore.js';

describeWithService('postgres')('PostgresCheckpointStore (through @hp/pool)', () => {
  const table = `sim_runner_ckpt_${process.pid}_${Date.now()}`;
  let pool: Pool<pg.Client>;
  let store: PostgresCheckpointStore;

  beforeAll(() => {
    pool = new Pool<pg.Client>({
      name: 'sim-runner-test',
      config: { min_size: 0, max_size: 2 },
      factory: postgresFactory({
        Client: pg.Client,
        connectionString: 'postgres://postgres@127.0.0.1:5432/test',
      }),
    });
    store = new PostgresCheckpointStore({ pool: pool as unknown as PgPoolLike, table });
  });

  afterAll(async () => {
    await pool.use((c) => c.query(`DROP TABLE IF EXISTS ${table}`));
    await pool.close();
  });

  it('a run resumed from a PostgreSQL checkpoint ends exactly like the uninterrupted run', async () => {
    const options = { n: 40, width: 6, height: 6, seed: 77 };
    const whole = new BoltzmannModel(options);
    await whole.runModel({ maxSteps: 60 });
    const first = new BoltzmannModel(options);
    await first.runModel({ maxSteps: 25 });
    await saveCheckpoint(first, 'run-1', { store });
    await saveCheckpoint(first, 'run-1', { store }); // saving again replaces
    const resumed = new BoltzmannModel(options);
    await resumeFromCheckpoint(resumed, 'run-1', { store });
    await resumed.runModel({ maxSteps: 60 });
    expect(resumed.dataCollector.toCSV()).toBe(whole.dataCollector.toCSV());
    await expect(loadCheckpoint('missing', { store })).rejects.toMatchObject({
      code: 'CHECKPOINT_NOT_FOUND',
    });
    await store.delete('run-1');
    await expect(loadCheckpoint('run-1', { store })).rejects.toMatchObject({ code: 'CHECKPOINT_NOT_FOUND' });
    expect(
      () => new PostgresCheckpointStore({ pool: pool as unknown as PgPoolLike, table: 'x; DROP' }),
    ).toThrow(RangeError);
  });
});

import { join } from 'node:path';
import { BatchRunError, batchRun, defaultWorkerFile, parameterGrid } from '../src/batchRun.js';
import { BoltzmannModel } from '../src/models/boltzmann.js';

const coin = { module: join(__dirname, 'fixtures', 'coinModel.mjs'), export: 'CoinModel' };

describe('batchRun', () => {
  it('expands the parameter grid like Mesa (arrays sweep, scalars stay)', () => {
    expect(parameterGrid({ a: [1, 2], b: 'x', c: [true, false] })).toEqual([
      { a: 1, b: 'x', c: true },
      { a: 1, b: 'x', c: false },
      { a: 2, b: 'x', c: true },
      { a: 2, b: 'x', c: false },
    ]);
    expect(() => parameterGrid({ a: [] })).toThrow(BatchRunError);
  });

  it('gives the same rows in worker threads as in-process, seeded per run', async () => {
    const options = {
      model: 'boltzmann',
      parameters: { n: [10, 20], width: 5, height: 5 },
      iterations: 2,
      maxSteps: 20,
      seed: 99,
    };
    let progress = 0;
    const inProcess = await batchRun({ ...options, workers: 0 });
    const threaded = await batchRun({ ...options, workers: 2, onProgress: (done) => (progress = done) });
    expect(progress).toBe(4);
    expect(threaded).toEqual(inProcess);
    expect(inProcess.rows).toHaveLength(4);
    expect(inProcess.rows.map((r) => [r.RunId, r.iteration, r.n, r.Step])).toEqual([
      [0, 0, 10, 20],
      [1, 0, 20, 20],
      [2, 1, 10, 20],
      [3, 1, 20, 20],
    ]);
    expect(new Set(inProcess.rows.map((r) => r.seed)).size).toBe(4);
    // Each row is the run a single model with that seed produces.
    const single = new BoltzmannModel({
      n: 20,
      width: 5,
      height: 5,
      seed: inProcess.rows[1]!.seed as number,
    });
    await single.runModel({ maxSteps: 20 });
    expect(inProcess.rows[1]!.Gini).toBe(single.dataCollector.modelSeries('Gini').at(-1));
  });

  it('runs a user model from its module path in ESM and CJS workers, every step and per agent', async () => {
    const esm = await batchRun({
      model: coin,
      parameters: { p: [0.2, 0.8] },
      maxSteps: 6,
      dataCollectionPeriod: 2,
      seed: 1,
      workers: 1,
    });
    const cjs = await batchRun({
      model: coin,
      parameters: { p: [0.2, 0.8] },
      maxSteps: 6,
      dataCollectionPeriod: 2,
      seed: 1,
      workers: 1,
      workerFile: defaultWorkerFile().replace(/\.js$/, '.cjs'),
    });
    expect(cjs).toEqual(esm);
    expect(esm.rows.filter((r) => r.RunId === 0).map((r) => r.Step)).toEqual([1, 3, 5, 6]);
    const perAgent = await batchRun({
      model: 'boltzmann',
      parameters: { n: 4, collectAgents: true },
      maxSteps: 3,
      seed: 5,
      workers: 1,
    });
    expect(perAgent.rows.map((r) => r.AgentID)).toEqual([1, 2, 3, 4]);
    expect(perAgent.rows.reduce((s, r) => s + (r.Wealth as number), 0)).toBe(4);
  });

  it('accepts a class in-process only, and says what to do when the worker is missing', async () => {
    const r = await batchRun({
      model: BoltzmannModel as never,
      parameters: { n: 5 },
      maxSteps: 2,
      workers: 0,
    });
    expect(r.rows).toHaveLength(1);
    expect(Number.isInteger(r.seed)).toBe(true);
    await expect(batchRun({ model: BoltzmannModel as never, parameters: {}, workers: 1 })).rejects.toThrow(
      /workers: 0/,
    );
    await expect(
      batchRun({ model: 'boltzmann', parameters: {}, workers: 1, workerFile: '/nope/batchWorker.js' }),
    ).rejects.toMatchObject({ code: 'BATCH_WORKER_NOT_BUILT' });
    await expect(batchRun({ model: 'nope', parameters: {}, workers: 0 })).rejects.toThrow(
      /no built-in model/,
    );
    await expect(batchRun({ model: 'boltzmann', parameters: {}, iterations: 0 })).rejects.toMatchObject({
      code: 'BATCH_INVALID_OPTIONS',
    });
  });
});

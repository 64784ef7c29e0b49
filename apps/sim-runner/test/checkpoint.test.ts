import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CheckpointError,
  createCheckpoint,
  loadCheckpoint,
  restoreCheckpoint,
  resumeFromCheckpoint,
  saveCheckpoint,
} from '../src/checkpoint.js';
import { Model } from '../src/model.js';
import { BoltzmannModel } from '../src/models/boltzmann.js';

describe('checkpoints', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-runner-ckpt-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([true, false])(
    'a run resumed from a file ends exactly like the uninterrupted run (spatial=%s)',
    async (spatial) => {
      const options = { n: 80, width: 8, height: 8, seed: 1234, spatial, collectAgents: true };
      const whole = new BoltzmannModel(options);
      await whole.runModel({ maxSteps: 120 });

      const first = new BoltzmannModel(options);
      await first.runModel({ maxSteps: 50 });
      const file = join(dir, 'run', 'step50.ckpt');
      await saveCheckpoint(first, file);

      const resumed = new BoltzmannModel(options);
      await resumeFromCheckpoint(resumed, file);
      expect(resumed.steps).toBe(50);
      expect(resumed.rng.getState()).toEqual(first.rng.getState());
      await resumed.runModel({ maxSteps: 120 });

      expect(resumed.steps).toBe(120);
      expect(resumed.rng.getState()).toEqual(whole.rng.getState());
      expect(resumed.dataCollector.toCSV('agent')).toBe(whole.dataCollector.toCSV('agent'));
      expect(resumed.dataCollector.toCSV('model')).toBe(whole.dataCollector.toCSV('model'));
      expect(resumed.nextId()).toBe(whole.nextId());
    },
  );

  it('refuses another model class, another seed, a foreign file and a missing one', async () => {
    const m = new BoltzmannModel({ n: 5, seed: 1 });
    const checkpoint = createCheckpoint(m);
    class Other extends Model {}
    expect(() => restoreCheckpoint(new Other({ seed: 1 }), checkpoint)).toThrow(CheckpointError);
    expect(() => restoreCheckpoint(new BoltzmannModel({ n: 5, seed: 2 }), checkpoint)).toThrow(/seed 1/);

    const foreign = join(dir, 'foreign');
    writeFileSync(foreign, 'hello');
    await expect(loadCheckpoint(foreign)).rejects.toMatchObject({ code: 'CHECKPOINT_INVALID' });
    await expect(loadCheckpoint(join(dir, 'missing'))).rejects.toMatchObject({
      code: 'CHECKPOINT_NOT_FOUND',
    });
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  it('writes an @hp/data envelope by default; the JSON codec is an alternative', async () => {
    const { readEnvelopeHeader } = await import('@hp/data');
    const { jsonCheckpointCodec } = await import('../src/checkpointCodec.js');
    const m = new BoltzmannModel({ n: 20, seed: 3 });
    await m.runModel({ maxSteps: 5 });
    const file = join(dir, 'a.ckpt');
    await saveCheckpoint(m, file);
    expect(readEnvelopeHeader(readFileSync(file)).version).toBe(1);
    const jsonFile = join(dir, 'a.json.ckpt');
    await saveCheckpoint(m, jsonFile, { codec: jsonCheckpointCodec });
    expect(readFileSync(jsonFile, 'utf8').startsWith('HPCK1 json\n')).toBe(true);
    expect(await loadCheckpoint(jsonFile, { codec: jsonCheckpointCodec })).toEqual(
      await loadCheckpoint(file),
    );
    const corrupt = readFileSync(file);
    corrupt[corrupt.length - 1]! ^= 0xff;
    writeFileSync(file, corrupt);
    await expect(loadCheckpoint(file)).rejects.toMatchObject({ code: 'CHECKPOINT_INVALID' });
  });

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

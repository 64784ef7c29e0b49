import { Agent } from '../src/agent.js';
import { Model } from '../src/model.js';

class Counter extends Agent {
  count = 0;
  override step(): void {
    this.count++;
  }
}
class Other extends Agent {}

class CountingModel extends Model {
  seen: number[] = [];
  constructor(seed = 1, n = 3) {
    super({ seed });
    for (let i = 0; i < n; i++) new Counter(this);
    new Other(this);
  }
  override step(): void {
    this.seen.push(this.steps);
    this.agents.do('step');
  }
}

describe('Model', () => {
  it('records its seed (drawing one when absent)', () => {
    expect(new Model({ seed: 5 }).seed).toBe(5);
    const m = new Model();
    expect(Number.isInteger(m.seed)).toBe(true);
    expect(new Model({ seed: m.seed }).rng.random()).toBe(new Model({ seed: m.seed }).rng.random());
  });

  it('increments steps before the user step, like Mesa 3', () => {
    const m = new CountingModel();
    m.step();
    m.step();
    expect(m.steps).toBe(2);
    expect(m.seen).toEqual([1, 2]);
  });

  it('registers agents with unique ids, by type, and forgets removed ones', () => {
    const m = new CountingModel(1, 3);
    expect(m.agents.length).toBe(4);
    expect(m.agents.map((a) => a.uniqueId)).toEqual([1, 2, 3, 4]);
    expect(m.agentsOfType(Counter).length).toBe(3);
    expect(m.agentTypes).toEqual([Counter, Other]);
    const first = m.agents.at(0)!;
    first.remove();
    first.remove();
    expect(first.removed).toBe(true);
    expect(m.agents.length).toBe(3);
    expect(m.agentsOfType(Counter).length).toBe(2);
    expect(new Counter(m).uniqueId).toBe(5);
  });

  it('runModel stops at maxSteps, when running turns false, or on abort', async () => {
    const m = new CountingModel();
    await m.runModel({ maxSteps: 10 });
    expect(m.steps).toBe(10);
    await m.runModel({ maxSteps: 10 });
    expect(m.steps).toBe(10);
    m.running = false;
    await m.runModel({ maxSteps: 20 });
    expect(m.steps).toBe(10);

    const n = new CountingModel();
    const ac = new AbortController();
    await expect(
      n.runModel({
        maxSteps: 100,
        signal: ac.signal,
        onStep: (x) => (x.steps === 3 ? ac.abort() : undefined),
      }),
    ).rejects.toThrow();
    expect(n.steps).toBe(3);
  });

  it('the default stepAsync runs the sync step once', async () => {
    const m = new CountingModel();
    await m.stepAsync();
    expect(m.steps).toBe(1);
    expect(m.seen).toEqual([1]);
  });

  it('refuses checkpoints unless the model implements them', () => {
    expect(() => new Model({ seed: 1 }).saveState()).toThrow(/saveState/);
  });
});

import { BoltzmannModel } from '../../src/models/boltzmann.js';
import { gini } from '../../src/models/gini.js';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('Boltzmann wealth model', () => {
  it('gini: 0 for equality, near 1 when one holds everything', () => {
    expect(gini([1, 1, 1, 1])).toBe(0);
    expect(gini([0, 0, 0, 10])).toBeCloseTo(0.75);
    expect(gini([])).toBe(0);
  });

  it('the Gini rises from 0 to the known steady state (~0.5-0.65), conserving wealth', () => {
    const m = new BoltzmannModel({ n: 100, width: 10, height: 10, seed: 42 });
    for (let i = 0; i < 400; i++) m.step();
    const g = m.dataCollector.modelSeries('Gini') as number[];
    expect(g[0]).toBe(0);
    expect(g[20]!).toBeGreaterThan(0.3);
    const steady = mean(g.slice(200));
    expect(steady).toBeGreaterThan(0.5);
    expect(steady).toBeLessThan(0.65);
    expect(m.moneyAgents.reduce((s, a) => s + a.wealth, 0)).toBe(100);
    expect(Math.min(...m.moneyAgents.map((a) => a.wealth))).toBeGreaterThanOrEqual(0);
  });

  it('the non-spatial variant levels off in the same band', () => {
    const m = new BoltzmannModel({ n: 200, spatial: false, seed: 3 });
    for (let i = 0; i < 400; i++) m.step();
    const steady = mean((m.dataCollector.modelSeries('Gini') as number[]).slice(200));
    expect(steady).toBeGreaterThan(0.5);
    expect(steady).toBeLessThan(0.7);
  });

  it('same seed => identical DataCollector output; another seed differs', () => {
    const run = (seed: number) => {
      const m = new BoltzmannModel({ n: 50, seed, collectAgents: true });
      for (let i = 0; i < 60; i++) m.step();
      return [m.dataCollector.toCSV('model'), m.dataCollector.toCSV('agent')];
    };
    expect(run(11)).toEqual(run(11));
    expect(run(11)).not.toEqual(run(12));
  });

  it('the async path (shuffleDoAsync) gives the same run as the sync tutorial step', async () => {
    const a = new BoltzmannModel({ n: 60, seed: 5, collectAgents: true });
    for (let i = 0; i < 50; i++) a.step();
    const b = new BoltzmannModel({ n: 60, seed: 5, collectAgents: true, concurrency: 7 });
    await b.runModel({ maxSteps: 50 });
    expect(b.steps).toBe(50);
    expect(b.dataCollector.toJSON()).toEqual(a.dataCollector.toJSON());
  });
});

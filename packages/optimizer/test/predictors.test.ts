import {
  GradientBoosting,
  NeuralNetwork,
  OnlineLinearRegression,
  createPredictor,
  mulberry32,
} from '../src/index.js';

describe('predictors', () => {
  it('OnlineLinearRegression fits a linear function exactly', () => {
    const m = new OnlineLinearRegression({ forgetting: 1 });
    const r = mulberry32(1);
    for (let i = 0; i < 50; i++) {
      const x = [r() * 10, r() * 5];
      m.update(x, 3 + 2 * x[0]! - 4 * x[1]!);
    }
    expect(m.predict([1, 1])).toBeCloseTo(1, 3);
    expect(m.weights[1]).toBeCloseTo(2, 3);
    expect(m.heldOutError().rmse).toBeLessThan(1e-3);
  });

  it('OnlineLinearRegression with forgetting follows a drifting plant', () => {
    const m = new OnlineLinearRegression({ forgetting: 0.9 });
    for (let i = 0; i < 100; i++) m.update([i % 10], 2 * (i % 10));
    for (let i = 0; i < 100; i++) m.update([i % 10], 5 * (i % 10));
    expect(m.predict([4])).toBeCloseTo(20, 1);
  });

  const nonlinear = (x: number[]) => Math.sin(x[0]!) * 10 + (x[1]! - 2) ** 2;

  it.each([
    ['gradient_boosting', () => new GradientBoosting({ refitEvery: 25 })],
    ['neural_network', () => new NeuralNetwork({ seed: 3, refitEvery: 25, epochs: 150, learningRate: 0.03 })],
  ] as const)('%s beats linear regression on a nonlinear target (held-out error)', (_name, make) => {
    const r = mulberry32(7);
    const lin = new OnlineLinearRegression({ forgetting: 1, errorWindow: 100 });
    const nl = make();
    const xs: number[][] = [];
    for (let i = 0; i < 300; i++) xs.push([r() * 6, r() * 4]);
    for (const x of xs.slice(0, 200)) {
      lin.update(x, nonlinear(x));
      nl.update(x, nonlinear(x));
    }
    // Held-out: fresh points, not learned.
    const test = xs.slice(200);
    const rmse = (p: { predict(x: number[]): number }) =>
      Math.sqrt(test.reduce((s, x) => s + (p.predict(x) - nonlinear(x)) ** 2, 0) / test.length);
    expect(rmse(nl)).toBeLessThan(rmse(lin) * 0.6);
    expect(nl.heldOutError().n).toBeGreaterThan(10);
  });

  it('createPredictor builds the model an ml_models entry names', () => {
    expect(createPredictor('linear_regression').kind).toBe('linear_regression');
    expect(createPredictor('gradient_boosting').kind).toBe('gradient_boosting');
    expect(createPredictor('neural_network').kind).toBe('neural_network');
    expect(Number.isNaN(createPredictor('neural_network').predict([1]))).toBe(true);
  });
});

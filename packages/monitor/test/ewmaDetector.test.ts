import { EwmaDetector } from '../src/ewmaDetector.js';
import { seededRandom } from './fakeClock.js';

describe('EwmaDetector', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'flags exactly the injected spikes in a noisy stationary series (seed %i)',
    (seed) => {
      const rnd = seededRandom(seed);
      const series = Array.from({ length: 300 }, () => 100 + (rnd() - 0.5) * 4);
      series[120] = 130;
      series[250] = 60;
      expect(EwmaDetector.detect(series)).toEqual([120, 250]);
    },
  );

  it('absorbs a lasting level shift after flagging its start', () => {
    const rnd = seededRandom(5);
    const series = Array.from({ length: 300 }, (_, i) => (i < 150 ? 50 : 80) + (rnd() - 0.5) * 2);
    const found = EwmaDetector.detect(series);
    expect(found[0]).toBe(150);
    expect(found.every((i) => i >= 150 && i < 200)).toBe(true);
  });

  it('reports the baseline and limits for each value', () => {
    const d = new EwmaDetector({ lambda: 0.5, sigmas: 2, warmup: 2 });
    for (const v of [10, 11, 9, 10, 11, 9]) d.update(v);
    const r = d.update(100)!;
    expect(r.anomaly).toBe(true);
    expect(r.expected).toBeGreaterThan(9);
    expect(r.expected).toBeLessThan(11);
    expect(r.upper).toBeLessThan(100);
    expect(d.update(Number.NaN)).toBeUndefined();
  });
});

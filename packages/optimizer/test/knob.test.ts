import fc from 'fast-check';
import { OptimizerError, boundedTarget, clampKnob, validateKnob, type Knob } from '../src/index.js';

const k = (over: Partial<Knob> = {}): Knob => ({
  name: 'k',
  get: () => 10,
  set: () => undefined,
  min: 1,
  max: 100,
  ...over,
});

describe('knob helpers', () => {
  it('clamps and rounds integer knobs, keeps fractional ones', () => {
    expect(clampKnob(k(), 150)).toBe(100);
    expect(clampKnob(k(), 2.6)).toBe(3);
    expect(clampKnob(k({ integer: false }), 2.6)).toBe(2.6);
    expect(clampKnob(k(), NaN)).toBe(10);
  });

  it('bounds steps by the learning rate (at least 1 for integers) or maxStep', () => {
    expect(boundedTarget(k(), 50, 90, 0.1)).toBe(55);
    expect(boundedTarget(k(), 5, 1, 0.1)).toBe(4);
    expect(boundedTarget(k({ maxStep: 20 }), 50, 90, 0.1)).toBe(70);
  });

  it('property: bounded targets stay within bounds and within one step', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: -50, max: 200 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (cur, target, lr) => {
          const v = boundedTarget(k(), cur, target, lr);
          expect(v).toBeGreaterThanOrEqual(1);
          expect(v).toBeLessThanOrEqual(100);
          expect(Math.abs(v - cur)).toBeLessThanOrEqual(Math.max(1, Math.round(cur * lr)));
        },
      ),
    );
  });

  it('rejects unusable knobs', () => {
    expect(() => validateKnob(k({ min: 5, max: 1 }))).toThrow(OptimizerError);
    expect(() => validateKnob(k({ name: '' }))).toThrow(/invalid/);
  });
});

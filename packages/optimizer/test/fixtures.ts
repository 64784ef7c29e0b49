import { BatchTuner, batchSizeTuner, type Knob } from '../src/index.js';

/** An in-memory knob: `value` is what get() reads, `sets` counts set() calls; `maxStep` only when given. */
export function knob(
  name: string,
  initial: number,
  min: number,
  max: number,
  maxStep?: number,
): Knob & { value: number; sets: number } {
  const k = {
    name,
    value: initial,
    sets: 0,
    min,
    max,
    ...(maxStep !== undefined ? { maxStep } : {}),
    get: () => k.value,
    set: (v: number) => {
      k.value = v;
      k.sets++;
    },
  };
  return k;
}

/** The batch-size tuner of the tests: knob `b` in 1..64, signals 'throughput' and 'p95', p95 objective in s. */
export function batchSizeTunerOf(b: Knob, p95Objective = 2) {
  return batchSizeTuner({
    knob: b,
    tuner: new BatchTuner({ min: 1, max: 64, p95Objective }),
    throughput: 'throughput',
    p95: 'p95',
  });
}

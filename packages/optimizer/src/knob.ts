import { OptimizerError } from './optimizerError.js';

/**
 * A tunable setting the app hands to the optimizer, built from another package's runtime setter
 * (e.g. `{ name: 'llm.concurrency', get: () => limiter.concurrency, set: (v) => limiter.setConcurrency(v), min: 1, max: 200 }`).
 * The optimizer imports no other hp package: structural typing keeps them apart.
 */
export interface Knob {
  name: string;
  get(): number;
  set(value: number): void | Promise<void>;
  min: number;
  max: number;
  /** Round every value to an integer (concurrency, batch size, pool size). Default true. */
  integer?: boolean;
  /** Largest change of one decision, in knob units; default: learning rate x current value (at least 1 for integers). */
  maxStep?: number;
}

/** A measurement: any function returning a number (or a promise of one), e.g. `() => reader.summary(10).responseTime.p95`. */
export type Signal = () => number | Promise<number>;

/** Named signals read at every sample tick. */
export type Signals = Record<string, Signal>;

/** Throws INVALID_KNOB when a knob cannot be used (bad bounds, missing functions). */
export function validateKnob(knob: Knob): void {
  const ok =
    typeof knob.name === 'string' &&
    knob.name.length > 0 &&
    typeof knob.get === 'function' &&
    typeof knob.set === 'function' &&
    Number.isFinite(knob.min) &&
    Number.isFinite(knob.max) &&
    knob.min <= knob.max &&
    (knob.maxStep === undefined || (Number.isFinite(knob.maxStep) && knob.maxStep > 0));
  if (!ok) {
    throw new OptimizerError(
      'INVALID_KNOB',
      `Knob "${String(knob.name)}" is invalid: give it a name, get(), set(v), finite min <= max and an optional positive maxStep.`,
    );
  }
}

/** Clamps `value` to the knob's bounds and rounds integer knobs. */
export function clampKnob(knob: Knob, value: number): number {
  const v = Number.isFinite(value) ? value : knob.get();
  const clamped = Math.min(knob.max, Math.max(knob.min, v));
  return knob.integer === false ? clamped : Math.round(clamped);
}

/** The largest step one decision may take from `current` (bounded step sizes). */
export function maxStepOf(knob: Knob, current: number, learningRate: number): number {
  if (knob.maxStep !== undefined) return knob.maxStep;
  const relative = Math.abs(current) * learningRate;
  return knob.integer === false
    ? Math.max(relative, (knob.max - knob.min) * 1e-3)
    : Math.max(1, Math.round(relative));
}

/** Moves from `current` toward `target` by at most the knob's step bound, clamped and rounded. */
export function boundedTarget(knob: Knob, current: number, target: number, learningRate: number): number {
  const step = maxStepOf(knob, current, learningRate);
  const delta = Math.max(-step, Math.min(step, target - current));
  return clampKnob(knob, current + delta);
}

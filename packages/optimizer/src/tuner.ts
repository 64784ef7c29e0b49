import type { Knob } from './knob.js';
import type { PairedEvidence } from './safetyGate.js';

/** What a tuner sees when asked for a change. */
export interface TuneContext {
  /** Index of the optimization interval (0-based). */
  interval: number;
  now: number;
  /** Current knob values by knob name. */
  knobs: Record<string, number>;
  /** The latest sample of every signal. */
  latest: Record<string, number>;
  /** Every signal's samples over the current interval. */
  window: Record<string, number[]>;
  /** Mean of a signal over the current interval (NaN when absent). */
  mean(signal: string): number;
}

export interface Proposal {
  /** New values by knob name (knobs left out keep their value). */
  values: Record<string, number>;
  reason: string;
  /** Expected relative improvement of the objective (e.g. 0.05 = 5%). */
  expectedImprovement?: number;
}

/**
 * A fast feedback controller (Gradient2, AIMD): consulted at every sample, its changes are applied at
 * once without a before/after test (they react to latency and 429s within seconds, and back off by
 * design), audited once per interval and reverted by a hard rollback when an alert fires.
 */
export interface ControlTuner {
  kind: 'control';
  group: string;
  knobs: Knob[];
  control(ctx: TuneContext): Record<string, number> | undefined;
  /** Revert this interval's moves when an alert fires (default true; false for controllers whose own backoff is the safe reaction). */
  rollbackOnAlert?: boolean;
  /** Told when the optimizer reset the knobs (rollback), so controller state follows. */
  reset?(values: Record<string, number>): void;
}

/**
 * A slow tuner (batching, pool size, cache budget): one proposal per interval, kept only if the
 * safety gate shows that `objective` improved.
 */
export interface GatedTuner {
  kind: 'gated';
  group: string;
  knobs: Knob[];
  /** Objective of one sample (higher is better unless `higherIsBetter: false`). */
  objective(sample: Record<string, number>): number;
  higherIsBetter?: boolean;
  /** `ml_models` key whose predictor this group uses (e.g. `batch_optimization`). */
  model?: string;
  /** Load signals given to the predictor besides the knob values. */
  features?: string[];
  /** The tuner keeps its own invariants (e.g. a memory budget): skip per-knob step bounding. */
  selfBounded?: boolean;
  propose(ctx: TuneContext): Proposal | undefined;
  /** Candidate settings a usable predictor may choose from instead of `propose`. */
  candidates?(ctx: TuneContext): Record<string, number>[];
  outcome?(kept: boolean, proposal: Proposal): void;
  /** True when the group's objective is violated and it must act now (skips the rollback cooldown). */
  urgent?(ctx: TuneContext): boolean;
  /** Called when the optimizer has applied this group's change (knob name -> value, before and after). */
  began?(old: Record<string, number>, next: Record<string, number>): void;
  /**
   * Paired evidence for the change in flight (the new setting against the old one on the same units).
   * When it returns evidence the gate tests it (`SafetyGate.evaluatePaired`) instead of comparing the
   * objective's windows before and after the change; `undefined` falls back to the windows.
   */
  paired?(): PairedEvidence | undefined;
  /**
   * Looks the gate may take at paired evidence (default: the gate's own). Paired evidence costs nothing
   * to wait for (no drift enters it), so a tuner whose effect builds up slowly (a cache filling) may ask
   * for more; each look tests at (1 - confidence) / looks all the same.
   */
  pairedLooks?: number;
  /** Called at the end of every interval (e.g. to age hit-ratio curves). */
  onInterval?(ctx: TuneContext): void;
  /**
   * Checked at every sample: why the conditions this group was tuned under are gone (e.g. a cache's hits fell
   * far below what its history predicts at its size: the popularity shifted), or undefined. The optimizer
   * then puts the group's knobs back where they were when it started (the configuration's values), drops the
   * change in flight and calls `reset`: what the gate certified was certified under the old conditions.
   */
  shifted?(ctx: TuneContext): string | undefined;
  /** Forget what was learned (after `shifted`). */
  reset?(): void;
}

export type Tuner = ControlTuner | GatedTuner;

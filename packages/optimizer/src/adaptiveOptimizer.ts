import { AuditLog, type AuditDecision, type AuditEntry } from './auditLog.js';
import { parseOptimizerConfig, type OptimizerConfig } from './config.js';
import { createPredictor } from './createPredictor.js';
import { boundedTarget, clampKnob, validateKnob, type Knob, type Signals } from './knob.js';
import { OptimizerError } from './optimizerError.js';
import type { HeldOutError, Predictor, PredictorKind } from './predictor.js';
import { SafetyGate } from './safetyGate.js';
import { timerScheduler, type Scheduler } from './scheduler.js';
import type { ControlTuner, GatedTuner, Proposal, TuneContext, Tuner } from './tuner.js';

/** An alert as @hp/monitor's AlertEngine emits it (structurally: only `rule` is read). */
export interface AlertLike {
  rule?: string;
  name?: string;
  severity?: string;
}

/** A function subscribing to fired alerts (returns the unsubscribe), or an emitter with on/off('fire'). */
export type AlertSource =
  | ((listener: (alert: AlertLike) => void) => () => void)
  | {
      on(event: 'fire', listener: (alert: AlertLike) => void): unknown;
      off(event: 'fire', listener: (alert: AlertLike) => void): unknown;
    };

export interface AdaptiveOptimizerOptions {
  /** The sketch's `adaptive_optimization` block (snake_case or camelCase). */
  config?: unknown;
  signals: Signals;
  tuners: Tuner[];
  /** Epoch ms; default Date.now. */
  clock?: () => number;
  /** Default: real timers (unref'ed). */
  scheduler?: Scheduler;
  alerts?: AlertSource;
  auditLog?: AuditLog;
  /** Seed of the predictors' initialisation. */
  seed?: number;
}

interface Sample {
  time: number;
  values: Record<string, number>;
}

interface Pending {
  changeId: number;
  proposal: Proposal;
  old: Record<string, number>;
  next: Record<string, number>;
  before: number[];
  after: number[];
  look: number;
  appliedAt: number;
  appliedInterval: number;
  model: string | undefined;
}

interface GroupState {
  tuner: GatedTuner;
  predictor: Predictor | undefined;
  modelKind: PredictorKind | undefined;
  pending: Pending | undefined;
}

export interface ModelStatus {
  group: string;
  kind: PredictorKind;
  error: HeldOutError;
  usable: boolean;
}

/**
 * The closed loop: samples the signals every `sample_interval`, lets control tuners (Gradient2, AIMD)
 * act at each sample, and every `optimization_interval` judges the gated change in flight (safety
 * gate on before/after windows: keep or roll back), then asks each idle gated group for one bounded
 * change (from its learned predictor when its held-out error is low enough, else from its heuristic).
 * An alert rolls back every change made since the last decision. `enabled: false` never touches a knob.
 */
export class AdaptiveOptimizer {
  readonly config: OptimizerConfig;
  readonly auditLog: AuditLog;
  private readonly _signals: Signals;
  private readonly _control: ControlTuner[];
  private readonly _groups: GroupState[];
  private readonly _knobs = new Map<string, Knob>();
  private readonly _clock: () => number;
  private readonly _scheduler: Scheduler;
  private readonly _gate: SafetyGate;
  private readonly _samplesPerInterval: number;
  private _window: Sample[] = [];
  private _latest: Record<string, number> = {};
  private _interval = 0;
  private _sampleCount = 0;
  private _changeId = 1;
  private _stop: (() => void) | undefined;
  private _unsubscribeAlerts: (() => void) | undefined;
  private _busy: Promise<void> = Promise.resolve();
  private _closed = false;
  /** Control knobs' values at the start of the interval (for audit and hard rollback). */
  private _controlStart: Record<string, number> = {};
  private _controlChangedAt: number | undefined;
  /** Every knob's value when the loop started: where a group goes back when its conditions shift. */
  private _initial: Record<string, number> | undefined;

  constructor(options: AdaptiveOptimizerOptions) {
    this.config = parseOptimizerConfig(options.config ?? {});
    this._signals = options.signals;
    this._clock = options.clock ?? Date.now;
    this._scheduler = options.scheduler ?? timerScheduler;
    this.auditLog = options.auditLog ?? new AuditLog();
    this._gate = new SafetyGate({
      confidence: this.config.safe_optimization_threshold,
      test: this.config.statistical_test,
      cooldownIntervals: this.config.cooldown_intervals,
      looks: this.config.gate_looks,
    });
    this._samplesPerInterval = Math.max(
      1,
      Math.round(this.config.optimization_interval / this.config.sample_interval),
    );
    const groups = new Set<string>();
    for (const t of options.tuners) {
      if (groups.has(t.group)) {
        throw new OptimizerError(
          'INVALID_OPTION',
          `Two tuners share the group "${t.group}": give each its own group.`,
          'tuners',
        );
      }
      groups.add(t.group);
      for (const k of t.knobs) {
        validateKnob(k);
        if (this._knobs.has(k.name)) {
          throw new OptimizerError(
            'INVALID_KNOB',
            `Knob "${k.name}" is handed to two tuners: one change at a time per knob.`,
          );
        }
        this._knobs.set(k.name, k);
      }
    }
    this._control = options.tuners.filter((t): t is ControlTuner => t.kind === 'control');
    this._groups = options.tuners
      .filter((t): t is GatedTuner => t.kind === 'gated')
      .map((tuner) => {
        const modelKind = tuner.model
          ? (this.config.ml_models[tuner.model] as PredictorKind | undefined)
          : undefined;
        return {
          tuner,
          modelKind,
          predictor: modelKind ? createPredictor(modelKind, options.seed ?? 7) : undefined,
          pending: undefined,
        };
      });
    if (options.alerts && this.config.enabled) {
      const listener = (alert: AlertLike) => void this.hardRollback(alert.rule ?? alert.name ?? 'alert');
      const src = options.alerts;
      if (typeof src === 'function') this._unsubscribeAlerts = src(listener);
      else {
        src.on('fire', listener);
        this._unsubscribeAlerts = () => src.off('fire', listener);
      }
    }
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  /** Index of the current optimization interval. */
  get interval(): number {
    return this._interval;
  }

  /** Starts sampling every `sample_interval` on the scheduler (a no-op when disabled). */
  start(): this {
    if (this._closed) throw new OptimizerError('CLOSED', 'The optimizer is closed: create a new one.');
    if (this._stop) throw new OptimizerError('ALREADY_STARTED', 'start() was already called.');
    if (!this.config.enabled) return this;
    this._captureInitial();
    this._stop = this._scheduler.every(this.config.sample_interval * 1000, () => this.tick());
    return this;
  }

  /** One sample tick (also closes the interval every `optimization_interval / sample_interval` ticks). */
  tick(): Promise<void> {
    const run = this._busy.then(() => this._tick());
    this._busy = run.catch(() => undefined);
    return run;
  }

  /** Rolls back every change made since the last decision (in-flight gated changes and control moves). */
  hardRollback(reason: string): Promise<void> {
    const run = this._busy.then(() => this._hardRollback(reason));
    this._busy = run.catch(() => undefined);
    return run;
  }

  /** Held-out error and usability of each group's predictor. */
  models(): ModelStatus[] {
    return this._groups
      .filter((g) => g.predictor && g.modelKind)
      .map((g) => ({
        group: g.tuner.group,
        kind: g.modelKind!,
        error: g.predictor!.heldOutError(),
        usable: this._usable(g),
      }));
  }

  /** Stops the loop; a gated change still waiting for its verdict is rolled back (it was never shown to help). */
  async close(): Promise<void> {
    if (this._closed) return this._busy;
    this._closed = true;
    this._stop?.();
    this._stop = undefined;
    this._unsubscribeAlerts?.();
    this._unsubscribeAlerts = undefined;
    await this._busy;
    const now = this._clock();
    for (const g of this._groups) {
      const p = g.pending;
      if (!p) continue;
      await this._apply(g.tuner.knobs, p.old, false);
      this._recordChange(g, p, 'rolled_back', 'optimizer closed before the verdict', NaN, NaN, now);
      this._gate.end(g.tuner.group, this._interval, true);
      g.tuner.outcome?.(false, p.proposal);
      g.pending = undefined;
    }
  }

  private _captureInitial(): void {
    if (this._initial) return;
    this._initial = {};
    for (const [name, k] of this._knobs) this._initial[name] = k.get();
  }

  private async _tick(): Promise<void> {
    if (!this.config.enabled || this._closed) return;
    this._captureInitial();
    const values: Record<string, number> = {};
    for (const [name, signal] of Object.entries(this._signals)) {
      try {
        const v = await signal();
        values[name] = typeof v === 'number' ? v : NaN;
      } catch {
        values[name] = NaN;
      }
    }
    this._latest = values;
    this._window.push({ time: this._clock(), values });
    if (this._sampleCount % this._samplesPerInterval === 0) this._snapshotControl();
    this._sampleCount++;
    const ctx = this._context();
    for (const t of this._control) {
      const next = t.control(ctx);
      if (next) await this._apply(t.knobs, next, false);
      if (next && Object.entries(next).some(([k, v]) => this._controlStart[k] !== v))
        this._controlChangedAt ??= this._clock();
    }
    for (const g of this._groups) {
      const reason = g.tuner.shifted?.(ctx);
      if (reason !== undefined) await this._resetGroup(g, reason);
    }
    if (this._sampleCount % this._samplesPerInterval === 0) await this._decide();
  }

  private _snapshotControl(): void {
    this._controlStart = {};
    for (const t of this._control) for (const k of t.knobs) this._controlStart[k.name] = k.get();
    this._controlChangedAt = undefined;
  }

  private _context(): TuneContext {
    const window: Record<string, number[]> = {};
    for (const s of this._window) {
      for (const [k, v] of Object.entries(s.values)) if (Number.isFinite(v)) (window[k] ??= []).push(v);
    }
    const knobs: Record<string, number> = {};
    for (const [name, k] of this._knobs) knobs[name] = k.get();
    return {
      interval: this._interval,
      now: this._clock(),
      knobs,
      latest: this._latest,
      window,
      mean: (signal) => {
        const xs = window[signal];
        return xs && xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
      },
    };
  }

  private async _apply(
    knobs: Knob[],
    values: Record<string, number>,
    bounded: boolean,
  ): Promise<Record<string, number>> {
    const applied: Record<string, number> = {};
    for (const k of knobs) {
      const target = values[k.name];
      if (target === undefined) continue;
      const current = k.get();
      const v = bounded ? boundedTarget(k, current, target, this.config.learning_rate) : clampKnob(k, target);
      if (v !== current) await k.set(v);
      applied[k.name] = v;
    }
    return applied;
  }

  private _objective(g: GroupState, samples: Sample[]): number[] {
    return samples.map((s) => g.tuner.objective(s.values)).filter((v) => Number.isFinite(v));
  }

  private _usable(g: GroupState): boolean {
    if (!g.predictor) return false;
    const e = g.predictor.heldOutError();
    return e.n >= this.config.min_model_observations && e.mape <= this.config.max_model_error;
  }

  private _features(g: GroupState, knobValues: Record<string, number>, ctx: TuneContext): number[] {
    return [
      ...g.tuner.knobs.map((k) => knobValues[k.name] ?? k.get()),
      ...(g.tuner.features ?? []).map((f) => ctx.mean(f)),
    ];
  }

  private async _decide(): Promise<void> {
    const now = this._clock();
    const ctx = this._context();
    const window = this._window;
    this._auditControl(now);
    for (const g of this._groups) {
      const objective = this._objective(g, window);
      const mean = objective.length ? objective.reduce((a, b) => a + b, 0) / objective.length : NaN;
      // Learn from this interval (prequential: the error is measured before the model sees it).
      if (g.predictor && Number.isFinite(mean)) g.predictor.update(this._features(g, ctx.knobs, ctx), mean);
      if (g.pending) {
        const p = g.pending;
        const skip = p.look === 1 ? this.config.settle_samples : 0;
        p.after.push(...this._objective(g, window.slice(skip)));
        const paired = g.tuner.paired?.();
        const verdict = paired
          ? this._gate.evaluatePaired(paired, p.look, g.tuner.pairedLooks)
          : this._gate.evaluate(p.before, p.after, g.tuner.higherIsBetter ?? true, p.look);
        if (verdict.extend && !g.tuner.urgent?.(ctx)) {
          p.look++;
          g.tuner.onInterval?.(ctx);
          continue;
        }
        if (!verdict.keep) await this._apply(g.tuner.knobs, p.old, false);
        this._recordChange(
          g,
          p,
          verdict.keep ? 'kept' : 'rolled_back',
          verdict.reason,
          verdict.improvement,
          verdict.pValue,
          now,
        );
        this._gate.end(g.tuner.group, this._interval, !verdict.keep);
        g.tuner.outcome?.(verdict.keep, p.proposal);
        g.pending = undefined;
      } else {
        if (g.tuner.urgent?.(ctx)) this._gate.resetCooldown(g.tuner.group);
        if (!this._gate.canChange(g.tuner.group, this._interval)) {
          g.tuner.onInterval?.(ctx);
          continue;
        }
        const proposal = this._propose(g, ctx);
        if (proposal) {
          const old: Record<string, number> = {};
          for (const k of g.tuner.knobs) old[k.name] = k.get();
          const next = await this._apply(g.tuner.knobs, proposal.values, !g.tuner.selfBounded);
          if (Object.entries(next).some(([k, v]) => old[k] !== v)) {
            this._gate.begin(g.tuner.group);
            g.tuner.began?.(old, next);
            g.pending = {
              changeId: this._changeId++,
              proposal,
              old,
              next,
              before: objective,
              after: [],
              look: 1,
              appliedAt: now,
              appliedInterval: this._interval,
              model: proposal.reason.startsWith('model') ? g.modelKind : undefined,
            };
          }
        }
      }
      g.tuner.onInterval?.(ctx);
    }
    this._window = [];
    this._interval++;
  }

  private _propose(g: GroupState, ctx: TuneContext): Proposal | undefined {
    if (g.predictor && this._usable(g) && g.tuner.candidates) {
      const cands = g.tuner.candidates(ctx);
      const current = g.predictor.predict(this._features(g, ctx.knobs, ctx));
      let best: { values: Record<string, number>; predicted: number } | undefined;
      const sign = (g.tuner.higherIsBetter ?? true) ? 1 : -1;
      for (const c of cands) {
        const predicted = g.predictor.predict(this._features(g, { ...ctx.knobs, ...c }, ctx));
        if (Number.isFinite(predicted) && (!best || sign * predicted > sign * best.predicted))
          best = { values: c, predicted };
      }
      if (best && Number.isFinite(current) && sign * (best.predicted - current) > 0) {
        return {
          values: best.values,
          reason: `model ${g.modelKind} predicts ${best.predicted.toPrecision(4)} vs ${current.toPrecision(4)}`,
          expectedImprovement: current !== 0 ? (sign * (best.predicted - current)) / Math.abs(current) : NaN,
        };
      }
    }
    return g.tuner.propose(ctx);
  }

  private _recordChange(
    g: GroupState,
    p: Pending,
    decision: AuditDecision,
    verdict: string,
    measured: number,
    pValue: number,
    now: number,
  ): void {
    for (const [knob, newValue] of Object.entries(p.next)) {
      if (p.old[knob] === newValue) continue;
      this.auditLog.record({
        changeId: p.changeId,
        group: g.tuner.group,
        knob,
        oldValue: p.old[knob]!,
        newValue,
        reason: p.proposal.reason,
        expectedImprovement: p.proposal.expectedImprovement ?? NaN,
        measuredImprovement: measured,
        pValue,
        decision,
        verdict,
        model: p.model,
        appliedAt: p.appliedAt,
        decidedAt: now,
      });
    }
  }

  /** An audit entry for a move no gate measured (controller moves, their hard rollback, resets). */
  private _recordUngated(
    entry: Omit<AuditEntry, 'id' | 'expectedImprovement' | 'measuredImprovement' | 'pValue' | 'model'>,
  ): void {
    this.auditLog.record({
      ...entry,
      expectedImprovement: NaN,
      measuredImprovement: NaN,
      pValue: NaN,
      model: undefined,
    });
  }

  private _auditControl(now: number): void {
    for (const t of this._control) {
      for (const k of t.knobs) {
        const old = this._controlStart[k.name];
        const v = k.get();
        if (old === undefined || old === v) continue;
        this._recordUngated({
          changeId: this._changeId++,
          group: t.group,
          knob: k.name,
          oldValue: old,
          newValue: v,
          reason: 'feedback controller',
          decision: 'controlled',
          verdict: 'not gated (feedback controller)',
          appliedAt: this._controlChangedAt ?? now,
          decidedAt: now,
        });
      }
    }
  }

  /**
   * The group's conditions shifted: its knobs go back to their values at the start (the configuration's),
   * the change in flight is dropped without a cooldown, and the tuner forgets what it learned.
   */
  private async _resetGroup(g: GroupState, reason: string): Promise<void> {
    const now = this._clock();
    const p = g.pending;
    const old: Record<string, number> = {};
    for (const k of g.tuner.knobs) old[k.name] = k.get();
    const next = await this._apply(g.tuner.knobs, this._initial!, false);
    const changeId = p?.changeId ?? this._changeId++;
    for (const [knob, newValue] of Object.entries(next)) {
      if (old[knob] === newValue) continue;
      this._recordUngated({
        changeId,
        group: g.tuner.group,
        knob,
        oldValue: old[knob]!,
        newValue,
        reason,
        decision: 'reset',
        verdict: p
          ? 'conditions shifted before the verdict: back to the configured value'
          : 'conditions shifted: back to the configured value',
        appliedAt: p?.appliedAt ?? now,
        decidedAt: now,
      });
    }
    if (p) {
      this._gate.end(g.tuner.group, this._interval, false);
      g.tuner.outcome?.(false, p.proposal);
      g.pending = undefined;
    }
    this._gate.resetCooldown(g.tuner.group);
    g.tuner.reset?.();
  }

  private async _hardRollback(reason: string): Promise<void> {
    if (!this.config.enabled || this._closed) return;
    const now = this._clock();
    for (const g of this._groups) {
      const p = g.pending;
      if (!p) continue;
      await this._apply(g.tuner.knobs, p.old, false);
      this._recordChange(g, p, 'hard_rollback', `alert fired: ${reason}`, NaN, NaN, now);
      this._gate.end(g.tuner.group, this._interval, true);
      g.tuner.outcome?.(false, p.proposal);
      g.pending = undefined;
    }
    for (const t of this._control) {
      if (t.rollbackOnAlert === false) continue;
      const values: Record<string, number> = {};
      let changed = false;
      for (const k of t.knobs) {
        const old = this._controlStart[k.name];
        if (old === undefined || old === k.get()) continue;
        values[k.name] = old;
        changed = true;
        this._recordUngated({
          changeId: this._changeId++,
          group: t.group,
          knob: k.name,
          oldValue: k.get(),
          newValue: old,
          reason: 'feedback controller',
          decision: 'hard_rollback',
          verdict: `alert fired: ${reason}`,
          appliedAt: this._controlChangedAt ?? now,
          decidedAt: now,
        });
      }
      if (changed) {
        await this._apply(t.knobs, values, false);
        t.reset?.(values);
      }
    }
  }
}

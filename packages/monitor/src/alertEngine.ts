import { EventEmitter } from 'node:events';
import { metrics, type Meter, type ObservableGauge, type Counter } from '@opentelemetry/api';
import { z } from 'zod';
import type { MetricsReader } from './metricsReader.js';
import { parseOptions, systemClock, type Clock } from './options.js';

export type AlertSeverity = 'warning' | 'critical';
type Level = 0 | 1 | 2; // ok, warning, critical
const SEVERITY: Record<1 | 2, AlertSeverity> = { 1: 'warning', 2: 'critical' };

const ruleSchema = z.object({
  name: z.string().min(1),
  /** Series of the MetricsReader the rule watches, e.g. `error_rate` or `cache_hit_ratio:hot`. */
  metric: z.string().min(1),
  /** `above`: fires when the value rises to the level; `below`: when it falls to it. */
  direction: z.enum(['above', 'below']).default('above'),
  warning: z.number().optional(),
  critical: z.number().optional(),
  /** Hysteresis as a fraction of the level: an `above` alert at 2 s clears below 2 s x (1 - 0.1). */
  hysteresis: z.number().min(0).max(1).default(0.1),
  /** Consecutive evaluations past a level before it fires (or escalates). */
  forIntervals: z.number().int().min(1).default(1),
  /** Consecutive evaluations back past the clear level before it clears (or de-escalates). */
  clearIntervals: z.number().int().min(1).default(2),
  description: z.string().optional(),
});
export type AlertRule = z.input<typeof ruleSchema>;
type Rule = z.output<typeof ruleSchema>;

const thresholdsSchema = z.object({
  /** Seconds, on the mean response time (the sketch's response_time_warning / _critical). */
  responseTimeWarning: z.number().positive().default(2.0),
  responseTimeCritical: z.number().positive().default(5.0),
  errorRateWarning: z.number().min(0).max(1).default(0.05),
  errorRateCritical: z.number().min(0).max(1).default(0.15),
  /** The cache hit rate alerts when it falls BELOW these. */
  cacheHitRateWarning: z.number().min(0).max(1).default(0.7),
  cacheHitRateCritical: z.number().min(0).max(1).default(0.5),
});

const optionsSchema = z
  .object({
    /** The sketch's monitoring.alerting.thresholds (snake_case accepted); used when `rules` is absent. */
    thresholds: thresholdsSchema.default(thresholdsSchema.parse({})),
    /** Explicit rules; replace the threshold-derived ones (add them with `defaultRules()` if wanted). */
    rules: z.array(ruleSchema).optional(),
    /** Alert records kept (oldest dropped first). */
    maxHistory: z.number().int().min(1).max(100_000).default(1000),
    clock: z.custom<Clock>((v) => typeof v === 'function').optional(),
  })
  .loose();
export type AlertEngineOptions = z.input<typeof optionsSchema>;
export type AlertThresholds = z.input<typeof thresholdsSchema>;

/** One episode of an alert: from firing to clearing, with every change of severity in between. */
export interface AlertRecord {
  id: number;
  rule: string;
  metric: string;
  severity: AlertSeverity;
  peakSeverity: AlertSeverity;
  firedAt: number;
  clearedAt: number | undefined;
  /** Value when it fired, and the worst value seen while active. */
  value: number;
  worstValue: number;
  threshold: number;
  description: string | undefined;
  changes: Array<{ at: number; severity: AlertSeverity | 'cleared'; value: number }>;
}

export interface AlertEvents {
  fire: [record: AlertRecord];
  change: [record: AlertRecord];
  clear: [record: AlertRecord];
}

/** The rules the sketch's alerting thresholds describe. */
export function defaultRules(thresholds: AlertThresholds = {}): AlertRule[] {
  const t = thresholdsSchema.parse(thresholds);
  return [
    {
      name: 'response_time',
      metric: 'response_time_mean',
      direction: 'above',
      warning: t.responseTimeWarning * 1000,
      critical: t.responseTimeCritical * 1000,
      description: 'Mean response time (ms) over the interval',
    },
    {
      name: 'error_rate',
      metric: 'error_rate',
      direction: 'above',
      warning: t.errorRateWarning,
      critical: t.errorRateCritical,
      description: 'Share of failed requests over the interval',
    },
    {
      name: 'cache_hit_rate',
      metric: 'cache_hit_ratio',
      direction: 'below',
      warning: t.cacheHitRateWarning,
      critical: t.cacheHitRateCritical,
      description: 'Cache hit ratio over all tiers',
    },
  ];
}

interface RuleState {
  rule: Rule;
  level: Level;
  pendingUp: number;
  pendingDown: number;
  record: AlertRecord | undefined;
}

/**
 * Threshold alerts with warning and critical levels and hysteresis: a level fires after `forIntervals`
 * evaluations past it and clears only after `clearIntervals` evaluations back past the level minus the
 * hysteresis band, so a value hovering at the threshold does not flap. Every episode is recorded
 * (fired, escalated, cleared), emitted as `fire` / `change` / `clear` events, and exported as the
 * metrics `hp.monitor.alerts.active` (gauge) and `hp.monitor.alerts.fired` (counter).
 */
export class AlertEngine extends EventEmitter<AlertEvents> {
  private readonly _states: RuleState[];
  private readonly _history: AlertRecord[] = [];
  private readonly _maxHistory: number;
  private readonly _clock: Clock;
  private _nextId = 1;
  private _detach: (() => void) | undefined;
  private _gauge: ObservableGauge | undefined;
  private _counter: Counter | undefined;
  private readonly _observe = (result: { observe(v: number, a: Record<string, string>): void }) => {
    for (const s of this._states) {
      if (s.level > 0)
        result.observe(1, { 'hp.alert.name': s.rule.name, 'hp.alert.severity': SEVERITY[s.level as 1 | 2] });
    }
  };

  constructor(options: AlertEngineOptions = {}) {
    super();
    const o = parseOptions(optionsSchema, options, 'AlertEngine');
    const rules = (o.rules ?? defaultRules(o.thresholds)).map((r) => ruleSchema.parse(r));
    this._states = rules.map((rule) => ({ rule, level: 0, pendingUp: 0, pendingDown: 0, record: undefined }));
    this._maxHistory = o.maxHistory;
    this._clock = o.clock ?? systemClock;
  }

  /** Evaluates every rule against the values of one interval (NaN / missing values change nothing). */
  evaluate(values: Record<string, number>, now: number = this._clock()): AlertRecord[] {
    const changed: AlertRecord[] = [];
    for (const s of this._states) {
      const value = values[s.rule.metric];
      if (value === undefined || Number.isNaN(value)) continue;
      const target = this._target(s, value);
      if (target > s.level) {
        s.pendingDown = 0;
        s.pendingUp++;
        if (s.pendingUp >= s.rule.forIntervals) changed.push(this._move(s, target, value, now));
      } else if (target < s.level) {
        s.pendingUp = 0;
        s.pendingDown++;
        if (s.pendingDown >= s.rule.clearIntervals) changed.push(this._move(s, target, value, now));
      } else {
        s.pendingUp = 0;
        s.pendingDown = 0;
      }
      if (s.record && s.level > 0 && worse(s.rule, value, s.record.worstValue)) s.record.worstValue = value;
    }
    return changed;
  }

  /** Evaluates each interval the reader closes. Returns a detach function. */
  attach(reader: MetricsReader): () => void {
    this._detach?.();
    const off = reader.onInterval((snapshot) => this.evaluate(snapshot.values, snapshot.time));
    this._detach = off;
    return off;
  }

  /** Exports the alerts as metrics through `meter` (default: the global @hp/monitor meter). */
  instrument(meter: Meter = metrics.getMeter('@hp/monitor')): void {
    if (this._gauge) return;
    this._gauge = meter.createObservableGauge('hp.monitor.alerts.active', {
      description: 'Active alerts: 1 per alert and severity',
      unit: '{alert}',
    });
    this._gauge.addCallback(this._observe);
    this._counter = meter.createCounter('hp.monitor.alerts.fired', {
      description: 'Alerts fired or escalated',
      unit: '{alert}',
    });
  }

  /** Alerts active now, worst first. */
  active(): AlertRecord[] {
    return this._states
      .filter((s) => s.level > 0 && s.record)
      .sort((a, b) => b.level - a.level)
      .map((s) => s.record!);
  }

  /** Every episode kept, oldest first (active ones have clearedAt undefined). */
  history(): AlertRecord[] {
    return [...this._history];
  }

  rules(): AlertRule[] {
    return this._states.map((s) => ({ ...s.rule }));
  }

  close(): void {
    this._detach?.();
    this._detach = undefined;
    this._gauge?.removeCallback(this._observe);
    this.removeAllListeners();
  }

  private _target(s: RuleState, value: number): Level {
    const { rule } = s;
    const past = (level: number | undefined, band: boolean): boolean => {
      if (level === undefined) return false;
      if (rule.direction === 'above') return value >= (band ? level * (1 - rule.hysteresis) : level);
      return value <= (band ? level * (1 + rule.hysteresis) : level);
    };
    // A level holds while the value is past it, or (once reached) still within its hysteresis band.
    if (past(rule.critical, false) || (s.level >= 2 && past(rule.critical, true))) return 2;
    if (past(rule.warning, false) || (s.level >= 1 && past(rule.warning, true))) return 1;
    return 0;
  }

  private _move(s: RuleState, to: Level, value: number, now: number): AlertRecord {
    const from = s.level;
    s.level = to;
    s.pendingUp = 0;
    s.pendingDown = 0;
    if (from === 0) {
      const severity = SEVERITY[to as 1 | 2];
      const record: AlertRecord = {
        id: this._nextId++,
        rule: s.rule.name,
        metric: s.rule.metric,
        severity,
        peakSeverity: severity,
        firedAt: now,
        clearedAt: undefined,
        value,
        worstValue: value,
        threshold: (to === 2 ? s.rule.critical : s.rule.warning)!,
        description: s.rule.description,
        changes: [{ at: now, severity, value }],
      };
      s.record = record;
      this._history.push(record);
      if (this._history.length > this._maxHistory) this._history.shift();
      this._counter?.add(1, { 'hp.alert.name': s.rule.name, 'hp.alert.severity': severity });
      this.emit('fire', record);
      return record;
    }
    const record = s.record!;
    if (to === 0) {
      record.clearedAt = now;
      record.changes.push({ at: now, severity: 'cleared', value });
      s.record = undefined;
      this.emit('clear', record);
      return record;
    }
    const severity = SEVERITY[to as 1 | 2];
    record.severity = severity;
    record.threshold = (to === 2 ? s.rule.critical : s.rule.warning)!;
    if (to === 2) record.peakSeverity = 'critical';
    if (record.changes.length < 100) record.changes.push({ at: now, severity, value });
    if (to > from) this._counter?.add(1, { 'hp.alert.name': s.rule.name, 'hp.alert.severity': severity });
    this.emit('change', record);
    return record;
  }
}

function worse(rule: Rule, value: number, than: number): boolean {
  return rule.direction === 'above' ? value > than : value < than;
}

import { metrics, type Counter, type Histogram } from '@opentelemetry/api';

/**
 * `kept` / `rolled_back`: the safety gate's verdict on a change; `hard_rollback`: an alert fired after it;
 * `controlled`: a feedback controller's move (not gated); `reset`: the group's conditions shifted and its
 * knobs went back to the configured values.
 */
export type AuditDecision = 'kept' | 'rolled_back' | 'hard_rollback' | 'controlled' | 'reset';

/** One decision about one knob. */
export interface AuditEntry {
  /** Sequence number of the entry. */
  id: number;
  /** Entries of one group change share it. */
  changeId: number;
  group: string;
  knob: string;
  oldValue: number;
  newValue: number;
  /** Why the change was proposed (controller / tuner / model). */
  reason: string;
  /** Relative improvement of the objective expected when the change was proposed (NaN when unknown). */
  expectedImprovement: number;
  /** Relative improvement measured on the after window against the before window (NaN when unknown). */
  measuredImprovement: number;
  /** One-sided p-value of the safety gate's test (NaN when not gated). */
  pValue: number;
  decision: AuditDecision;
  /** Why it was kept or rolled back. */
  verdict: string;
  /** Predictor used to choose the change, if any. */
  model: string | undefined;
  appliedAt: number;
  decidedAt: number;
}

export type AuditListener = (entry: AuditEntry) => void;

/**
 * Bounded log of every optimizer decision, emitted as events (`onEntry`) and as OpenTelemetry metrics
 * through `@opentelemetry/api` (meter `@hp/optimizer`): `hp.optimizer.decisions` (counter by group,
 * knob, decision) and `hp.optimizer.improvement` (histogram of measured relative improvement).
 */
export class AuditLog {
  private readonly _entries: AuditEntry[] = [];
  private readonly _listeners = new Set<AuditListener>();
  private _nextId = 1;
  private readonly _decisions: Counter;
  private readonly _improvement: Histogram;

  constructor(private readonly _maxEntries = 1000) {
    const meter = metrics.getMeter('@hp/optimizer');
    this._decisions = meter.createCounter('hp.optimizer.decisions', {
      description: 'Optimizer decisions by group, knob and outcome',
    });
    this._improvement = meter.createHistogram('hp.optimizer.improvement', {
      description: 'Measured relative improvement of the objective after a change',
      unit: '1',
    });
  }

  record(entry: Omit<AuditEntry, 'id'>): AuditEntry {
    const full: AuditEntry = { id: this._nextId++, ...entry };
    this._entries.push(full);
    if (this._entries.length > this._maxEntries) this._entries.shift();
    this._decisions.add(1, {
      'hp.optimizer.group': full.group,
      'hp.optimizer.knob': full.knob,
      'hp.optimizer.decision': full.decision,
    });
    if (Number.isFinite(full.measuredImprovement)) {
      this._improvement.record(full.measuredImprovement, {
        'hp.optimizer.group': full.group,
        'hp.optimizer.decision': full.decision,
      });
    }
    for (const l of this._listeners) {
      try {
        l(full);
      } catch {
        // a listener's failure must not stop the optimizer
      }
    }
    return full;
  }

  /** Subscribes to new entries; returns the unsubscribe function. */
  onEntry(listener: AuditListener): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  entries(): readonly AuditEntry[] {
    return this._entries;
  }

  /** A one-line human summary per entry. */
  format(entry: AuditEntry): string {
    const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'n/a');
    return `${entry.knob} ${entry.oldValue} -> ${entry.newValue} ${entry.decision} (${entry.reason}; expected ${pct(entry.expectedImprovement)}, measured ${pct(entry.measuredImprovement)}; ${entry.verdict})`;
  }
}

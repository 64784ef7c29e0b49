import type { Agent } from './agent.js';
import { toCsv } from './csv.js';
import type { Model } from './model.js';

/** A reporter: an attribute name (read from the model or agent; a method is called) or a function. */
export type Reporter<T> = string | ((target: T) => unknown);

export interface DataCollectorOptions<M extends Model = Model, A extends Agent = Agent> {
  /** Model-level variables, one value per collect (Mesa's `model_reporters`). */
  modelReporters?: Record<string, Reporter<M>>;
  /** Agent-level variables, one row per agent per collect (Mesa's `agent_reporters`). */
  agentReporters?: Record<string, Reporter<A>>;
  /** Free-form tables: name -> column names (Mesa's `tables`). */
  tables?: Record<string, readonly string[]>;
}

export type Row = Record<string, unknown>;

/** Plain-data snapshot of everything collected (checkpoints, worker threads). */
export interface DataCollectorState {
  modelRows: Row[];
  agentRows: Row[];
  tables: Record<string, { columns: string[]; rows: Row[] }>;
}

export type DataKind = 'model' | 'agent' | { table: string };

/**
 * Collects model and agent variables over time (Mesa's `DataCollector`).
 *
 * `collect(model)` appends one model row `{ Step, ...modelReporters }` and, with agent reporters, one row
 * `{ Step, AgentID, ...agentReporters }` per live agent. Tables take rows through `addTableRow`. Everything
 * exports as rows, CSV (RFC 4180 quoting) or JSON.
 */
export class DataCollector<M extends Model = Model, A extends Agent = Agent> {
  private readonly _modelReporters: [string, Reporter<M>][];
  private readonly _agentReporters: [string, Reporter<A>][];
  private _modelRows: Row[] = [];
  private _agentRows: Row[] = [];
  private _tables = new Map<string, { columns: string[]; rows: Row[] }>();

  constructor(options: DataCollectorOptions<M, A> = {}) {
    this._modelReporters = Object.entries(options.modelReporters ?? {});
    this._agentReporters = Object.entries(options.agentReporters ?? {});
    for (const [name, columns] of Object.entries(options.tables ?? {})) {
      this._tables.set(name, { columns: [...columns], rows: [] });
    }
  }

  /** Records the model variables (and agent variables) at the model's current step. */
  collect(model: M): void {
    const step = model.steps;
    if (this._modelReporters.length > 0) {
      const row: Row = { Step: step };
      for (const [name, reporter] of this._modelReporters) row[name] = report(model, reporter);
      this._modelRows.push(row);
    }
    if (this._agentReporters.length > 0) {
      for (const agent of model.agents) {
        if (agent.removed) continue;
        const row: Row = { Step: step, AgentID: agent.uniqueId };
        for (const [name, reporter] of this._agentReporters) row[name] = report(agent as A, reporter);
        this._agentRows.push(row);
      }
    }
  }

  /** Appends a row to a table; missing columns throw unless `ignoreMissing` (then they are null). */
  addTableRow(table: string, row: Row, ignoreMissing = false): void {
    const t = this._tables.get(table);
    if (!t) throw new RangeError(`DataCollector: no table named "${table}" (declare it in options.tables)`);
    const out: Row = {};
    for (const column of t.columns) {
      if (!(column in row) && !ignoreMissing) {
        throw new RangeError(`DataCollector: row for table "${table}" has no column "${column}"`);
      }
      out[column] = row[column] ?? null;
    }
    t.rows.push(out);
  }

  /** Model variables, one row per collect: `{ Step, ...reporters }`. */
  modelVars(): Row[] {
    return this._modelRows;
  }

  /** Agent variables: `{ Step, AgentID, ...reporters }`. */
  agentVars(): Row[] {
    return this._agentRows;
  }

  /** One model variable over time. */
  modelSeries(name: string): unknown[] {
    return this._modelRows.map((row) => row[name]);
  }

  tableRows(table: string): Row[] {
    const t = this._tables.get(table);
    if (!t) throw new RangeError(`DataCollector: no table named "${table}"`);
    return t.rows;
  }

  toCSV(kind: DataKind = 'model'): string {
    if (kind === 'model') return toCsv(this._modelRows, ['Step', ...this._modelReporters.map(([n]) => n)]);
    if (kind === 'agent') {
      return toCsv(this._agentRows, ['Step', 'AgentID', ...this._agentReporters.map(([n]) => n)]);
    }
    const t = this._tables.get(kind.table);
    if (!t) throw new RangeError(`DataCollector: no table named "${kind.table}"`);
    return toCsv(t.rows, t.columns);
  }

  /** Everything collected, as a JSON string (`{ model, agent, tables }`). */
  toJSON(): { model: Row[]; agent: Row[]; tables: Record<string, Row[]> } {
    const tables: Record<string, Row[]> = {};
    for (const [name, t] of this._tables) tables[name] = t.rows;
    return { model: this._modelRows, agent: this._agentRows, tables };
  }

  getState(): DataCollectorState {
    const tables: DataCollectorState['tables'] = {};
    for (const [name, t] of this._tables)
      tables[name] = { columns: [...t.columns], rows: t.rows.map((r) => ({ ...r })) };
    return {
      modelRows: this._modelRows.map((r) => ({ ...r })),
      agentRows: this._agentRows.map((r) => ({ ...r })),
      tables,
    };
  }

  setState(state: DataCollectorState): void {
    this._modelRows = state.modelRows.map((r) => ({ ...r }));
    this._agentRows = state.agentRows.map((r) => ({ ...r }));
    this._tables = new Map(
      Object.entries(state.tables).map(([name, t]) => [name, { columns: [...t.columns], rows: [...t.rows] }]),
    );
  }
}

function report<T>(target: T, reporter: Reporter<T>): unknown {
  if (typeof reporter === 'function') return reporter(target);
  const value = (target as Record<string, unknown>)[reporter];
  if (value === undefined && !(reporter in (target as object))) {
    throw new RangeError(`DataCollector: reporter "${reporter}" names no attribute of ${String(target)}`);
  }
  return typeof value === 'function' ? (value as () => unknown).call(target) : value;
}

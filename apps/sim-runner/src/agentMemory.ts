/**
 * What an LLM agent remembers between steps: the most recent events (bounded) and a running summary of
 * everything older, both rendered into its prompt. Plain data, so it checkpoints with the model.
 *
 * Seam: the issue asks for the summary to live in the cache's agent-memory tier (@hp/cache); this class
 * keeps it in the agent until that tier is wired in (the interface stays `record` / `render` / state).
 */
export interface AgentMemoryState {
  recent: string[];
  counts: Record<string, number>;
}

export class AgentMemory {
  private readonly _limit: number;
  private _recent: string[] = [];
  private _counts: Record<string, number> = {};

  constructor(limit = 5) {
    this._limit = limit;
  }

  /** Remembers one event; `kind` is tallied in the summary once the event leaves the recent window. */
  record(kind: string, text: string): void {
    this._recent.push(`${kind}: ${text}`);
    if (this._recent.length > this._limit) {
      const old = this._recent.shift()!;
      const oldKind = old.slice(0, old.indexOf(':'));
      this._counts[oldKind] = (this._counts[oldKind] ?? 0) + 1;
    }
  }

  get recent(): readonly string[] {
    return this._recent;
  }

  /** One line summing up the events older than the recent window. */
  summary(): string {
    const parts = Object.entries(this._counts)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([kind, n]) => `${kind} x${n}`);
    return parts.length ? `earlier: ${parts.join(', ')}` : 'earlier: nothing';
  }

  /** The memory as prompt text. */
  render(): string {
    return `${this.summary()}\nrecent: ${this._recent.length ? this._recent.join('; ') : 'nothing yet'}`;
  }

  getState(): AgentMemoryState {
    return { recent: [...this._recent], counts: { ...this._counts } };
  }

  setState(state: AgentMemoryState): void {
    this._recent = [...state.recent];
    this._counts = { ...state.counts };
  }
}

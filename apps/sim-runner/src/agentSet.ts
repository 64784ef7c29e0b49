import type { Agent, AgentClass } from './agent.js';
import { GroupBy } from './groupBy.js';
import type { Rng } from './rng.js';

/** Names of the methods of `A` (for `do('step')`, `map('wealth')`, ...). */
export type MethodName<A> = {
  [K in keyof A]: A[K] extends (...args: never[]) => unknown ? K : never;
}[keyof A] &
  string;

/** Names of the non-method properties of `A`. */
export type AttributeName<A> = {
  [K in keyof A]: A[K] extends (...args: never[]) => unknown ? never : K;
}[keyof A] &
  string;

export type AgentAction<A> = MethodName<A> | ((agent: A) => unknown);

export interface SelectOptions<A extends Agent> {
  /** At most this many agents (an integer), or this fraction of them (0 < x < 1). */
  atMost?: number;
  /** Only agents of this class (or a subclass). */
  agentType?: AgentClass<A>;
  /** Change this set instead of returning a new one. */
  inplace?: boolean;
}

export interface DoAsyncOptions<A extends Agent, D> {
  /** How many decisions may be pending at once (default 8). */
  concurrency?: number;
  signal?: AbortSignal;
  /** The waiting half; default `agent.decide(signal)`. Must only read the model. */
  decide?: (agent: A, signal: AbortSignal) => Promise<D>;
  /** The acting half; default `agent.apply(decision)`. Runs in activation order. */
  apply?: (agent: A, decision: D) => void;
}

export interface DoAsyncResult {
  /** Agents whose decision was applied. */
  applied: number;
  /** Agents skipped because an earlier agent's `apply` removed them. */
  skipped: number;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** Calls with up to this many arguments get a compiled loop; more go through `apply`. */
const MAX_COMPILED_ARGS = 4;
const RUNNERS = new Map<string, (agents: readonly Agent[], args: readonly unknown[]) => void>();

/**
 * A loop calling `agent.<name>(...args)` on every live agent, compiled once per method name and argument
 * count. A call by a name held in a variable (`agent[name]()`) shares one call site between all names and
 * turns megamorphic (a slow generic lookup per agent); a loop per name keeps a monomorphic, inlinable call.
 * The arguments are read once, before the loop. `name` is checked to be a plain identifier before it is
 * spliced into the source.
 */
function methodRunner(
  name: string,
  argc: number,
): (agents: readonly Agent[], args: readonly unknown[]) => void {
  const key = `${name}/${argc}`;
  let run = RUNNERS.get(key);
  if (!run) {
    const params = Array.from({ length: argc }, (_, i) => `a${i}`);
    run = new Function(
      'agents',
      'args',
      `${params.map((p, i) => `const ${p} = args[${i}];`).join('\n')}
      for (let i = 0; i < agents.length; i++) {
        const agent = agents[i];
        if (agent.removed) continue;
        if (typeof agent.${name} !== 'function') throw new TypeError(String(agent) + ' has no method "${name}"');
        agent.${name}(${params.join(', ')});
      }`,
    ) as (agents: readonly Agent[], args: readonly unknown[]) => void;
    RUNNERS.set(key, run);
  }
  return run;
}

/**
 * An ordered set of agents (Mesa's `AgentSet`): iterate it, call a method on every agent (`do`,
 * `shuffleDo`), filter (`select`), sort, read attributes (`get`, `agg`) and group (`groupBy`).
 *
 * The set is backed by a `Set` (O(1) add/remove, insertion order) and a cached array rebuilt only after a
 * change, so `do()` on 100,000 agents costs one loop. Agents removed while an operation runs are skipped.
 *
 * Async steps (`doAsync`, `shuffleDoAsync`) split every agent's step in two halves: all `decide()` calls
 * run first, at most `concurrency` at a time (LLM calls overlap), and only read the model; then every
 * `apply()` runs in activation order. Whatever order the decisions come back in, the model changes in
 * the same order for the same seed, so the run is reproducible. An `apply` sees the effects of the
 * agents activated before it and must re-check its decision against them (e.g. "give 1 unit" when the
 * wealth has meanwhile become 0). This is Mesa's simultaneous activation (`step` then `advance`) with
 * the `step` half running concurrently.
 */
export class AgentSet<A extends Agent = Agent> implements Iterable<A> {
  private readonly _set: Set<A>;
  private _array: A[] | null = null;
  private readonly _rng: Rng | undefined;

  constructor(agents: Iterable<A> = [], rng?: Rng) {
    this._set = new Set(agents);
    this._rng = rng;
  }

  get length(): number {
    return this._set.size;
  }

  [Symbol.iterator](): Iterator<A> {
    return this.toArray()[Symbol.iterator]();
  }

  /** The agents in order (a cached array: do not mutate it). */
  toArray(): readonly A[] {
    return (this._array ??= [...this._set]);
  }

  at(index: number): A | undefined {
    return this.toArray().at(index);
  }

  has(agent: A): boolean {
    return this._set.has(agent);
  }

  add(agent: A): this {
    if (!this._set.has(agent)) {
      this._set.add(agent);
      this._array = null;
    }
    return this;
  }

  /** Removes `agent` if present. */
  discard(agent: A): this {
    if (this._set.delete(agent)) this._array = null;
    return this;
  }

  /** Removes `agent`; throws if it is not in the set. */
  remove(agent: A): this {
    if (!this._set.delete(agent)) throw new RangeError(`${String(agent)} is not in this AgentSet`);
    this._array = null;
    return this;
  }

  /** Calls a method (by name, with `args`) or a function on every agent, in order. */
  do<K extends MethodName<A>>(action: K | ((agent: A) => unknown), ...args: unknown[]): this {
    this._run(this.toArray(), action, args);
    return this;
  }

  /** Like `do`, in an order shuffled by the model's generator (the usual random activation). */
  shuffleDo<K extends MethodName<A>>(action: K | ((agent: A) => unknown), ...args: unknown[]): this {
    this._run(this._shuffled(), action, args);
    return this;
  }

  /** Calls a method or function on every agent and returns the results. */
  map<R>(action: MethodName<A> | ((agent: A) => R), ...args: unknown[]): R[] {
    const out: R[] = [];
    for (const agent of this.toArray()) {
      if (agent.removed) continue;
      out.push(
        typeof action === 'function'
          ? action(agent)
          : (agent[action] as unknown as (...a: unknown[]) => R).apply(agent, args),
      );
    }
    return out;
  }

  /**
   * The asynchronous step of every agent with bounded concurrency, effects in activation order (see the
   * class comment). Rejects with the first decision error after the other pending decisions settled;
   * nothing is applied then.
   */
  async doAsync<D = unknown>(options: DoAsyncOptions<A, D> = {}): Promise<DoAsyncResult> {
    return this._runAsync(this.toArray().slice(), options);
  }

  /** `doAsync` in an order shuffled by the model's generator (the shuffle happens before any decision). */
  async shuffleDoAsync<D = unknown>(options: DoAsyncOptions<A, D> = {}): Promise<DoAsyncResult> {
    return this._runAsync(this._shuffled(), options);
  }

  /** The agents that pass `filter` (all if absent), optionally at most some and only of one class. */
  select(filter?: (agent: A) => boolean, options: SelectOptions<A> = {}): AgentSet<A> {
    const { atMost = Infinity, agentType, inplace = false } = options;
    const limit = atMost > 0 && atMost < 1 ? Math.floor(atMost * this.length) : atMost;
    const out: A[] = [];
    for (const agent of this.toArray()) {
      if (out.length >= limit) break;
      if (agent.removed) continue;
      if (agentType && !(agent instanceof agentType)) continue;
      if (filter && !filter(agent)) continue;
      out.push(agent);
    }
    return this._result(out, inplace);
  }

  /** The agents of one class (or subclass). */
  getByType<T extends A>(type: AgentClass<T>): AgentSet<T> {
    return this.select(undefined, { agentType: type }) as unknown as AgentSet<T>;
  }

  /** A shuffled copy (or this set, shuffled, with `inplace`). */
  shuffle(inplace = false): AgentSet<A> {
    return this._result(this._shuffled(), inplace);
  }

  /** Sorted by an attribute or a key function. */
  sort(
    key: AttributeName<A> | ((agent: A) => number | string),
    options: { ascending?: boolean; inplace?: boolean } = {},
  ): AgentSet<A> {
    const { ascending = true, inplace = false } = options;
    const keyOf = typeof key === 'function' ? key : (a: A) => a[key] as unknown as number | string;
    const sign = ascending ? 1 : -1;
    const sorted = this.toArray()
      .slice()
      .sort((a, b) => {
        const ka = keyOf(a);
        const kb = keyOf(b);
        return ka < kb ? -sign : ka > kb ? sign : 0;
      });
    return this._result(sorted, inplace);
  }

  /** The value of one attribute for every agent. */
  get<K extends AttributeName<A>>(attribute: K): A[K][] {
    const out: A[K][] = [];
    for (const agent of this.toArray()) if (!agent.removed) out.push(agent[attribute]);
    return out;
  }

  /** Sets one attribute on every agent. */
  set<K extends AttributeName<A>>(attribute: K, value: A[K]): this {
    for (const agent of this.toArray()) agent[attribute] = value;
    return this;
  }

  /** Aggregates an attribute (or a value computed per agent) with `func`, e.g. `agg('wealth', sum)`. */
  agg<K extends AttributeName<A>, R>(attribute: K, func: (values: A[K][]) => R): R;
  agg<V, R>(attribute: (agent: A) => V, func: (values: V[]) => R): R;
  agg<R>(attribute: AttributeName<A> | ((agent: A) => unknown), func: (values: never[]) => R): R {
    const values = typeof attribute === 'function' ? this.map(attribute) : this.get(attribute);
    return func(values as never[]);
  }

  /** Groups the agents by an attribute or a key function. */
  groupBy<K>(by: AttributeName<A> | ((agent: A) => K)): GroupBy<A, K> {
    const keyOf = typeof by === 'function' ? by : (a: A) => a[by] as unknown as K;
    const groups = new Map<K, A[]>();
    for (const agent of this.toArray()) {
      if (agent.removed) continue;
      const key = keyOf(agent);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      group.push(agent);
    }
    const sets = new Map<K, AgentSet<A>>();
    for (const [key, group] of groups) sets.set(key, new AgentSet(group, this._rng));
    return new GroupBy(sets);
  }

  private _run(agents: readonly A[], action: AgentAction<A>, args: unknown[]): void {
    if (typeof action === 'function') {
      for (let i = 0; i < agents.length; i++) {
        const agent = agents[i]!;
        if (!agent.removed) action(agent);
      }
      return;
    }
    if (args.length <= MAX_COMPILED_ARGS && IDENTIFIER.test(action)) {
      methodRunner(action, args.length)(agents, args);
      return;
    }
    for (let i = 0; i < agents.length; i++) {
      const agent = agents[i]!;
      if (agent.removed) continue;
      const method = agent[action] as unknown as (...a: unknown[]) => unknown;
      if (typeof method !== 'function') throw new TypeError(`${String(agent)} has no method "${action}"`);
      method.apply(agent, args);
    }
  }

  private _shuffled(): A[] {
    if (!this._rng)
      throw new Error('this AgentSet has no generator: create it with the model rng to shuffle');
    return this._rng.shuffle(this.toArray().slice());
  }

  private _result(agents: A[], inplace: boolean): AgentSet<A> {
    if (!inplace) return new AgentSet(agents, this._rng);
    this._set.clear();
    for (const agent of agents) this._set.add(agent);
    this._array = null;
    return this;
  }

  private async _runAsync<D>(agents: A[], options: DoAsyncOptions<A, D>): Promise<DoAsyncResult> {
    const concurrency = options.concurrency ?? 8;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`doAsync: concurrency must be a positive integer, got ${concurrency}`);
    }
    const decide = options.decide ?? ((agent: A, signal: AbortSignal) => agent.decide(signal) as Promise<D>);
    const apply = options.apply ?? ((agent: A, decision: D) => agent.apply(decision));
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.throwIfAborted();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const decisions = new Array<D>(agents.length);
    let next = 0;
    let failure: { error: unknown } | undefined;
    const lane = async () => {
      while (!failure && next < agents.length) {
        const index = next++;
        const agent = agents[index]!;
        if (agent.removed) continue;
        try {
          decisions[index] = await decide(agent, controller.signal);
        } catch (error) {
          if (!failure) failure = { error };
          controller.abort(error);
        }
      }
    };
    try {
      const lanes: Promise<void>[] = [];
      for (let i = 0; i < Math.min(concurrency, agents.length); i++) lanes.push(lane());
      await Promise.all(lanes);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    if (failure) throw failure.error;
    options.signal?.throwIfAborted();
    let applied = 0;
    let skipped = 0;
    for (let i = 0; i < agents.length; i++) {
      const agent = agents[i]!;
      if (agent.removed) {
        skipped++;
        continue;
      }
      apply(agent, decisions[i]!);
      applied++;
    }
    return { applied, skipped };
  }
}

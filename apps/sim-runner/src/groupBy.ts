import type { Agent } from './agent.js';
import type { AgentSet, AttributeName, MethodName } from './agentSet.js';

/** Agents grouped by a key (Mesa's `GroupBy`, returned by `AgentSet.groupBy`). */
export class GroupBy<A extends Agent, K> implements Iterable<[K, AgentSet<A>]> {
  readonly groups: ReadonlyMap<K, AgentSet<A>>;

  constructor(groups: Map<K, AgentSet<A>>) {
    this.groups = groups;
  }

  [Symbol.iterator](): Iterator<[K, AgentSet<A>]> {
    return this.groups[Symbol.iterator]();
  }

  /** Number of agents per group. */
  count(): Map<K, number> {
    return this._each((set) => set.length);
  }

  /** Applies `func` to each group's AgentSet. */
  map<R>(func: (group: AgentSet<A>, key: K) => R): Map<K, R> {
    return this._each(func);
  }

  /** Calls a method (by name) or a function on every agent of every group. */
  do(action: MethodName<A> | ((agent: A) => unknown), ...args: unknown[]): this {
    for (const set of this.groups.values()) set.do(action, ...args);
    return this;
  }

  /** Aggregates an attribute per group, e.g. `agg('wealth', mean)`. */
  agg<V, R>(attribute: AttributeName<A> | ((agent: A) => V), func: (values: V[]) => R): Map<K, R> {
    return this._each((set) => set.agg(attribute as (agent: A) => V, func));
  }

  private _each<R>(func: (group: AgentSet<A>, key: K) => R): Map<K, R> {
    const out = new Map<K, R>();
    for (const [key, set] of this.groups) out.set(key, func(set, key));
    return out;
  }
}

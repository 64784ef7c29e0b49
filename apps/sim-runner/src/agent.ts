import type { Model } from './model.js';
import type { Rng } from './rng.js';

/** A cell of a grid: `[x, y]`. */
export type GridPos = readonly [number, number];
/** A node of a network. */
export type NodeId = number | string;
/** Where a space has put an agent (set by the space, `null` when the agent is in none). */
export type Position = GridPos | NodeId;

/** A space that holds agents (grids, networks): `agent.remove()` takes the agent out of it. */
export interface AgentSpace {
  removeAgent(agent: Agent): void;
}

/**
 * The space holding each placed agent, kept outside the agent so that agent objects stay small (they are
 * touched in random order every step; their size shows in the time per step of large models).
 */
export const AGENT_SPACES = new WeakMap<Agent, AgentSpace>();

export interface AgentOptions {
  /** Only for restoring a checkpoint: reuse this id instead of drawing the model's next one. */
  uniqueId?: number;
}

/**
 * The base class of every agent (Mesa's `mesa.Agent`).
 *
 * Creating an agent registers it with its model (`model.agents`, `model.agentsByType`) under a unique id;
 * `remove()` deregisters it (and removes it from a space if it is in one). Override `step()` for a plain,
 * synchronous agent. An agent that waits for something (an LLM call) overrides `decide()` and `apply()`:
 * `decide` runs concurrently with other agents' decisions and must only read the model; `apply` changes
 * the model and always runs in activation order (see `AgentSet.doAsync`). `stepAsync()` is `decide` then
 * `apply` for one agent on its own.
 */
export class Agent<M extends Model = Model> {
  readonly uniqueId: number;
  readonly model: M;
  /** Position in a space (grid cell or network node); maintained by the space. */
  pos: Position | null = null;
  /** Index of the grid cell holding the agent (-1 when on no grid); maintained by the grid, read its hot paths. */
  cellIndex = -1;
  /** True once `remove()` was called; removed agents are skipped by AgentSet operations. */
  readonly removed: boolean = false;

  constructor(model: M, options: AgentOptions = {}) {
    this.model = model;
    this.uniqueId = options.uniqueId ?? model.nextId();
    model.registerAgent(this);
  }

  /** The model's seeded generator (Mesa's `agent.random`). */
  get random(): Rng {
    return this.model.rng;
  }

  /** Removes the agent from its model (and from the space that holds it). Idempotent. */
  remove(): void {
    if (this.removed) return;
    (this as { removed: boolean }).removed = true;
    AGENT_SPACES.get(this)?.removeAgent(this);
    this.model.deregisterAgent(this);
  }

  /** One synchronous step. The default does nothing. */
  step(): void {}

  /**
   * The waiting half of an asynchronous step: observe the model and compute a decision (e.g. ask an LLM).
   * Must not change the model: decisions of several agents run at the same time. The default returns undefined.
   */
  async decide(_signal?: AbortSignal): Promise<unknown> {
    return undefined;
  }

  /** The acting half of an asynchronous step: apply `decision` to the model. The default calls `step()`. */
  apply(_decision: unknown): void {
    this.step();
  }

  /** `decide` then `apply`, for this agent alone. */
  async stepAsync(signal?: AbortSignal): Promise<void> {
    this.apply(await this.decide(signal));
  }

  toString(): string {
    return `${this.constructor.name}(${this.uniqueId})`;
  }
}

/** The constructor of an agent class, used as the key of `model.agentsByType`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AgentClass<A extends Agent = Agent> = abstract new (...args: any[]) => A;

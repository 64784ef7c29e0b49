import { type Agent, type AgentClass } from './agent.js';
import { AgentSet } from './agentSet.js';
import { Rng, randomSeed, type RngState } from './rng.js';

export interface ModelOptions {
  /** Seed of the model's generator; drawn from the OS when absent, and recorded in `model.seed` either way. */
  seed?: number;
}

export interface RunModelOptions {
  /** Stop once `model.steps` reaches this number (absolute, so a resumed model stops where the original would). */
  maxSteps?: number;
  signal?: AbortSignal;
  /** Called after every step (progress bars, data collection outside the model). */
  onStep?: (model: Model) => void | Promise<void>;
}

/** The model's own bookkeeping, saved in every checkpoint. */
export interface ModelCoreState {
  seed: number;
  rng: RngState;
  steps: number;
  running: boolean;
  nextId: number;
}

/**
 * The base class of a model (Mesa 3's `mesa.Model`).
 *
 * - `seed` is recorded and drives `rng` (sfc32, see rng.ts): the same seed gives the same run.
 * - `step()` is yours to override; calling it increments `steps` first (Mesa 3 wraps `step` the same way).
 *   A model whose agents wait on I/O overrides `stepAsync()` instead (e.g. `await this.agents.shuffleDoAsync()`).
 * - `runModel()` steps until `running` is false or `maxSteps` is reached.
 * - Agents register themselves on creation: `agents` (all, live), `agentsByType`, `agentTypes`.
 *
 * Subclasses must declare `step`/`stepAsync` as methods (not arrow-function fields), since the wrapping
 * happens in this constructor.
 */
export class Model {
  readonly seed: number;
  readonly rng: Rng;
  /** Number of steps taken so far. */
  steps = 0;
  /** Set to false to stop `runModel()`. */
  running = true;
  private _nextId = 1;
  private readonly _agents: AgentSet<Agent>;
  private readonly _byType = new Map<AgentClass, AgentSet<Agent>>();
  private readonly _userStep: () => void;

  constructor(options: ModelOptions = {}) {
    this.seed = (options.seed ?? randomSeed()) >>> 0;
    this.rng = new Rng(this.seed);
    this._agents = new AgentSet<Agent>([], this.rng);
    const userStep = this.step;
    const userStepAsync = this.stepAsync;
    this._userStep = userStep;
    this.step = () => {
      this.steps++;
      userStep.call(this);
    };
    this.stepAsync = async (signal?: AbortSignal) => {
      this.steps++;
      await userStepAsync.call(this, signal);
    };
  }

  /** One step of the model. The default does nothing. */
  step(): void {}

  /** One step that may wait (LLM agents). The default runs `step()`. */
  async stepAsync(_signal?: AbortSignal): Promise<void> {
    this._userStep.call(this);
  }

  /** Runs `stepAsync()` until `running` is false, `maxSteps` is reached or `signal` aborts (then it throws). */
  async runModel(options: RunModelOptions = {}): Promise<void> {
    const { maxSteps = Infinity, signal, onStep } = options;
    while (this.running && this.steps < maxSteps) {
      signal?.throwIfAborted();
      await this.stepAsync(signal);
      if (onStep) await onStep(this);
    }
  }

  /** The next unique agent id (1, 2, 3, ...). */
  nextId(): number {
    return this._nextId++;
  }

  /** All agents (a live set, in creation order). */
  get agents(): AgentSet<Agent> {
    return this._agents;
  }

  /** Agents by their class (live sets). */
  get agentsByType(): ReadonlyMap<AgentClass, AgentSet<Agent>> {
    return this._byType;
  }

  get agentTypes(): AgentClass[] {
    return [...this._byType.keys()];
  }

  /** The live set of agents of one class (empty if none was created). */
  agentsOfType<A extends Agent>(type: AgentClass<A>): AgentSet<A> {
    return (this._byType.get(type) as AgentSet<A> | undefined) ?? new AgentSet<A>([], this.rng);
  }

  /** Called by the Agent constructor. */
  registerAgent(agent: Agent): void {
    this._agents.add(agent);
    const type = agent.constructor as AgentClass;
    let set = this._byType.get(type);
    if (!set) {
      set = new AgentSet<Agent>([], this.rng);
      this._byType.set(type, set);
    }
    set.add(agent);
    if (agent.uniqueId >= this._nextId) this._nextId = agent.uniqueId + 1;
  }

  /** Called by `agent.remove()`. */
  deregisterAgent(agent: Agent): void {
    this._agents.discard(agent);
    this._byType.get(agent.constructor as AgentClass)?.discard(agent);
  }

  /** Removes every agent (e.g. before restoring a checkpoint). */
  removeAllAgents(): void {
    for (const agent of this._agents.toArray()) agent.remove();
  }

  /** The model's own bookkeeping (seed, generator state, steps, next id) for checkpoints. */
  coreState(): ModelCoreState {
    return {
      seed: this.seed,
      rng: this.rng.getState(),
      steps: this.steps,
      running: this.running,
      nextId: this._nextId,
    };
  }

  /** Restores what `coreState()` returned (the seed must match: it names the run). */
  restoreCoreState(state: ModelCoreState): void {
    if (state.seed >>> 0 !== this.seed) {
      throw new Error(
        `checkpoint was taken from a model with seed ${state.seed}, this model has seed ${this.seed}: ` +
          'create the model with the checkpoint seed before restoring',
      );
    }
    this.rng.setState(state.rng);
    this.steps = state.steps;
    this.running = state.running;
    this._nextId = state.nextId;
  }

  /**
   * The model's own state for a checkpoint (agents, space, data collector): override together with
   * `loadState()` to make a model checkpointable. Must be plain data (CBOR/JSON-encodable).
   */
  saveState(): unknown {
    throw new Error(
      `${this.constructor.name} does not support checkpoints: override saveState() and loadState()`,
    );
  }

  /** Rebuilds the model's state from what `saveState()` returned. */
  loadState(_state: unknown): void {
    throw new Error(
      `${this.constructor.name} does not support checkpoints: override saveState() and loadState()`,
    );
  }
}

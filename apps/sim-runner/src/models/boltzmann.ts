import { Agent } from '../agent.js';
import { DataCollector, type DataCollectorState } from '../dataCollector.js';
import { Model } from '../model.js';
import { MultiGrid } from '../spaces/grid.js';
import { gini } from './gini.js';

export interface BoltzmannOptions {
  /** Number of agents (default 100). */
  n?: number;
  /** Grid size (default 10 x 10, a torus). Ignored without `spatial`. */
  width?: number;
  height?: number;
  /** Agents live on a grid, move to a random Moore neighbour cell and give to a cellmate (default true).
   *  When false, an agent gives to any random agent (possibly itself), as in the tutorial's first version. */
  spatial?: boolean;
  seed?: number;
  /** Collect agent wealth every step too (default false: only the Gini). */
  collectAgents?: boolean;
  /** Collect data at all (default true; benchmarks of the step itself turn it off). */
  collect?: boolean;
  /** Bound on concurrent `decide()` calls in `stepAsync` (default 8). */
  concurrency?: number;
  /** Wraps each agent's decision in `stepAsync` (instrumentation: the runner times decisions with it). */
  decide?: (agent: MoneyAgent, signal: AbortSignal) => Promise<unknown>;
}

const MOORE = { moore: true, includeCenter: false } as const;

/** A Boltzmann wealth agent: starts with 1 unit and gives 1 unit away per step while it has any. */
export class MoneyAgent extends Agent<BoltzmannModel> {
  wealth = 1;

  /** Move to a random neighbouring cell (Moore, without the centre). `model`: see `giveToAnyAgent`. */
  move(model: BoltzmannModel = this.model): void {
    const grid = model.grid;
    if (!grid) return;
    // Same cell and draws as rng.choice(grid.getNeighborhood(pos, MOORE)), without building the list.
    grid.moveAgent(this, grid.randomNeighborhoodCell(this, model.rng, MOORE));
  }

  /** Give 1 unit to a random cellmate (spatial) or a random agent (non-spatial). */
  giveMoney(): void {
    if (this.model.grid) this.giveToCellmate();
    else this.giveToAnyAgent();
  }

  /** Give 1 unit to a random cellmate other than this agent (spatial), if there is one. `model`: see `giveToAnyAgent`. */
  giveToCellmate(model: BoltzmannModel = this.model): void {
    if (this.wealth <= 0) return;
    const cellmates = model.grid!.cellContentsOf(this);
    if (cellmates.length < 2) return;
    // A random cellmate other than this agent, drawn like Mesa's `cellmates.pop(self); choice(cellmates)`.
    const at = cellmates.indexOf(this);
    let k = model.rng.int(cellmates.length - 1);
    if (k >= at) k++;
    cellmates[k]!.wealth++;
    this.wealth--;
  }

  /**
   * Give 1 unit to a random agent, possibly itself (the tutorial's first, non-spatial version).
   *
   * `model` is `this.model`; the model's step passes it (`shuffleDo('giveToAnyAgent', this)`). Agents are
   * visited in random order, so each is a cache miss: reaching the model (its generator, its agent list)
   * through `this.model` makes the draw and the recipient's access wait for that miss, where with the model
   * at hand the processor overlaps them (measured: about 1.5x against 1.15-1.25x of a hand-written loop).
   */
  giveToAnyAgent(model: BoltzmannModel = this.model): void {
    if (this.wealth <= 0) return;
    const all = model.moneyAgents;
    all[model.rng.int(all.length)]!.wealth++;
    this.wealth--;
  }

  /** Non-spatial classic: one step = give. Spatial: the model calls `move` then `giveToCellmate` (tutorial order). */
  override step(): void {
    if (this.model.grid) this.giveToCellmate();
    else this.giveToAnyAgent();
  }

  /** The asynchronous path: nothing to wait for; `apply` moves (the model gives afterwards). */
  override apply(): void {
    this.move();
  }
}

interface BoltzmannState {
  agents: { id: number; wealth: number }[];
  cells: [number, number, number[]][];
  dataCollector: DataCollectorState;
}

/**
 * The Boltzmann wealth model of Mesa's tutorial: every agent starts with 1 unit; each step, in random
 * order, every agent moves to a neighbouring cell, then every agent with wealth gives 1 unit to a random
 * cellmate. Wealth ends up exponentially distributed: the Gini coefficient rises from 0 and levels off
 * around 0.6 (the discrete steady state for the tutorial's 100 agents on 10 x 10).
 *
 * `step()` is the synchronous tutorial step; `stepAsync()` goes through `shuffleDoAsync` with the same
 * order of random draws, so both give identical runs for one seed.
 */
export class BoltzmannModel extends Model {
  readonly numAgents: number;
  readonly grid: MultiGrid<MoneyAgent> | null;
  readonly dataCollector: DataCollector<BoltzmannModel, MoneyAgent>;
  readonly concurrency: number;
  private readonly _decide: BoltzmannOptions['decide'];
  private readonly _collect: boolean;
  /** The agents as a plain array, in creation order (the non-spatial choice draws from it). */
  moneyAgents: MoneyAgent[] = [];

  constructor(options: BoltzmannOptions = {}) {
    super({ seed: options.seed });
    const {
      n = 100,
      width = 10,
      height = 10,
      spatial = true,
      collectAgents = false,
      concurrency = 8,
    } = options;
    this.numAgents = n;
    this.concurrency = concurrency;
    this._decide = options.decide;
    this._collect = options.collect ?? true;
    this.grid = spatial ? new MultiGrid<MoneyAgent>({ width, height, torus: true }) : null;
    for (let i = 0; i < n; i++) {
      const agent = new MoneyAgent(this);
      this.moneyAgents.push(agent);
      if (this.grid) this.grid.placeAgent(agent, [this.rng.int(width), this.rng.int(height)]);
    }
    this.dataCollector = new DataCollector<BoltzmannModel, MoneyAgent>({
      modelReporters: { Gini: (m) => m.gini() },
      agentReporters: collectAgents ? { Wealth: 'wealth' } : {},
    });
  }

  gini(): number {
    return gini(this.moneyAgents.map((a) => a.wealth));
  }

  override step(): void {
    if (this._collect) this.dataCollector.collect(this);
    if (this.grid) {
      const agents = this.agentsOfType(MoneyAgent);
      agents.shuffleDo('move', this);
      agents.do('giveToCellmate', this);
    } else {
      this.agentsOfType(MoneyAgent).shuffleDo('giveToAnyAgent', this);
    }
  }

  override async stepAsync(signal?: AbortSignal): Promise<void> {
    if (this._collect) this.dataCollector.collect(this);
    if (this.grid) {
      const agents = this.agentsOfType(MoneyAgent);
      await agents.shuffleDoAsync({ concurrency: this.concurrency, signal, decide: this._decide });
      agents.do('giveToCellmate', this);
    } else {
      this.agentsOfType(MoneyAgent).shuffleDo('giveToAnyAgent', this);
    }
  }

  override saveState(): BoltzmannState {
    const cells: [number, number, number[]][] = [];
    if (this.grid) {
      for (const [contents, [x, y]] of this.grid.coordIter()) {
        if (contents.length > 0) cells.push([x, y, contents.map((a) => a.uniqueId)]);
      }
    }
    return {
      agents: this.moneyAgents.map((a) => ({ id: a.uniqueId, wealth: a.wealth })),
      cells,
      dataCollector: this.dataCollector.getState(),
    };
  }

  override loadState(raw: unknown): void {
    const state = raw as BoltzmannState;
    this.removeAllAgents();
    this.moneyAgents = [];
    const byId = new Map<number, MoneyAgent>();
    for (const { id, wealth } of state.agents) {
      const agent = new MoneyAgent(this, { uniqueId: id });
      agent.wealth = wealth;
      this.moneyAgents.push(agent);
      byId.set(id, agent);
    }
    if (this.grid) {
      for (const [x, y, ids] of state.cells)
        for (const id of ids) this.grid.placeAgent(byId.get(id)!, [x, y]);
    }
    this.dataCollector.setState(state.dataCollector);
  }
}

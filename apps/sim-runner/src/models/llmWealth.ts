import type { LlmRequest } from '@hp/llm';
import { z } from 'zod';
import { Agent, type GridPos } from '../agent.js';
import { AgentMemory, type AgentMemoryState } from '../agentMemory.js';
import { DataCollector, type DataCollectorState } from '../dataCollector.js';
import { Model } from '../model.js';
import { MultiGrid } from '../spaces/grid.js';
import { gini } from './gini.js';

/**
 * What the model needs from an LLM client: `complete` as @hp/llm's `LlmClient` has it (cache, queue, rate
 * limits, pool and retries behind it). Structural, so a test double or another client fits too.
 */
export interface DecisionClient {
  complete(
    request: LlmRequest,
    settings?: { signal?: AbortSignal; key?: string; priority?: number },
  ): Promise<{ choices: readonly { content: string | null }[]; cached?: boolean }>;
}

/**
 * Where agents keep their memory summary between steps: @hp/cache's `TieredCache` fits (keys containing
 * `agent_memory` go to its hot tier by the sketch's level rules). Without one, the summary lives in the agent.
 */
export interface MemoryTier {
  get(key: string, options?: { signal?: AbortSignal }): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
}

export const ACTIONS = ['give', 'keep', 'move'] as const;
export type Action = (typeof ACTIONS)[number];

const answerSchema = z.object({ action: z.enum(ACTIONS), reason: z.string().max(2000).optional() });

/** What an agent sees when it decides: taken synchronously, so a pipelined decision sees a fixed state. */
export interface Observation {
  wealth: number;
  mates: number[];
  recent: string[];
  summary: string;
}

/** One agent's decision for a step, with how it was obtained. */
export interface Decision {
  action: Action;
  /** Served without a request of its own (cache hit or joined identical call). */
  cached: boolean;
  /** The answer could not be parsed or validated; `action` is the fallback `keep`. */
  malformed: boolean;
  /** The call failed (after the client's retries); `action` is the fallback `keep`. */
  failed: boolean;
}

/** Reads a decision from an answer: the first JSON object in it, validated. Returns null when malformed. */
export function parseDecision(content: string | null | undefined): Action | null {
  if (!content) return null;
  const start = content.indexOf('{');
  const end = content.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  try {
    const parsed = answerSchema.safeParse(JSON.parse(content.slice(start, end + 1)));
    return parsed.success ? parsed.data.action : null;
  } catch {
    return null;
  }
}

export interface LlmWealthOptions {
  n?: number;
  width?: number;
  height?: number;
  seed?: number;
  client: DecisionClient;
  /** Model id sent to the LLM (default gpt-4o-mini). */
  llmModel?: string;
  /** Decisions in flight at once (default 8). */
  concurrency?: number;
  /** Events an agent remembers verbatim (default 5). */
  memory?: number;
  /** Wraps each decision (the runner times it and counts LLM calls and cache hits). */
  decide?: (agent: LlmMoneyAgent, signal: AbortSignal, observation?: Observation) => Promise<Decision>;
  /**
   * Pipelined steps (default false): an agent observes the model right after its own `apply` and its next
   * decision starts at once, so the LLM lanes stay busy across the step boundary instead of waiting for the
   * step's slowest decision. Still reproducible: the observation is taken at a fixed point of the activation
   * order, and effects still apply in activation order. See `stepAsync`.
   */
  pipeline?: boolean;
  /**
   * Look-ahead (default false = none; `true` = 1 step; a positive integer d = d steps; exclusive with
   * `pipeline`): an agent's decision for step s+d starts as soon as its own decision for step s+d-1 is known,
   * from the state at the end of step s-1 (a snapshot taken when step s starts) plus its own decisions for
   * steps s..s+d-1 (`chose: <action> (outcome not seen yet)` in its recent events). Decisions of d+1
   * consecutive steps can be in flight at once, so the lanes stay full across step boundaries, and no agent
   * waits for another agent's apply: a step's slowest decision (e.g. one retried after a fault) holds the
   * lanes back only once d steps' decisions behind it are done. The price is staleness: a decision sees the
   * model as it was d steps earlier, plus what the agent itself chose since. Reproducible: snapshots are taken
   * at step boundaries and effects still apply in activation order. See `stepAsync`.
   */
  lookahead?: boolean | number;
  /**
   * Pipelined or look-ahead: decisions admitted beyond `concurrency` (default 0). They wait in the LLM
   * client's queue, so that its `concurrency` slots stay busy while some admitted decisions wait out a retry
   * back-off (which gives the client's slot back but would otherwise keep one of the model's lanes).
   */
  backlog?: number;
  /** Keeps each agent's memory summary in a cache tier (key `agent_memory:<seed>:<agent id>`). */
  memoryTier?: MemoryTier;
}

/** A wealth agent that asks an LLM each step whether to give, keep or move. */
export class LlmMoneyAgent extends Agent<LlmWealthModel> {
  wealth = 1;
  memory: AgentMemory;

  constructor(model: LlmWealthModel, options: { uniqueId?: number; memory?: number } = {}) {
    super(model, options);
    this.memory = new AgentMemory(options.memory ?? 5);
  }

  /** Key of this agent's memory summary in the model's memory tier. */
  get memoryKey(): string {
    return `agent_memory:${this.model.seed}:${this.uniqueId}`;
  }

  /** The agent's view now: own wealth, cellmates' wealth, memory (no step number, so equal situations repeat). */
  observe(): Observation {
    const mates = this.model.grid
      .cellContents(this.pos as GridPos)
      .filter((a) => a !== this)
      .map((a) => a.wealth);
    return {
      wealth: this.wealth,
      mates,
      recent: [...this.memory.recent],
      summary: this.memory.summary(),
    };
  }

  /** The prompt for an observation; `summary` is the memory summary as read back from the memory tier. */
  prompt(summary?: string, observation: Observation = this.observe()): LlmRequest {
    const text = summary ?? observation.summary;
    return {
      model: this.model.llmModel,
      temperature: 0,
      maxTokens: 60,
      messages: [
        {
          role: 'system',
          content:
            'You are an agent in a wealth-exchange simulation. Each step you may give one coin to someone in ' +
            'your cell, keep your coins, or move to a neighbouring cell. Answer with JSON {"action", "reason"}.',
        },
        {
          role: 'user',
          content:
            `You have ${observation.wealth} coins. Cellmates' coins: [${observation.mates.join(', ')}].\n` +
            `${text}\nrecent: ${observation.recent.length ? observation.recent.join('; ') : 'nothing yet'}\n` +
            'Choose one of: [give, keep, move]',
        },
      ],
    };
  }

  /** Asks the LLM; a malformed answer or a failed call falls back to `keep` and is counted, never thrown. */
  override async decide(signal?: AbortSignal, observation?: Observation): Promise<Decision> {
    let response: Awaited<ReturnType<DecisionClient['complete']>>;
    try {
      const seen = observation ?? this.observe();
      const tier = this.model.memoryTier;
      // The summary as kept in the memory tier (the observation's own copy if the tier lost it).
      const kept = tier ? await tier.get(this.memoryKey, { signal }) : undefined;
      const summary = typeof kept === 'string' ? kept : seen.summary;
      response = await this.model.client.complete(this.prompt(summary, seen), {
        signal,
        key: String(this.uniqueId),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      return { action: 'keep', cached: false, malformed: false, failed: true };
    }
    const action = parseDecision(response.choices[0]?.content);
    return action
      ? { action, cached: response.cached === true, malformed: false, failed: false }
      : { action: 'keep', cached: response.cached === true, malformed: true, failed: false };
  }

  /** Applies the decision in activation order, re-checking it against the current state. */
  override apply(decision: Decision): void {
    const model = this.model;
    if (decision.malformed) model.malformedAnswers++;
    if (decision.failed) model.failedDecisions++;
    if (decision.action === 'move') {
      const cell = model.grid.randomNeighborhoodCell(this.pos as GridPos, model.rng, {
        moore: true,
        includeCenter: false,
      });
      model.grid.moveAgent(this, cell);
      this.memory.record('moved', `to (${(this.pos as GridPos).join(', ')})`);
    } else if (decision.action === 'give') {
      const mates = model.grid.cellContents(this.pos as GridPos).filter((a) => a !== this);
      if (this.wealth > 0 && mates.length > 0) {
        const other = model.rng.choice(mates);
        other.wealth++;
        this.wealth--;
        this.memory.record('gave', `1 coin to agent ${other.uniqueId}`);
        other.memory.record('received', `1 coin from agent ${this.uniqueId}`);
      } else {
        this.memory.record('kept', this.wealth > 0 ? 'nobody to give to' : 'no coins to give');
      }
    } else {
      this.memory.record('kept', `${this.wealth} coins`);
    }
  }
}

interface LlmWealthState {
  agents: {
    id: number;
    wealth: number;
    memory: AgentMemoryState;
    /** Pipelined, or look-ahead of one step: the observation of the agent's next decision (not started). */
    observation?: Observation;
    /** Look-ahead of d > 1 steps: the observations of its next d decisions, each without the decisions before it. */
    lookahead?: Observation[];
  }[];
  cells: [number, number, number[]][];
  malformedAnswers: number;
  failedDecisions: number;
  dataCollector: DataCollectorState;
}

/**
 * The LLM-agent model: Boltzmann wealth where each agent decides by an LLM call (give / keep / move) from
 * an observation and a memory. Decisions run concurrently (bounded) and apply in activation order
 * (`shuffleDoAsync`), so with the same seed and the same answers (temperature 0, or a warm cache) the run is
 * reproducible. Collected: Gini, total wealth, malformed answers, failed decisions.
 */
export class LlmWealthModel extends Model {
  readonly grid: MultiGrid<LlmMoneyAgent>;
  readonly client: DecisionClient;
  readonly llmModel: string;
  /** Decisions in flight at once (`setConcurrency` changes it at run time, e.g. from @hp/optimizer). */
  concurrency: number;
  readonly memoryTier: MemoryTier | undefined;
  readonly dataCollector: DataCollector<LlmWealthModel, LlmMoneyAgent>;
  malformedAnswers = 0;
  failedDecisions = 0;
  readonly pipeline: boolean;
  /** Steps of look-ahead (0 = none). */
  readonly lookahead: number;
  /** Decisions admitted beyond `concurrency` (pipelined or look-ahead steps). */
  readonly backlog: number;
  /** Pipelined or look-ahead: the last step whose decisions may be started ahead (the runner sets its step count). */
  pipelineUntil = Infinity;
  private readonly _decide: NonNullable<LlmWealthOptions['decide']>;
  private readonly _memory: number;
  /** Pipelined: decisions started ahead for the next step, by agent. */
  private readonly _pending = new Map<LlmMoneyAgent, Promise<Decision>>();
  /** Pipelined: observations taken after the last step's apply and not started yet. Saved in checkpoints. */
  private readonly _observations = new Map<LlmMoneyAgent, Observation>();
  /**
   * Look-ahead: each agent's decisions of this step and the next ones, oldest first (see `Ahead`). Those
   * not started at the end of a run (beyond `pipelineUntil`) are saved in checkpoints.
   */
  private readonly _ahead = new Map<LlmMoneyAgent, Ahead[]>();
  private readonly _slots: Slots;

  constructor(options: LlmWealthOptions) {
    super({ seed: options.seed });
    const { n = 10, width = 5, height = 5, concurrency = 8, memory = 5 } = options;
    this.client = options.client;
    this.llmModel = options.llmModel ?? 'gpt-4o-mini';
    this.concurrency = concurrency;
    this._decide = options.decide ?? ((agent, signal, observation) => agent.decide(signal, observation));
    this.pipeline = options.pipeline ?? false;
    const lookahead = options.lookahead ?? false;
    this.lookahead = lookahead === true ? 1 : lookahead === false ? 0 : lookahead;
    if (!Number.isInteger(this.lookahead) || this.lookahead < 0) {
      throw new RangeError(`lookahead must be a boolean or a non-negative integer, got ${String(lookahead)}`);
    }
    if (this.pipeline && this.lookahead > 0)
      throw new RangeError('pipeline and lookahead exclude each other');
    this.backlog = options.backlog ?? 0;
    if (!Number.isInteger(this.backlog) || this.backlog < 0) {
      throw new RangeError(`backlog must be a non-negative integer, got ${this.backlog}`);
    }
    this._slots = new Slots(concurrency + this.backlog);
    this._memory = memory;
    this.memoryTier = options.memoryTier;
    this.grid = new MultiGrid<LlmMoneyAgent>({ width, height, torus: true });
    for (let i = 0; i < n; i++) {
      const agent = new LlmMoneyAgent(this, { memory });
      this.grid.placeAgent(agent, [this.rng.int(width), this.rng.int(height)]);
    }
    this.dataCollector = new DataCollector<LlmWealthModel, LlmMoneyAgent>({
      modelReporters: {
        Gini: (m) => m.gini(),
        MalformedAnswers: 'malformedAnswers',
        FailedDecisions: 'failedDecisions',
      },
    });
  }

  get moneyAgents(): LlmMoneyAgent[] {
    return this.agentsOfType(LlmMoneyAgent).toArray() as LlmMoneyAgent[];
  }

  gini(): number {
    return gini(this.moneyAgents.map((a) => a.wealth));
  }

  override step(): void {
    throw new Error('LlmWealthModel steps asynchronously: use stepAsync() or runModel()');
  }

  /** Changes the number of decisions in flight (from the next step; pipelined: at once). */
  setConcurrency(concurrency: number): void {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    this.concurrency = concurrency;
    this._slots.resize(concurrency + this.backlog);
  }

  override async stepAsync(signal?: AbortSignal): Promise<void> {
    if (this.pipeline) return this._stepPipelined(signal);
    if (this.lookahead > 0) return this._stepLookahead(signal);
    this.dataCollector.collect(this);
    const agents = this.agentsOfType(LlmMoneyAgent);
    await agents.shuffleDoAsync<Decision>({
      concurrency: this.concurrency,
      signal,
      decide: (agent, s) => this._decide(agent, s),
    });
    // Write the summaries back to the memory tier before the next step reads them (in agent order).
    const tier = this.memoryTier;
    if (tier) await Promise.all(agents.map((a) => tier.set(a.memoryKey, a.memory.summary())));
  }

  /**
   * A pipelined step. Decisions apply in this step's activation order as before, but right after its own
   * `apply` an agent observes the model (synchronously: a fixed point of the activation order, so the run is
   * reproducible) and its decision for the next step starts, queued behind this step's decisions on the same
   * `concurrency` lanes. The lanes stay busy across the step boundary: the step barrier no longer leaves them
   * idle while the slowest decisions of a step finish. Semantics: an agent decides on the state as it was
   * after its own previous turn (it does not see what the agents after it in the last step and before it in
   * this step did); `apply` re-checks the decision against the current state, as always.
   */
  private async _stepPipelined(signal?: AbortSignal): Promise<void> {
    this.dataCollector.collect(this);
    const order = this.agentsOfType(LlmMoneyAgent).shuffle().toArray() as LlmMoneyAgent[];
    for (const agent of order) {
      if (!this._pending.has(agent)) {
        this._pending.set(
          agent,
          this._launch(agent, this._observations.get(agent) ?? agent.observe(), signal),
        );
      }
    }
    this._observations.clear();
    for (const agent of order) {
      const pending = this._pending.get(agent)!;
      const decision = await pending;
      this._pending.delete(agent);
      if (agent.removed) continue;
      agent.apply(decision);
      const observation = agent.observe();
      if (this.steps < this.pipelineUntil) this._pending.set(agent, this._launch(agent, observation, signal));
      else this._observations.set(agent, observation);
    }
  }

  /**
   * A step with `lookahead` = d steps of look-ahead. This step's decisions were started during the last
   * steps (or start now). When the step starts, every agent's observation of the model is taken (the state at
   * the end of the last step: a fixed point, so the run is reproducible) and becomes the base of the agent's
   * decision for step s+d, which starts as soon as its own decision for step s+d-1 is known, with the agent's
   * own decisions for steps s..s+d-1 added to it, without waiting for any apply. Then the decisions apply in
   * this step's activation order, as always, each re-checked against the current state.
   *
   * Semantics: the decision for step s+d sees the state at the end of step s-1 and the agent's own decisions
   * for steps s..s+d-1 (not their outcomes): it does not see what anyone (itself included) did in those steps.
   * At most d+1 steps' decisions are in flight; the lanes stay busy while a step's slowest decision finishes.
   * Nothing starts beyond `pipelineUntil`: the observations of the decisions not started then are saved in
   * checkpoints, so a resumed run ends like the uninterrupted one.
   */
  private async _stepLookahead(signal?: AbortSignal): Promise<void> {
    this.dataCollector.collect(this);
    const order = this.agentsOfType(LlmMoneyAgent).shuffle().toArray() as LlmMoneyAgent[];
    const step = this.steps;
    for (const agent of order) {
      // The state at the end of the last step, as this agent sees it: the base of its decision d steps on.
      const snapshot = agent.observe();
      let chain = this._ahead.get(agent);
      if (!chain) this._ahead.set(agent, (chain = []));
      // One entry per step from this one to step + d (the first step of a run fills them all from the snapshot).
      while (chain.length <= this.lookahead) {
        let observation = snapshot;
        for (const before of chain)
          if (before.decided) observation = withOwnDecision(observation, before.decided);
        chain.push(new Ahead(observation));
      }
      chain.forEach((entry, i) => (entry.step = step + i));
      // This step's decision starts now if it has not (first step, resumed run, or beyond pipelineUntil).
      this._startAhead(agent, chain, 0, signal);
      for (let i = 1; i < chain.length; i++) {
        if (chain[i - 1]!.decided) this._startAhead(agent, chain, i, signal);
      }
    }
    for (const agent of order) {
      const decision = await this._ahead.get(agent)!.shift()!.decision!;
      if (agent.removed) continue;
      agent.apply(decision);
    }
  }

  /** Starts entry i of an agent's look-ahead chain (once its step is due and the entry before it decided). */
  private _startAhead(agent: LlmMoneyAgent, chain: Ahead[], i: number, signal?: AbortSignal): void {
    const entry = chain[i]!;
    if (entry.decision || (i > 0 && entry.step > this.pipelineUntil)) return;
    entry.decision = this._launch(agent, entry.observation, signal, entry.step);
    entry.decision.then(
      (decision) => {
        entry.decided = decision;
        // Every later decision of this agent sees this one; the next one starts now.
        const at = chain.indexOf(entry);
        for (let j = at + 1; j < chain.length; j++) {
          chain[j]!.observation = withOwnDecision(chain[j]!.observation, decision);
        }
        if (at >= 0 && at + 1 < chain.length) this._startAhead(agent, chain, at + 1, signal);
      },
      () => undefined,
    );
  }

  private _launch(
    agent: LlmMoneyAgent,
    observation: Observation,
    signal?: AbortSignal,
    step = 0,
  ): Promise<Decision> {
    const tier = this.memoryTier;
    const run = async (): Promise<Decision> => {
      if (tier) await tier.set(agent.memoryKey, observation.summary);
      await this._slots.acquire(signal, step);
      try {
        signal?.throwIfAborted();
        return await this._decide(agent, signal ?? new AbortController().signal, observation);
      } finally {
        this._slots.release();
      }
    };
    const promise = run();
    // Awaited in activation order; a run that stops early (abort, close) leaves it unobserved.
    promise.catch(() => undefined);
    return promise;
  }

  override saveState(): LlmWealthState {
    const cells: [number, number, number[]][] = [];
    for (const [contents, [x, y]] of this.grid.coordIter()) {
      if (contents.length > 0) cells.push([x, y, contents.map((a) => a.uniqueId)]);
    }
    return {
      agents: this.moneyAgents.map((a) => ({
        id: a.uniqueId,
        wealth: a.wealth,
        memory: a.memory.getState(),
        ...this._savedObservations(a),
      })),
      cells,
      malformedAnswers: this.malformedAnswers,
      failedDecisions: this.failedDecisions,
      dataCollector: this.dataCollector.getState(),
    };
  }

  /** The observations of an agent's decisions not started yet (pipelined or look-ahead), for a checkpoint. */
  private _savedObservations(
    agent: LlmMoneyAgent,
  ): Pick<LlmWealthState['agents'][number], 'observation' | 'lookahead'> {
    const waiting = (this._ahead.get(agent) ?? []).filter((entry) => !entry.decision);
    if (waiting.length > 1) return { lookahead: waiting.map((entry) => entry.observation) };
    if (waiting.length === 1) return { observation: waiting[0]!.observation };
    return this._observations.has(agent) ? { observation: this._observations.get(agent)! } : {};
  }

  override loadState(raw: unknown): void {
    const state = raw as LlmWealthState;
    this.removeAllAgents();
    this._observations.clear();
    this._ahead.clear();
    const byId = new Map<number, LlmMoneyAgent>();
    for (const saved of state.agents) {
      const agent = new LlmMoneyAgent(this, { uniqueId: saved.id, memory: this._memory });
      agent.wealth = saved.wealth;
      agent.memory.setState(saved.memory);
      const observations = saved.lookahead ?? (saved.observation ? [saved.observation] : []);
      if (this.lookahead > 0)
        this._ahead.set(
          agent,
          observations.map((observation) => new Ahead(observation)),
        );
      else if (saved.observation) this._observations.set(agent, saved.observation);
      byId.set(saved.id, agent);
    }
    for (const [x, y, ids] of state.cells) for (const id of ids) this.grid.placeAgent(byId.get(id)!, [x, y]);
    this.malformedAnswers = state.malformedAnswers;
    this.failedDecisions = state.failedDecisions;
    this.dataCollector.setState(state.dataCollector);
  }
}

/**
 * One decision of an agent's look-ahead chain: its observation (a snapshot plus the agent's own decisions
 * known so far), its step, and once started, the decision.
 */
class Ahead {
  step = 0;
  decision: Promise<Decision> | undefined;
  decided: Decision | undefined;
  constructor(public observation: Observation) {}
}

/** A look-ahead observation: a snapshot plus the agent's own decision taken since (its outcome unknown). */
function withOwnDecision(observation: Observation, decision: Decision): Observation {
  return {
    ...observation,
    recent: [...observation.recent, `chose: ${decision.action} (outcome not seen yet)`],
  };
}

/**
 * Slots: at most `size` pipelined or look-ahead decisions in flight. Waiters are served oldest step first
 * (the step a decision is for; a step's late decisions are what the next step waits for), then in arrival
 * order.
 */
class Slots {
  private _free: number;
  private _size: number;
  private readonly _waiters: { step: number; grant: () => void }[] = [];

  constructor(size: number) {
    this._free = size;
    this._size = size;
  }

  /** A new size: more slots serve waiters at once; fewer take effect as slots are released. */
  resize(size: number): void {
    this._free += size - this._size;
    this._size = size;
    while (this._free > 0 && this._waiters.length > 0) {
      this._free--;
      this._waiters.shift()!.grant();
    }
  }

  async acquire(signal?: AbortSignal, step = 0): Promise<void> {
    signal?.throwIfAborted();
    if (this._free > 0) {
      this._free--;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this._waiters.indexOf(waiter);
        if (i >= 0) this._waiters.splice(i, 1);
        reject(signal!.reason);
      };
      const waiter = {
        step,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      // after every waiter of the same or an older step (steps arrive nearly sorted: scan from the end)
      let i = this._waiters.length;
      while (i > 0 && this._waiters[i - 1]!.step > step) i--;
      this._waiters.splice(i, 0, waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(): void {
    const next = this._free >= 0 ? this._waiters.shift() : undefined;
    if (next) next.grant();
    else this._free++;
  }
}

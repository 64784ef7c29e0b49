import { Agent } from '../src/agent.js';
import { AgentSet } from '../src/agentSet.js';
import { Model } from '../src/model.js';
import { Rng } from '../src/rng.js';

class Trader extends Agent {
  wealth = 0;
  kind: 'a' | 'b' = 'a';
  log: string[] = [];
  bump(by = 1): void {
    this.wealth += by;
  }
}
class Special extends Trader {}

function setup(n = 6, seed = 1) {
  const model = new Model({ seed });
  const agents: Trader[] = [];
  for (let i = 0; i < n; i++) {
    const a = i % 3 === 0 ? new Special(model) : new Trader(model);
    a.wealth = i;
    a.kind = i % 2 === 0 ? 'a' : 'b';
    agents.push(a);
  }
  return { model, set: new AgentSet<Trader>(agents, model.rng), agents };
}

describe('AgentSet', () => {
  it('do / map / get / set / agg', () => {
    const { set } = setup();
    set.do('bump', 2);
    expect(set.get('wealth')).toEqual([2, 3, 4, 5, 6, 7]);
    set.do((a) => a.bump());
    expect(set.agg('wealth', (v) => v.reduce((x, y) => x + y, 0))).toBe(33);
    expect(set.map((a) => a.uniqueId)).toEqual([1, 2, 3, 4, 5, 6]);
    set.set('wealth', 0);
    expect(set.get('wealth')).toEqual([0, 0, 0, 0, 0, 0]);
    expect([...set].length).toBe(6);
  });

  it('calls methods with arguments and fails clearly on a missing one', () => {
    const { set } = setup();
    set.do('bump', 5).do('bump');
    expect(set.get('wealth')).toEqual([6, 7, 8, 9, 10, 11]);
    expect(() => set.do('nope' as never)).toThrow(TypeError);
    expect(() => set.do('nope' as never, 1)).toThrow(/no method "nope"/);
  });

  it('shuffleDo uses the model generator: same seed, same order', () => {
    const order = (seed: number) => {
      const { set } = setup(20, seed);
      const seen: number[] = [];
      set.shuffleDo((a) => seen.push(a.uniqueId));
      return seen;
    };
    expect(order(3)).toEqual(order(3));
    expect(order(3)).not.toEqual(order(4));
    expect([...order(3)].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(() => new AgentSet<Trader>([]).shuffleDo('bump')).toThrow(/generator/);
  });

  it('select with filter, atMost (count or fraction), type and inplace; getByType', () => {
    const { set } = setup();
    expect(set.select((a) => a.wealth > 2).get('wealth')).toEqual([3, 4, 5]);
    expect(set.select(undefined, { atMost: 2 }).length).toBe(2);
    expect(set.select(undefined, { atMost: 0.5 }).length).toBe(3);
    expect(set.getByType(Special).get('wealth')).toEqual([0, 3]);
    expect(set.select(undefined, { agentType: Special }).length).toBe(2);
    const same = set.select((a) => a.kind === 'a', { inplace: true });
    expect(same).toBe(set);
    expect(set.length).toBe(3);
  });

  it('sort and shuffle return new sets unless inplace', () => {
    const { set } = setup();
    expect(set.sort('wealth', { ascending: false }).get('wealth')).toEqual([5, 4, 3, 2, 1, 0]);
    expect(set.sort((a) => -a.uniqueId).map((a) => a.uniqueId)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(set.get('wealth')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(set.shuffle().length).toBe(6);
  });

  it('groupBy counts, aggregates and acts per group', () => {
    const { set } = setup();
    const groups = set.groupBy('kind');
    expect(groups.count()).toEqual(
      new Map([
        ['a', 3],
        ['b', 3],
      ]),
    );
    expect(groups.agg('wealth', (v: number[]) => Math.max(...v))).toEqual(
      new Map([
        ['a', 4],
        ['b', 5],
      ]),
    );
    groups.do('bump', 10);
    expect(set.get('wealth')).toEqual([10, 11, 12, 13, 14, 15]);
    expect(
      set
        .groupBy((a) => a.wealth % 2 === 0)
        .map((g) => g.length)
        .get(true),
    ).toBe(3);
  });

  it('skips agents removed during an operation; add/discard/remove', () => {
    const { set, agents } = setup();
    set.do((a) => {
      if (a.uniqueId === 2) agents[2]!.remove();
      a.bump();
    });
    expect(agents[2]!.wealth).toBe(2);
    expect(agents[3]!.wealth).toBe(4);
    const s = new AgentSet<Trader>();
    s.add(agents[0]!).add(agents[0]!);
    expect(s.length).toBe(1);
    expect(s.has(agents[0]!)).toBe(true);
    s.discard(agents[1]!);
    expect(() => s.remove(agents[1]!)).toThrow(RangeError);
  });
});

describe('AgentSet async steps', () => {
  class Thinker extends Agent {
    value = 0;
    static active = 0;
    static peak = 0;
    delays: Rng;
    constructor(model: Model, delays: Rng) {
      super(model);
      this.delays = delays;
    }
    override async decide(): Promise<number> {
      Thinker.active++;
      Thinker.peak = Math.max(Thinker.peak, Thinker.active);
      const observed = (this.model as ThinkModel).total;
      await new Promise((r) => setTimeout(r, this.delays.int(5)));
      Thinker.active--;
      return observed + this.uniqueId;
    }
    override apply(decision: number): void {
      const m = this.model as ThinkModel;
      m.order.push(this.uniqueId);
      m.total = m.total * 31 + decision;
    }
  }
  class ThinkModel extends Model {
    total = 0;
    order: number[] = [];
    constructor(seed: number, delaySeed: number) {
      super({ seed });
      const delays = new Rng(delaySeed);
      for (let i = 0; i < 12; i++) new Thinker(this, delays);
    }
    override async stepAsync(signal?: AbortSignal): Promise<void> {
      await this.agents.shuffleDoAsync({ concurrency: 3, signal });
    }
  }

  it('applies effects in activation order whatever the decision timing, with bounded concurrency', async () => {
    Thinker.peak = 0;
    const a = new ThinkModel(9, 1);
    const b = new ThinkModel(9, 2);
    await a.runModel({ maxSteps: 3 });
    await b.runModel({ maxSteps: 3 });
    expect(a.total).toBe(b.total);
    expect(a.order).toEqual(b.order);
    expect(a.order.slice(0, 12)).not.toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(Thinker.peak).toBeLessThanOrEqual(3);
    expect(Thinker.peak).toBeGreaterThan(1);
  });

  it('rejects with the decision error and applies nothing', async () => {
    const model = new Model({ seed: 1 });
    const applied: number[] = [];
    const agents = Array.from({ length: 5 }, () => new Agent(model));
    const set = new AgentSet(agents, model.rng);
    await expect(
      set.doAsync({
        concurrency: 2,
        decide: async (a) => {
          if (a.uniqueId === 3) throw new Error('bad answer');
          return a.uniqueId;
        },
        apply: (_a, d: number) => applied.push(d),
      }),
    ).rejects.toThrow('bad answer');
    expect(applied).toEqual([]);
    await expect(set.doAsync({ concurrency: 0 })).rejects.toThrow(RangeError);
  });

  it('stops on abort and passes the signal to decisions', async () => {
    const model = new Model({ seed: 1 });
    const set = new AgentSet(
      Array.from({ length: 4 }, () => new Agent(model)),
      model.rng,
    );
    const ac = new AbortController();
    ac.abort();
    const run2 = set.doAsync({ signal: ac.signal });
    await expect(run2).rejects.toThrow();
    const ac2 = new AbortController();
    const run3 = set.doAsync({
      signal: ac2.signal,
      decide: (_a, signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
    });
    ac2.abort();
    await expect(run3).rejects.toThrow('aborted');
  });
});

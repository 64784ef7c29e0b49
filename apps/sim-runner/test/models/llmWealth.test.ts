import { LlmWealthModel, parseDecision, type DecisionClient } from '../../src/models/llmWealth.js';
import { createCheckpoint, restoreCheckpoint } from '../../src/checkpoint.js';

/** A deterministic fake LLM: the answer depends only on the prompt (like temperature 0), with scripted defects. */
function fakeClient(
  defect?: (n: number) => 'malformed' | 'throw' | undefined,
): DecisionClient & { calls: number } {
  const client = {
    calls: 0,
    async complete(request: Parameters<DecisionClient['complete']>[0]) {
      const n = ++client.calls;
      const kind = defect?.(n);
      if (kind === 'throw') throw new Error('HTTP 503');
      if (kind === 'malformed') return { choices: [{ content: '{"action": "fly"' }], cached: false };
      await new Promise((r) => setTimeout(r, n % 3));
      const text = request.messages.map((m) => m.content).join('\n');
      let h = 0;
      for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
      const action = ['give', 'keep', 'move'][Math.abs(h) % 3];
      return {
        choices: [{ content: `Sure. {"action": "${action}", "reason": "because"}` }],
        cached: n % 4 === 0,
      };
    },
  };
  return client;
}

describe('LLM wealth model', () => {
  it('parses and validates answers', () => {
    expect(parseDecision('{"action":"give","reason":"x"}')).toBe('give');
    expect(parseDecision('I will {"action": "move"} now')).toBe('move');
    expect(parseDecision('{"action":"fly"}')).toBeNull();
    expect(parseDecision('{"action":')).toBeNull();
    expect(parseDecision(null)).toBeNull();
    expect(parseDecision('no json')).toBeNull();
  });

  it('decides by LLM calls from an observation and a memory; same seed and answers => same run', async () => {
    const run = async () => {
      const client = fakeClient();
      const model = new LlmWealthModel({ n: 12, width: 3, height: 3, seed: 4, client, concurrency: 4 });
      await model.runModel({ maxSteps: 8 });
      return { model, client };
    };
    const a = await run();
    const b = await run();
    expect(a.client.calls).toBe(12 * 8);
    expect(a.model.dataCollector.toCSV()).toBe(b.model.dataCollector.toCSV());
    expect(a.model.moneyAgents.reduce((s, x) => s + x.wealth, 0)).toBe(12);
    const agent = a.model.moneyAgents[0]!;
    expect(agent.memory.recent.length).toBeGreaterThan(0);
    const prompt = agent.prompt().messages[1]!.content;
    expect(prompt).toContain('Choose one of: [give, keep, move]');
    expect(prompt).toContain('recent:');
    expect(prompt).not.toContain('step');
  });

  it('keeps memory summaries in a memory tier and reads them back into the prompt', async () => {
    const kept = new Map<string, string>();
    const memoryTier = {
      get: async (key: string) => kept.get(key),
      set: async (key: string, value: string) => void kept.set(key, value),
    };
    const seen: string[] = [];
    const client = fakeClient();
    const inner = client.complete.bind(client);
    client.complete = (request, settings) => {
      seen.push(request.messages[1]!.content);
      return inner(request, settings);
    };
    const model = new LlmWealthModel({ n: 4, width: 2, height: 2, seed: 9, client, memoryTier });
    await model.runModel({ maxSteps: 8 });
    expect([...kept.keys()].sort()).toEqual([
      'agent_memory:9:1',
      'agent_memory:9:2',
      'agent_memory:9:3',
      'agent_memory:9:4',
    ]);
    kept.set('agent_memory:9:1', 'earlier: a note only the tier holds');
    await model.runModel({ maxSteps: 9 });
    expect(seen.some((p) => p.startsWith('You have') && p.includes('a note only the tier holds'))).toBe(true);
    // Same seed and answers with and without the tier: same run (the tier holds what the agent holds).
    const kept2 = new Map<string, string>();
    const plain = new LlmWealthModel({ n: 4, width: 2, height: 2, seed: 9, client: fakeClient() });
    await plain.runModel({ maxSteps: 8 });
    const tiered = new LlmWealthModel({
      n: 4,
      width: 2,
      height: 2,
      seed: 9,
      client: fakeClient(),
      memoryTier: {
        get: async (key: string) => kept2.get(key),
        set: async (key: string, value: string) => void kept2.set(key, value),
      },
    });
    await tiered.runModel({ maxSteps: 8 });
    expect(tiered.dataCollector.toCSV()).toBe(plain.dataCollector.toCSV());
  });

  it('counts malformed answers and failed calls, falls back to keep, never crashes', async () => {
    const client = fakeClient((n) => (n % 10 === 0 ? 'malformed' : n % 10 === 5 ? 'throw' : undefined));
    const model = new LlmWealthModel({ n: 10, seed: 1, client });
    await model.runModel({ maxSteps: 5 });
    expect(model.malformedAnswers).toBe(5);
    expect(model.failedDecisions).toBe(5);
    expect(model.steps).toBe(5);
  });

  it('checkpoints agents with their memories', async () => {
    const options = { n: 8, width: 3, height: 3, seed: 2, concurrency: 3 };
    const whole = new LlmWealthModel({ ...options, client: fakeClient() });
    await whole.runModel({ maxSteps: 10 });
    const first = new LlmWealthModel({ ...options, client: fakeClient() });
    await first.runModel({ maxSteps: 4 });
    const checkpoint = JSON.parse(JSON.stringify(createCheckpoint(first)));
    const resumed = new LlmWealthModel({ ...options, client: fakeClient() });
    restoreCheckpoint(resumed, checkpoint);
    await resumed.runModel({ maxSteps: 10 });
    expect(resumed.dataCollector.toCSV()).toBe(whole.dataCollector.toCSV());
    expect(resumed.moneyAgents.map((a) => a.memory.render())).toEqual(
      whole.moneyAgents.map((a) => a.memory.render()),
    );
  });

  it('pipelined steps: same seed and answers => same run, every decision applied in activation order', async () => {
    const run = async () => {
      const client = fakeClient();
      const model = new LlmWealthModel({
        n: 12,
        width: 3,
        height: 3,
        seed: 4,
        client,
        concurrency: 4,
        pipeline: true,
      });
      model.pipelineUntil = 8;
      await model.runModel({ maxSteps: 8 });
      return { model, client };
    };
    const a = await run();
    const b = await run();
    // No decision is started beyond the last step.
    expect(a.client.calls).toBe(12 * 8);
    expect(a.model.dataCollector.toCSV()).toBe(b.model.dataCollector.toCSV());
    expect(a.model.moneyAgents.map((x) => x.memory.render())).toEqual(
      b.model.moneyAgents.map((x) => x.memory.render()),
    );
    expect(a.model.moneyAgents.reduce((s, x) => s + x.wealth, 0)).toBe(12);
  });

  it.each([true, 2, 3])(
    'look-ahead %p: same seed and answers => same run, nothing started beyond the last step',
    async (lookahead) => {
      const run = async (concurrency: number) => {
        const client = fakeClient();
        const model = new LlmWealthModel({
          n: 12,
          width: 3,
          height: 3,
          seed: 4,
          client,
          concurrency,
          lookahead,
        });
        model.pipelineUntil = 8;
        await model.runModel({ maxSteps: 8 });
        return { model, client };
      };
      const a = await run(4);
      const b = await run(4);
      // Other lane counts change the order the answers come back in, not the run.
      const c = await run(11);
      expect(a.client.calls).toBe(12 * 8);
      expect(a.model.dataCollector.toCSV()).toBe(b.model.dataCollector.toCSV());
      expect(c.model.dataCollector.toCSV()).toBe(a.model.dataCollector.toCSV());
      expect(a.model.moneyAgents.map((x) => x.memory.render())).toEqual(
        c.model.moneyAgents.map((x) => x.memory.render()),
      );
      expect(a.model.moneyAgents.reduce((s, x) => s + x.wealth, 0)).toBe(12);
    },
  );

  /**
   * A look-ahead model whose prompts are recorded by agent, and `views`: the state as each agent's observation
   * renders it, taken by `view()` (the runs call it at the end of each step, before the next step starts).
   */
  const lookaheadProbe = (lookahead: number | boolean) => {
    const prompts = new Map<string, string[]>();
    const client = fakeClient();
    const inner = client.complete.bind(client);
    client.complete = (request, settings) => {
      const key = settings?.key ?? '';
      prompts.set(key, [...(prompts.get(key) ?? []), request.messages[1]!.content]);
      return inner(request, settings);
    };
    const model = new LlmWealthModel({
      n: 6,
      width: 2,
      height: 2,
      seed: 3,
      client,
      concurrency: 2,
      lookahead,
    });
    const views = new Map<number, string[]>();
    const view = (m: LlmWealthModel) => {
      for (const agent of m.moneyAgents) {
        const o = agent.observe();
        const seen = views.get(agent.uniqueId) ?? [];
        seen.push(`You have ${o.wealth} coins. Cellmates' coins: [${o.mates.join(', ')}].`);
        views.set(agent.uniqueId, seen);
      }
    };
    return { model, prompts, views, view };
  };

  it('look-ahead: the decision for step s+1 sees the state at the end of step s-1 plus its own step-s decision', async () => {
    const { model, prompts, views, view } = lookaheadProbe(true);
    model.pipelineUntil = 3;
    await model.runModel({ maxSteps: 3, onStep: (m) => view(m as LlmWealthModel) });
    for (const agent of model.moneyAgents) {
      const asked = prompts.get(String(agent.uniqueId))!;
      expect(asked).toHaveLength(3);
      // Step 3 was decided on the state at the end of step 1, plus the agent's own step-2 decision.
      expect(asked[2]).toContain(views.get(agent.uniqueId)![0]!);
      expect(asked[2]).toMatch(/chose: (give|keep|move) \(outcome not seen yet\)/);
      expect(asked[0]).not.toContain('chose:');
    }
  });

  it('look-ahead of 2 steps: the decision for step s+2 sees the state at the end of step s-1 plus its own decisions for s and s+1', async () => {
    const { model, prompts, views, view } = lookaheadProbe(2);
    model.pipelineUntil = 4;
    view(model); // views[0]: the state before step 1
    await model.runModel({ maxSteps: 4, onStep: (m) => view(m as LlmWealthModel) });
    const chose = /chose: (give|keep|move) \(outcome not seen yet\)/g;
    for (const agent of model.moneyAgents) {
      const asked = prompts.get(String(agent.uniqueId))!;
      const seen = views.get(agent.uniqueId)!;
      expect(asked).toHaveLength(4);
      expect(asked[0]).not.toMatch(chose);
      // Steps 1 to 3 start from the state before step 1 (with 0, 1 and 2 own decisions added).
      for (const i of [0, 1, 2]) expect(asked[i]).toContain(seen[0]!);
      expect(asked[1]!.match(chose)).toHaveLength(1);
      expect(asked[2]!.match(chose)).toHaveLength(2);
      // Step 4: the state at the end of step 1, plus its own decisions for steps 2 and 3.
      expect(asked[3]).toContain(seen[1]!);
      expect(asked[3]!.match(chose)).toHaveLength(2);
    }
    expect(() => new LlmWealthModel({ n: 1, seed: 1, client: fakeClient(), lookahead: 1.5 })).toThrow(
      /lookahead/,
    );
  });

  // The decisions not started at the end of a run (pipelined: observations taken after the last apply;
  // look-ahead: each next decision's snapshot plus the agent's own decisions since) travel in the checkpoint.
  it.each([
    ['pipelined steps', { pipeline: true }],
    ['look-ahead true', { lookahead: true }],
    ['look-ahead 2', { lookahead: 2 }],
    ['look-ahead 3', { lookahead: 3 }],
  ] as const)('%s: a run resumed from a checkpoint ends like the uninterrupted one', async (_, mode) => {
    const options = { n: 8, width: 3, height: 3, seed: 2, concurrency: 3, ...mode };
    const whole = new LlmWealthModel({ ...options, client: fakeClient() });
    whole.pipelineUntil = 10;
    await whole.runModel({ maxSteps: 10 });
    const first = new LlmWealthModel({ ...options, client: fakeClient() });
    first.pipelineUntil = 4;
    await first.runModel({ maxSteps: 4 });
    const checkpoint = JSON.parse(JSON.stringify(createCheckpoint(first)));
    const resumed = new LlmWealthModel({ ...options, client: fakeClient() });
    resumed.pipelineUntil = 10;
    restoreCheckpoint(resumed, checkpoint);
    await resumed.runModel({ maxSteps: 10 });
    expect(resumed.dataCollector.toCSV()).toBe(whole.dataCollector.toCSV());
    expect(resumed.moneyAgents.map((a) => a.memory.render())).toEqual(
      whole.moneyAgents.map((a) => a.memory.render()),
    );
  });

  it('look-ahead with a backlog: concurrency + backlog decisions in flight, same run', async () => {
    const run = async (backlog: number) => {
      const client = fakeClient();
      let inFlight = 0;
      let most = 0;
      const inner = client.complete.bind(client);
      client.complete = async (request, settings) => {
        most = Math.max(most, ++inFlight);
        try {
          return await inner(request, settings);
        } finally {
          inFlight--;
        }
      };
      const model = new LlmWealthModel({
        n: 12,
        width: 3,
        height: 3,
        seed: 4,
        client,
        concurrency: 3,
        lookahead: true,
        backlog,
      });
      model.pipelineUntil = 6;
      await model.runModel({ maxSteps: 6 });
      return { csv: model.dataCollector.toCSV(), most };
    };
    const plain = await run(0);
    const wide = await run(2);
    expect(plain.most).toBe(3);
    expect(wide.most).toBe(5);
    expect(wide.csv).toBe(plain.csv);
    expect(() => new LlmWealthModel({ n: 1, seed: 1, client: fakeClient(), backlog: -1 })).toThrow(/backlog/);
  });

  it('pipeline and look-ahead exclude each other', () => {
    expect(
      () => new LlmWealthModel({ n: 1, seed: 1, client: fakeClient(), pipeline: true, lookahead: true }),
    ).toThrow(/exclude/);
  });

  it('steps only asynchronously', () => {
    expect(() => new LlmWealthModel({ n: 1, seed: 1, client: fakeClient() }).step()).toThrow(/stepAsync/);
  });
});

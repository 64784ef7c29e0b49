import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@hp/llm';
import { main } from '../src/cli.js';

// End to end: the CLI starts the @hp/llm emulator in-process and runs the LLM-agent model through LlmClient.
async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: { write: (c: string) => (out += c) },
    stderr: { write: (c: string) => (err += c) },
  });
  return { code, out, err };
}

describe('LLM-agent model end to end (emulator in-process)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-runner-llm-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs normal_load with LLM decisions, measures calls and cache hits, and reproduces with the same seed', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    const first = await run([
      'run',
      '--model',
      'llm',
      '--seed',
      '5',
      '--steps',
      '6',
      '--time-scale',
      '0',
      '--quiet',
      '--report',
      a,
    ]);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('model llm');
    const ra = JSON.parse(readFileSync(a, 'utf8'));
    expect(ra.requests).toBe(60);
    expect(ra.llmCalls + ra.cacheHits).toBe(60);
    expect(ra.llmCalls).toBeGreaterThan(0);
    expect(ra.errors).toBe(0);
    // Time scale 0: the emulator does not wait, so no latency bounds the rate (and no limits are configured).
    expect(ra.throughputLimit).toBeNull();
    expect(ra.targets.find((t: { name: string }) => t.name === 'cache_hit_rate').status).not.toBe('n/a');
    await run([
      'run',
      '--model',
      'llm',
      '--seed',
      '5',
      '--steps',
      '6',
      '--time-scale',
      '0',
      '--quiet',
      '--report',
      b,
    ]);
    const rb = JSON.parse(readFileSync(b, 'utf8'));
    expect(rb.modelVars).toEqual(ra.modelVars);
  });

  it('reports X_max and the step-barrier bound from the configured latency model, not the measured one', async () => {
    const report = join(dir, 'limits.json');
    const { code, out } = await run([
      'run',
      '--model',
      'llm',
      '--seed',
      '2',
      '--steps',
      '2',
      '--time-scale',
      '0.001',
      '--quiet',
      '--report',
      report,
    ]);
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    // Emulator defaults: ttft median 300 ms (sigma 0.25), 15 ms per output token (sigma 0.15), time scale 0.001,
    // normal_load's concurrency 5. The answers' token counts are between 1 and the request's max_tokens (60).
    const ttft = 300 * Math.exp(0.25 ** 2 / 2);
    const perToken = 15 * Math.exp(0.15 ** 2 / 2);
    const lo = 5 / (((ttft + perToken * 60) * 0.001) / 1000);
    const hi = 5 / (((ttft + perToken * 1) * 0.001) / 1000);
    expect(r.throughputLimit).toBeGreaterThan(lo);
    expect(r.throughputLimit).toBeLessThan(hi);
    // 10 agents on 5 lanes: each step waits for its slowest decision.
    expect(r.stepBarrierLimit).toBeGreaterThan(0);
    expect(r.stepBarrierLimit).toBeLessThan(r.throughputLimit);
    expect(out).toMatch(/% of X_max; step-barrier bound [\d.]+ req\/s/);
  });

  it('--pipeline: pipelined steps through the emulator, reproducible with the same seed', async () => {
    const args = [
      'run',
      '--model',
      'llm',
      '--seed',
      '6',
      '--steps',
      '5',
      '--time-scale',
      '0',
      '--pipeline',
      '--quiet',
    ];
    const a = join(dir, 'pa.json');
    const b = join(dir, 'pb.json');
    expect((await run([...args, '--report', a])).code).toBe(0);
    expect((await run([...args, '--report', b])).code).toBe(0);
    const ra = JSON.parse(readFileSync(a, 'utf8'));
    const rb = JSON.parse(readFileSync(b, 'utf8'));
    expect(ra.requests).toBe(50);
    expect(ra.errors).toBe(0);
    expect(rb.modelVars).toEqual(ra.modelVars);
  });

  it('--lookahead: one step of look-ahead through the emulator with faults, reproducible with the same seed', async () => {
    const args = [
      'run',
      '--model',
      'llm',
      '--seed',
      '6',
      '--steps',
      '5',
      '--time-scale',
      '0',
      '--fault-rate',
      '0.05',
      '--lookahead',
      '--quiet',
    ];
    const a = join(dir, 'la.json');
    const b = join(dir, 'lb.json');
    expect((await run([...args, '--report', a])).code).toBe(0);
    // another backlog (decisions admitted beyond the lanes): the same run
    expect((await run([...args, '--backlog', '3', '--report', b])).code).toBe(0);
    const ra = JSON.parse(readFileSync(a, 'utf8'));
    const rb = JSON.parse(readFileSync(b, 'utf8'));
    expect(ra.requests).toBe(50);
    expect(ra.errors).toBe(0);
    expect(rb.modelVars).toEqual(ra.modelVars);
    expect((await run(['run', '--pipeline', '--lookahead', '--quiet'])).code).toBe(2);
    expect((await run([...args, '--backlog', '-1'])).code).not.toBe(0);
  });

  it('--lookahead-steps 2: two steps of look-ahead through the emulator with faults, reproducible with the same seed', async () => {
    const args = ['run', '--model', 'llm', '--seed', '6', '--steps', '5', '--time-scale', '0'];
    const more = ['--fault-rate', '0.05', '--lookahead-steps', '2', '--quiet'];
    const a = join(dir, 'l2a.json');
    const b = join(dir, 'l2b.json');
    const one = join(dir, 'l1.json');
    expect((await run([...args, ...more, '--report', a])).code).toBe(0);
    expect((await run([...args, ...more, '--backlog', '3', '--report', b])).code).toBe(0);
    expect(
      (await run([...args, '--fault-rate', '0.05', '--lookahead', '--quiet', '--report', one])).code,
    ).toBe(0);
    const ra = JSON.parse(readFileSync(a, 'utf8'));
    const rb = JSON.parse(readFileSync(b, 'utf8'));
    expect(ra.requests).toBe(50);
    expect(ra.errors).toBe(0);
    expect(rb.modelVars).toEqual(ra.modelVars);
    // a different reading of the model than one step of look-ahead: the agents decide on staler states
    expect(JSON.parse(readFileSync(one, 'utf8')).modelVars).not.toEqual(ra.modelVars);
    for (const bad of ['0', '101', 'x']) {
      expect((await run([...args, '--lookahead-steps', bad, '--quiet'])).code).toBe(2);
    }
    expect((await run(['run', '--pipeline', '--lookahead-steps', '2', '--quiet'])).code).toBe(2);
  });

  it('replays a run from a persistent cache: zero LLM calls, identical output', async () => {
    const cache = join(dir, 'cache', 'llm.sqlite');
    const a = join(dir, 'first.json');
    const b = join(dir, 'replay.json');
    const args = [
      'run',
      '--model',
      'llm',
      '--seed',
      '11',
      '--steps',
      '8',
      '--time-scale',
      '0',
      '--quiet',
      '--cache',
      cache,
    ];
    expect((await run([...args, '--report', a])).code).toBe(0);
    expect((await run([...args, '--report', b])).code).toBe(0);
    const first = JSON.parse(readFileSync(a, 'utf8'));
    const replay = JSON.parse(readFileSync(b, 'utf8'));
    expect(first.llmCalls).toBeGreaterThan(0);
    expect(replay.llmCalls).toBe(0);
    expect(replay.cacheHits).toBe(replay.requests);
    expect(replay.modelVars).toEqual(first.modelVars);
  });

  it('talks to any OpenAI-compatible server given by --llm-base-url', async () => {
    const emulator = await startEmulator({ timeScale: 0, seed: 3 });
    try {
      const report = join(dir, 'external.json');
      const { code } = await run([
        'run',
        '--model',
        'llm',
        '--steps',
        '2',
        '--quiet',
        '--llm-base-url',
        emulator.url,
        '--report',
        report,
      ]);
      expect(code).toBe(0);
      const r = JSON.parse(readFileSync(report, 'utf8'));
      expect(emulator.stats().byRoute['POST /v1/chat/completions']).toBe(r.llmCalls);
      expect(r.llmCalls).toBeGreaterThan(0);
    } finally {
      await emulator.close();
    }
  });

  it('serves the monitor dashboard while it runs with --monitor', async () => {
    const { code, err } = await run([
      'run',
      '--model',
      'llm',
      '--steps',
      '3',
      '--time-scale',
      '0',
      '--monitor',
    ]);
    expect(code).toBe(0);
    expect(err).toMatch(/monitor dashboard at http:\/\/127\.0\.0\.1:\d+/);
  });

  it('survives injected faults: retries, and malformed answers are counted, not fatal', async () => {
    const report = join(dir, 'f.json');
    const { code } = await run([
      'run',
      '--model',
      'llm',
      '--seed',
      '8',
      '--steps',
      '5',
      '--time-scale',
      '0',
      '--fault-rate',
      '0.3',
      '--quiet',
      '--report',
      report,
    ]);
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    expect(r.requests).toBe(50);
    expect(r.steps).toBe(5);
  });
});

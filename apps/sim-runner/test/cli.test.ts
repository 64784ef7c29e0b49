import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HELP, main } from '../src/cli.js';

function capture(isTTY = false) {
  let text = '';
  return {
    stream: { isTTY, columns: 200, write: (chunk: string) => (text += chunk) },
    text: () => text,
  };
}

/** Runs the CLI; `run` uses the Boltzmann model unless the test names one (the LLM model has its own tests). */
async function run(args: string[], isTTY = false) {
  if (args[0] === 'run' && !args.includes('--model')) args = [...args, '--model', 'boltzmann'];
  const stdout = capture();
  const stderr = capture(isTTY);
  const code = await main(args, { stdout: stdout.stream, stderr: stderr.stream });
  return { code, out: stdout.text(), err: stderr.text() };
}

describe('sim-runner CLI', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-runner-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('--help explains every option', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    for (const option of [
      '--scenario',
      '--config',
      '--seed',
      '--model',
      '--llm-base-url',
      '--report',
      '--html',
      '--csv',
      '--checkpoint',
      '--resume',
    ]) {
      expect(out).toContain(option);
    }
    expect(HELP).toContain('normal_load');
    expect((await run([])).code).toBe(2);
  });

  it('runs normal_load and writes the JSON, HTML and CSV reports', async () => {
    const report = join(dir, 'r.json');
    const html = join(dir, 'r.html');
    const csv = join(dir, 'r.csv');
    const { code, out, err } = await run([
      'run',
      '--scenario',
      'normal_load',
      '--seed',
      '42',
      '--report',
      report,
      '--html',
      html,
      '--csv',
      csv,
    ]);
    expect(code).toBe(0);
    expect(out).toContain('Performance targets');
    expect(out).toMatch(/avg_response_time\s+<= 1\.00 s\s+\S+ µs\s+PASS/);
    expect(out).toMatch(/cache_hit_rate .* n\/a/);
    expect(err).toContain('step 100/100');
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json).toMatchObject({
      scenario: 'normal_load',
      model: 'boltzmann',
      seed: 42,
      agents: 10,
      steps: 100,
      concurrency: 5,
      requests: 1000,
      llmCalls: 0,
      cacheHits: 0,
      throughputLimit: null,
    });
    expect(typeof json.wallSeconds).toBe('number');
    expect(json.targets).toHaveLength(5);
    expect(json.series.model.Gini).toHaveLength(100);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(readFileSync(csv, 'utf8').split('\r\n')[0]).toBe('Step,Gini');
  });

  it('same seed => identical model output', async () => {
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    await run(['run', '--seed', '7', '--steps', '30', '--csv', a, '--quiet']);
    await run(['run', '--seed', '7', '--steps', '30', '--csv', b, '--quiet']);
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
  });

  it('runs high_load and stress_test from the configuration (shortened with --steps)', async () => {
    for (const scenario of ['high_load', 'stress_test']) {
      const report = join(dir, `${scenario}.json`);
      const { code } = await run([
        'run',
        '--scenario',
        scenario,
        '--steps',
        '5',
        '--quiet',
        '--report',
        report,
      ]);
      expect(code).toBe(0);
      const json = JSON.parse(readFileSync(report, 'utf8'));
      expect(json.requests).toBe(json.agents * 5);
      expect([json.agents, json.concurrency]).toEqual(scenario === 'high_load' ? [50, 20] : [100, 50]);
    }
    const list = await run(['scenarios']);
    expect(list.out).toContain('stress_test    100 agents, 1000 steps, 50 concurrent');
  });

  it('resumes from a checkpoint and ends like the uninterrupted run', async () => {
    const ckpt = join(dir, 'run.ckpt');
    const whole = join(dir, 'whole.csv');
    const resumed = join(dir, 'resumed.csv');
    await run(['run', '--seed', '9', '--steps', '40', '--csv', whole, '--quiet']);
    await run(['run', '--seed', '9', '--steps', '15', '--checkpoint', ckpt, '--quiet']);
    expect(existsSync(ckpt)).toBe(true);
    const { code } = await run(['run', '--resume', ckpt, '--steps', '40', '--csv', resumed, '--quiet']);
    expect(code).toBe(0);
    expect(readFileSync(resumed, 'utf8')).toBe(readFileSync(whole, 'utf8'));
  });

  it('draws a bar on a terminal', async () => {
    const { err } = await run(['run', '--steps', '3'], true);
    expect(err).toContain('\r[');
    expect(err).toContain('ETA');
  });

  it('stops cleanly when its signal aborts (Ctrl-C)', async () => {
    const ac = new AbortController();
    let err = '';
    const running = main(['run', '--model', 'boltzmann', '--steps', '100000', '--quiet'], {
      stdout: { write: () => true },
      stderr: { write: (c: string) => (err += c) },
      signal: ac.signal,
    });
    setTimeout(() => ac.abort(new Error('interrupted (Ctrl-C)')), 20);
    expect(await running).toBe(130);
    expect(err).toContain('stopped: interrupted (Ctrl-C)');
  });

  it('reports usage and configuration errors clearly', async () => {
    expect(await run(['run', '--scenario', 'nope'])).toMatchObject({
      code: 1,
      err: expect.stringContaining('normal_load, high_load, stress_test'),
    });
    expect(await run(['run', '--seed', 'abc'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--seed expects an integer'),
    });
    expect(await run(['run', '--bogus'])).toMatchObject({ code: 2 });
    expect(await run(['fly'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown command') });
    expect(await run(['run', '--model', 'gpt', '--quiet'])).toMatchObject({
      code: 1,
      err: expect.stringContaining('available: boltzmann, llm'),
    });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'performance_optimization:\n  caching:\n    levels:\n      hot:\n        max_size: -5\n',
    );
    expect(await run(['run', '--config', bad])).toMatchObject({
      code: 1,
      err: expect.stringContaining(
        'performance_optimization.caching.levels.hot.max_size: expected a positive integer',
      ),
    });
  });
});

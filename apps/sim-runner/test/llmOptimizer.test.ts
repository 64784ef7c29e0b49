import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli.js';
import { RunSignals } from '../src/llmOptimizer.js';

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: { write: (c: string) => (out += c) },
    stderr: { write: (c: string) => (err += c) },
  });
  return { code, out, err };
}

// Short intervals so that the optimizer samples and decides within a run of about a second.
const config = (enabled: boolean) => `performance_optimization:
  adaptive_optimization:
    enabled: ${enabled}
    optimization_interval: 0.1
    sample_interval: 0.02
`;

describe('adaptive_optimization in a run (@hp/optimizer, emulator in-process)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-runner-opt-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const runWith = async (enabled: boolean) => {
    const file = join(dir, `opt-${enabled}.yaml`);
    writeFileSync(file, config(enabled));
    const report = join(dir, `opt-${enabled}.json`);
    const html = join(dir, `opt-${enabled}.html`);
    const result = await run([
      'run',
      '--model',
      'llm',
      '--config',
      file,
      '--seed',
      '3',
      '--steps',
      '40',
      '--time-scale',
      '0.01',
      '--quiet',
      '--report',
      report,
      '--html',
      html,
    ]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    return { ...result, json: JSON.parse(readFileSync(report, 'utf8')), page: readFileSync(html, 'utf8') };
  };

  it('enabled: true starts the optimizer, which turns the LLM concurrency and audits every move', async () => {
    const { json, out, page } = await runWith(true);
    expect(json.optimizer.enabled).toBe(true);
    const knob = json.optimizer.knobs['llm.concurrency'];
    expect(knob.initial).toBe(5);
    expect(json.optimizer.audit.length).toBeGreaterThan(0);
    const entry = json.optimizer.audit[0];
    expect(entry).toMatchObject({ knob: 'llm.concurrency', group: 'llm.concurrency' });
    expect(['kept', 'rolled_back', 'hard_rollback', 'controlled']).toContain(entry.decision);
    // The last audited value is where the knob ended (AIMD moves it every sample, audits once per interval).
    expect(knob.final).toBeGreaterThanOrEqual(1);
    expect(knob.final).toBeLessThanOrEqual(20);
    expect(knob.final).not.toBe(5);
    expect(out).toMatch(/optimizer: \d+ decisions .*llm\.concurrency 5 -> \d+/);
    expect(page).toContain('<h2>Adaptive optimization</h2>');
    expect(page).toContain('<table class="audit">');
  });

  it('enabled: false leaves every knob where the configuration put it', async () => {
    const { json, out, page } = await runWith(false);
    expect(json.optimizer).toEqual({
      enabled: false,
      knobs: { 'llm.concurrency': { initial: 5, final: 5, min: 1, max: 20 } },
      audit: [],
    });
    expect(out).toContain('optimizer: off');
    expect(page).toContain('Off (<code>adaptive_optimization.enabled: false</code>)');
  });
});

describe('RunSignals', () => {
  it('gives mean and p95 latency of LLM calls, throughput and new 429s over the last window', () => {
    let now = 0;
    let total429 = 0;
    const s = new RunSignals({ clock: () => now, windowSeconds: 1, count429: () => total429, capacity: 8 });
    const signals = s.signals();
    expect(signals.rtt!()).toBeNaN();
    for (const l of [0.1, 0.2, 0.3, NaN]) {
      s.add(l);
      now += 100;
    }
    expect(signals.rtt!()).toBeCloseTo(0.2, 9);
    expect(signals.p95!()).toBe(0.3);
    expect(signals.throughput!()).toBe(4);
    total429 = 3;
    expect(signals.rateLimited!()).toBe(3);
    expect(signals.rateLimited!()).toBe(0);
    now += 2000; // everything is older than the window
    expect(signals.throughput!()).toBe(0);
  });
});

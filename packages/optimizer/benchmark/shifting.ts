// The evaluation: the sim-runner's LLM-agent model against the @hp/llm emulator whose conditions shift
// mid-run (latency doubles, then the rate limit halves), with the optimizer off (the sketch's static defaults),
// on, and the best static concurrency per phase from a grid of static runs (the oracle).
//
// Each run is a child process: `node --import tsx apps/sim-runner/benchmark/shifting.ts` (the sim-runner's
// shifting driver). This package never imports the app; it writes a config and a shift schedule, runs the app,
// and reads the windows the app measured.
//
//   npm run -s bench:shifting -w @hp/optimizer -- [--json] [--parallel 2] [--out DIR] [--grid 20,35,50,65,80]
//   ... -- --analyze --out DIR    re-analyses the runs kept in DIR without running again
//
// Time is scaled: the emulator runs at TIME_SCALE (its latencies and its rate-limit minute are multiplied by
// it) and the optimizer's control interval is CONTROL_INTERVAL s of wall time instead of the sketch's 300 s.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const script = join(root, 'apps/sim-runner/benchmark/shifting.ts');

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    parallel: { type: 'string', default: '2' },
    out: { type: 'string' },
    grid: { type: 'string', default: '20,35,50,65,80' },
    seed: { type: 'string', default: '1' },
    'phase-seconds': { type: 'string', default: '60' },
    analyze: { type: 'boolean', default: false },
  },
});

/** Emulator wall-clock ms per emulated ms: an emulated minute (the rate-limit window) is 12 s. */
const TIME_SCALE = 0.2;
/** The optimizer's control interval (the sketch's `optimization_interval: 300`), seconds of wall time. */
const CONTROL_INTERVAL = 2;
/** The optimizer samples its signals (and AIMD moves) every SAMPLE_INTERVAL s. */
const SAMPLE_INTERVAL = 0.5;
const PHASE_SECONDS = Number(values['phase-seconds']);
/** The sketch's defaults: `max_concurrent_tasks: 20`, `p95_response_time: 3.0` s (scaled to wall time). */
const STATIC_CONCURRENCY = 20;
const P95_TARGET = 3.0;
const AGENTS = 100;
const SEED = Number(values.seed);

interface Phase {
  name: string;
  latency?: { ttftMs: number; perTokenMs: number };
  rpm?: number;
}
/** Cumulative shifts: each phase keeps the previous ones' changes. Latency in emulated ms, rpm per emulated minute. */
const PHASES: Phase[] = [
  { name: 'baseline', latency: { ttftMs: 1200, perTokenMs: 60 }, rpm: 480 },
  { name: 'latency x2', latency: { ttftMs: 2400, perTokenMs: 120 } },
  { name: 'rate limit / 2', rpm: 240 },
];

interface Window {
  index: number;
  start: number;
  end: number;
  phase: string;
  requests: number;
  throughput: number;
  errors: number;
  mean: number | null;
  p95: number | null;
  rateLimited: number;
  concurrency: number;
}
interface Run {
  label: string;
  windows: Window[];
  report: { throughput: number; p95ResponseTime: number | null; requests: number; errors: number };
  audit: number;
}

const outDir = values.out ?? join(tmpdir(), `hp-optimizer-shifting-${process.pid}`);
mkdirSync(outDir, { recursive: true });

function config(optimizer: boolean, concurrency: number): string {
  return `performance_optimization:
  adaptive_optimization:
    enabled: ${optimizer}
    optimization_interval: ${CONTROL_INTERVAL}
    sample_interval: ${SAMPLE_INTERVAL}
benchmarking:
  load_testing:
    scenarios:
      - name: shifting
        agents: ${AGENTS}
        simulation_steps: 1000000
        concurrent_requests: ${concurrency}
    performance_targets:
      p95_response_time: ${P95_TARGET}
`;
}

function schedule(out: string): string {
  return JSON.stringify({
    windowSeconds: CONTROL_INTERVAL,
    durationSeconds: PHASES.length * PHASE_SECONDS,
    phases: PHASES.map((p, i) => ({ ...p, at: i * PHASE_SECONDS })),
    out,
  });
}

function loadRun(label: string): Run {
  const base = join(outDir, label);
  const windows = (JSON.parse(readFileSync(`${base}.windows.json`, 'utf8')) as { windows: Window[] }).windows;
  const report = JSON.parse(readFileSync(`${base}.report.json`, 'utf8')) as Run['report'] & {
    optimizer: { audit: unknown[] } | null;
  };
  return { label, windows, report, audit: report.optimizer?.audit.length ?? 0 };
}

async function runOne(
  label: string,
  optimizer: boolean,
  concurrency: number,
  extra: string[] = [],
): Promise<Run> {
  const base = join(outDir, label);
  writeFileSync(`${base}.yaml`, config(optimizer, concurrency));
  writeFileSync(`${base}.shifts.json`, schedule(`${base}.windows.json`));
  const args = ['--import', 'tsx', script, '--config', `${base}.yaml`, '--shifts', `${base}.shifts.json`];
  args.push(
    '--pipeline',
    '--scenario',
    'shifting',
    '--seed',
    String(SEED),
    '--time-scale',
    String(TIME_SCALE),
  );
  args.push('--report', `${base}.report.json`, ...extra);
  await new Promise<void>((ok, fail) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`${label}: exit ${code}\n${err}`))));
  });
  return loadRun(label);
}

async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]!();
      }
    }),
  );
  return results;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
const windowsPerPhase = PHASE_SECONDS / CONTROL_INTERVAL;
const phaseOf = (w: Window) => Math.min(PHASES.length - 1, Math.floor(w.start / PHASE_SECONDS + 1e-9));
/** Windows of a phase's second half (after the transient), by index. */
const secondHalf = (run: Run, p: number) =>
  run.windows.filter(
    (w) =>
      phaseOf(w) === p &&
      w.end <= (p + 1) * PHASE_SECONDS + 1e-6 &&
      w.start >= (p + 0.5) * PHASE_SECONDS - 1e-6,
  );
/** Throughput and p95 of a phase's second half: mean of window throughputs, mean of window p95s. */
function phaseFigures(run: Run, p: number): { throughput: number; p95: number } {
  const ws = secondHalf(run, p);
  return { throughput: mean(ws.map((w) => w.throughput)), p95: mean(ws.map((w) => w.p95 ?? NaN)) };
}

const grid = values.grid!.split(',').map(Number);
if (!grid.includes(STATIC_CONCURRENCY)) grid.push(STATIC_CONCURRENCY);
grid.sort((a, b) => a - b);
const labels = ['optimizer', 'optimizer-plain', ...grid.map((c) => `static-c${c}`)];
const started = performance.now();
let runs: Run[];
if (values.analyze) {
  // Re-analyse the runs already in --out (no new run).
  runs = labels.map(loadRun);
} else {
  const jobs: (() => Promise<Run>)[] = [
    () => runOne('optimizer', true, STATIC_CONCURRENCY),
    // The optimizer wired as the `llm` driver wires it: AIMD on 429s and the p95 timeout, no queue signal.
    () => runOne('optimizer-plain', true, STATIC_CONCURRENCY, ['--queue-tolerance', 'off']),
    ...grid.map((c) => () => runOne(`static-c${c}`, false, c)),
  ];
  runs = await pool(jobs, Number(values.parallel));
}
const wallSeconds = (performance.now() - started) / 1000;
const byLabel = new Map(runs.map((r) => [r.label, r]));
const stat = byLabel.get(`static-c${STATIC_CONCURRENCY}`)!;
const statics = grid.map((c) => byLabel.get(`static-c${c}`)!);

// Oracle per phase: the grid's best static concurrency for the phase (second half) among those whose p95 is
// no worse than the static defaults' (5% tolerance for window noise): the goal's own constraint.
const oracle = PHASES.map((_, p) => {
  const s = phaseFigures(stat, p);
  let best = { c: STATIC_CONCURRENCY, ...s };
  for (const [i, r] of statics.entries()) {
    const f = phaseFigures(r, p);
    if (f.p95 <= s.p95 * 1.05 && f.throughput > best.throughput) best = { c: grid[i]!, ...f };
  }
  return best;
});

/** 3-window (6 s) moving means of throughput: the pipelined model completes in bursts of a few seconds. */
const smooth = (ws: Window[]) =>
  ws.map((_, i) => mean(ws.slice(Math.max(0, i - 1), i + 2).map((w) => w.throughput)));

function evaluate(opt: Run) {
  const phases = PHASES.map((phase, p) => {
    const s = phaseFigures(stat, p);
    const o = phaseFigures(opt, p);
    // Recovery: control intervals from the shift until the 3-window mean first reaches 0.9 x the oracle.
    const ws = opt.windows.filter((w) => phaseOf(w) === p);
    let recovered: number | null = null;
    for (let i = 0; i + 2 < ws.length; i++) {
      if (mean(ws.slice(i, i + 3).map((w) => w.throughput)) >= 0.9 * oracle[p]!.throughput) {
        recovered = i;
        break;
      }
    }
    return {
      phase: phase.name,
      static: s,
      optimizer: o,
      oracle: oracle[p]!,
      optimizerOverOracle: o.throughput / oracle[p]!.throughput,
      optimizerOverStatic: o.throughput / s.throughput,
      p95OverStatic: o.p95 / s.p95,
      intervalsToRecover: recovered,
    };
  });
  const n = Math.min(opt.windows.length, stat.windows.length);
  const worst = (a: number[], b: number[]) => {
    let w = { ratio: Infinity, window: -1 };
    for (let i = 0; i < n; i++) if (a[i]! / b[i]! < w.ratio) w = { ratio: a[i]! / b[i]!, window: i };
    return w;
  };
  const oSmooth = smooth(opt.windows.slice(0, n));
  const sSmooth = smooth(stat.windows.slice(0, n));
  return {
    throughputRatio: opt.report.throughput / stat.report.throughput,
    p95: { optimizer: opt.report.p95ResponseTime, static: stat.report.p95ResponseTime },
    phases,
    worstWindow: worst(
      opt.windows.map((w) => w.throughput),
      stat.windows.map((w) => w.throughput),
    ),
    worstWindow6s: worst(oSmooth, sSmooth),
    windowsBelowStatic: opt.windows
      .slice(0, n)
      .filter((w, i) => w.throughput < 0.95 * stat.windows[i]!.throughput).length,
    windows: n,
  };
}

const result = {
  timeScale: TIME_SCALE,
  controlIntervalSeconds: CONTROL_INTERVAL,
  sampleIntervalSeconds: SAMPLE_INTERVAL,
  phaseSeconds: PHASE_SECONDS,
  windowsPerPhase,
  agents: AGENTS,
  grid,
  wallSeconds,
  oracle,
  runs: runs.map((r) => ({
    label: r.label,
    throughput: r.report.throughput,
    p95: r.report.p95ResponseTime,
    requests: r.report.requests,
    errors: r.report.errors,
    audit: r.audit,
    phases: PHASES.map((_, p) => phaseFigures(r, p)),
    concurrencyPerWindow: r.windows.map((w) => w.concurrency),
    throughputPerWindow: r.windows.map((w) => Math.round(w.throughput * 10) / 10),
  })),
  optimizer: evaluate(byLabel.get('optimizer')!),
  optimizerPlain: evaluate(byLabel.get('optimizer-plain')!),
};

if (values.json) {
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
} else {
  const f = (x: number | null, d = 2) => (x === null ? 'n/a' : x.toFixed(d));
  for (const r of result.runs) {
    const phases = r.phases.map((p) => `${f(p.throughput, 1)} req/s p95 ${f(p.p95)} s`).join(' | ');
    process.stdout.write(
      `${r.label.padEnd(16)} run ${f(r.throughput, 1)} req/s p95 ${f(r.p95)} s | ${phases}\n`,
    );
  }
  for (const key of ['optimizer', 'optimizerPlain'] as const) {
    const e = result[key];
    process.stdout.write(
      `\n${key}: throughput ${f(e.throughputRatio)}x static, p95 ${f(e.p95.optimizer)} s vs ${f(e.p95.static)} s; ` +
        `worst window ${f(e.worstWindow.ratio)} (#${e.worstWindow.window}), 6 s ${f(e.worstWindow6s.ratio)}; ` +
        `${e.windowsBelowStatic}/${e.windows} windows < 0.95 x static\n`,
    );
    for (const p of e.phases) {
      process.stdout.write(
        `  ${p.phase.padEnd(15)} opt/oracle ${f(p.optimizerOverOracle)} (oracle c=${p.oracle.c}), opt/static ` +
          `${f(p.optimizerOverStatic)}, p95 opt/static ${f(p.p95OverStatic)}, recovered after ${p.intervalsToRecover ?? 'never'}\n`,
      );
    }
  }
}
process.stderr.write(`(runs in ${outDir}, ${wallSeconds.toFixed(0)} s)\n`);

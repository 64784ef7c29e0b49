// The issue's evaluation: the sim-runner's LLM-agent model against the @hp/llm emulator whose conditions shift
// mid-run, with the optimizer off (the sketch's static defaults), on, and the best static configuration per
// phase from a grid of static runs (the oracle). Scenarios:
//   combined    the issue's schedule in one run: latency doubles, then the rate limit halves, then the agents'
//               key popularity shifts. Every decision asks about a recurring situation of one of two kinds, whose
//               LLM-response caches share an entry budget; the optimizer turns the LLM concurrency (AIMD) and the
//               split of the budget (cache-budget tuner); the oracle's grid is concurrencies x splits. Default.
//   shifting    latency doubles, then the rate limit halves, on the model's own never-repeating prompts (no
//               cache reuse); the optimizer turns the concurrency; the grid is static concurrencies.
//   popularity  the key popularity shift alone, at a rate limit that binds; the grid is static splits.
//
// Each run is a child process: `node --import tsx apps/sim-runner/benchmark/shifting.ts` (the sim-runner's
// shifting driver). This package never imports the app; it writes a config and a shift schedule, runs the app,
// and reads the windows the app measured.
//
//   npm run -s bench:shifting -w @hp/optimizer -- [--json] [--parallel 2] [--out DIR]
//       [--scenarios combined,shifting,popularity] [--runs LABEL,...] [--combined-phase-seconds 90]
//       [--combined-grid 20,35,50,80] [--combined-splits 0.2,0.8] [--grid 20,35,50,65,80] [--phase-seconds 60]
//       [--window-seeds 2,3]   (the static defaults and the optimizer again at these seeds: windows as means)
//   ... -- --analyze --out DIR    re-analyses the runs kept in DIR without running again (same options)
//
// Time is scaled: the emulator runs at TIME_SCALE (its latencies and its rate-limit minute are multiplied by
// it) and the optimizer's control interval is a few seconds of wall time instead of the sketch's 300 s.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    /** The popularity scenario's oracle grid: the `decide` kind's share of the cache budget. */
    'split-grid': { type: 'string', default: '0.2,0.35,0.5,0.65,0.8' },
    seed: { type: 'string', default: '1' },
    /** Phase length of the shifting scenario (the popularity scenario's phases are 1.5x as long). */
    'phase-seconds': { type: 'string', default: '60' },
    /** Phase length of the popularity scenario (default 1.5x --phase-seconds). */
    'pop-phase-seconds': { type: 'string' },
    /** AIMD's queue tolerance for the optimizer arm (default: the shifting driver's). */
    'queue-tolerance': { type: 'string' },
    /** Most budget steps one cache move may take, for the optimizer arm (default: the shifting driver's, 2). */
    'cache-max-steps': { type: 'string' },
    scenarios: { type: 'string', default: 'combined' },
    /** The combined scenario: its rate limit before it halves (requests per emulated minute), control interval
     * and phase length (s), and its oracle grid: concurrencies x `decide` shares of the cache budget (the static
     * defaults, c=20 with a 50% share, are always run). */
    'combined-rpm': { type: 'string', default: '240' },
    'combined-interval': { type: 'string', default: '10' },
    'combined-phase-seconds': { type: 'string', default: '90' },
    'combined-grid': { type: 'string', default: '20,35,50,80' },
    'combined-splits': { type: 'string', default: '0.2,0.8' },
    analyze: { type: 'boolean', default: false },
    /** Only these runs (comma-separated labels, e.g. optimizer,static-c20): for iterating on a short schedule. */
    runs: { type: 'string' },
    /**
     * More seeds for the window goal (comma-separated, e.g. 2,3): the static defaults and the optimizer run again
     * at each (files `<label>.seed<N>.*`), and the windows are also compared as means over all the seeds.
     */
    'window-seeds': { type: 'string' },
  },
});

/** Emulator wall-clock ms per emulated ms: an emulated minute (the rate-limit window) is 12 s. */
const TIME_SCALE = 0.2;
/** The optimizer samples its signals (and AIMD moves) every SAMPLE_INTERVAL s. */
const SAMPLE_INTERVAL = 0.5;
/** The sketch's defaults: `max_concurrent_tasks: 20`, `p95_response_time: 3.0` s (scaled to wall time). */
const STATIC_CONCURRENCY = 20;
const P95_TARGET = 3.0;
const AGENTS = 100;
const SEED = Number(values.seed);
const WINDOW_SEEDS = (values['window-seeds'] ?? '')
  .split(',')
  .filter((x) => x.trim() !== '')
  .map((x) => {
    const n = Number(x);
    if (!Number.isInteger(n) || n === SEED)
      throw new RangeError(`--window-seeds: ${x} is not an integer other than --seed`);
    return n;
  });
/** File label of an arm's run at `seed` (the main seed keeps the bare label). */
const seedLabel = (label: string, seed: number) => (seed === SEED ? label : `${label}.seed${seed}`);
const BASE_PHASE_SECONDS = Number(values['phase-seconds']);

interface Phase {
  name: string;
  latency?: { ttftMs: number; perTokenMs: number };
  rpm?: number;
  /** The emulator's rate-limit buckets set to this fill (0..1) when the phase starts. */
  rateLimitFill?: number;
  keys?: Record<string, { share: number; keys: number; zipf: number }>;
}

interface Arm {
  label: string;
  optimizer: boolean;
  concurrency: number;
  /** Entries per request kind at the start (popularity scenario). */
  cache?: Record<string, number>;
  extra?: string[];
  /** A static configuration the oracle may pick, and how the report names it. */
  oracle?: string;
}

interface Scenario {
  name: string;
  /** The optimizer's control interval (`optimization_interval`), s of wall time; also the window length. */
  controlInterval: number;
  phaseSeconds: number;
  phases: Phase[];
  cacheBudget?: number;
  arms: Arm[];
  /** The sketch's static defaults. */
  staticLabel: string;
  /** Optimizer arms to evaluate (key in the result, label). */
  evaluated: [string, string][];
}

/** The optimizer arms' driver settings from the command line. */
const optimizerExtra = [
  ...(values['queue-tolerance'] ? ['--queue-tolerance', values['queue-tolerance']] : []),
  ...(values['cache-max-steps'] ? ['--cache-max-steps', values['cache-max-steps']] : []),
];
const grid = values.grid!.split(',').map(Number);
if (!grid.includes(STATIC_CONCURRENCY)) grid.push(STATIC_CONCURRENCY);
grid.sort((a, b) => a - b);

/** Latency doubles, then the provider's rate limit halves (cumulative). Latency in emulated ms, rpm per emulated minute. */
const shifting: Scenario = {
  name: 'shifting',
  controlInterval: 2,
  phaseSeconds: BASE_PHASE_SECONDS,
  phases: [
    { name: 'baseline', latency: { ttftMs: 1200, perTokenMs: 60 }, rpm: 480 },
    { name: 'latency x2', latency: { ttftMs: 2400, perTokenMs: 120 } },
    { name: 'rate limit / 2', rpm: 240 },
  ],
  arms: [
    {
      label: 'optimizer',
      optimizer: true,
      concurrency: STATIC_CONCURRENCY,
      extra: optimizerExtra,
    },
    // The optimizer wired as the `llm` driver wires it: AIMD on 429s and the p95 timeout, no queue signal.
    {
      label: 'optimizer-plain',
      optimizer: true,
      concurrency: STATIC_CONCURRENCY,
      extra: ['--queue-tolerance', 'off'],
    },
    ...grid.map((c) => ({ label: `static-c${c}`, optimizer: false, concurrency: c, oracle: `c=${c}` })),
  ],
  staticLabel: `static-c${STATIC_CONCURRENCY}`,
  evaluated: [
    ['optimizer', 'optimizer'],
    ['optimizerPlain', 'optimizer-plain'],
  ],
};

/**
 * The agents' key popularity shifts. Two request kinds, half the requests each, through their own response
 * caches sharing CACHE_BUDGET entries. Before the shift `decide` is a small catalogue with flat popularity
 * (its working set about fits the budget: memory there buys many hits) and `tools` a large skewed one (only
 * its head is worth caching); the shift swaps the roles, with new keys. The rate limit (120 requests per
 * emulated minute, 10 req/s of wall time) binds, so every cache hit is a decision the rate limit does not
 * delay. Control interval 10 s: with about 25 decisions/s a 2 s interval holds too few requests for the
 * gate to tell a hit-ratio change of a few points from noise (binomial noise of one 0.5 s sample: +-0.14).
 */
const CACHE_BUDGET = 200;
/** Before the shift: `decide` a small flat catalogue, `tools` a large skewed one; after it the roles swap. */
const POPULARITY_A: Phase['keys'] = {
  decide: { share: 0.5, keys: 160, zipf: 0.3 },
  tools: { share: 0.5, keys: 5000, zipf: 0.9 },
};
const POPULARITY_B: Phase['keys'] = {
  decide: { share: 0.5, keys: 5000, zipf: 0.9 },
  tools: { share: 0.5, keys: 160, zipf: 0.3 },
};
const splits = values['split-grid']!.split(',').map(Number);
if (!splits.includes(0.5)) splits.push(0.5);
splits.sort((a, b) => a - b);
const cacheOf = (share: number) => {
  const decide = Math.round(CACHE_BUDGET * share);
  return { decide, tools: CACHE_BUDGET - decide };
};
const popularity: Scenario = {
  name: 'popularity',
  controlInterval: 10,
  phaseSeconds: Number(values['pop-phase-seconds'] ?? BASE_PHASE_SECONDS * 1.5),
  cacheBudget: CACHE_BUDGET,
  phases: [
    {
      name: 'popularity A',
      latency: { ttftMs: 1200, perTokenMs: 60 },
      rpm: 120,
      keys: POPULARITY_A,
    },
    {
      name: 'popularity shift',
      keys: POPULARITY_B,
    },
  ],
  arms: [
    {
      label: 'pop-optimizer',
      optimizer: true,
      concurrency: STATIC_CONCURRENCY,
      cache: cacheOf(0.5),
      extra: optimizerExtra,
    },
    ...splits.map((sh) => ({
      label: `pop-static-d${Math.round(sh * 100)}`,
      optimizer: false,
      concurrency: STATIC_CONCURRENCY,
      cache: cacheOf(sh),
      oracle: `decide ${Math.round(sh * 100)}%`,
    })),
  ],
  staticLabel: 'pop-static-d50',
  evaluated: [['optimizer', 'pop-optimizer']],
};

/**
 * The issue's schedule in one run: latency doubles, then the provider's rate limit halves, then the agents' key
 * popularity shifts (cumulative). Every decision asks about a catalogue situation (two kinds, their caches
 * sharing CACHE_BUDGET entries), so the concurrency and the cache split both matter in every phase. The oracle's
 * grid is static concurrencies x static splits of the budget (the sketch's defaults: c=20, split 50/50).
 */
/** A positive number from the command line, or an error that names the option. */
function positive(option: string, value: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0))
    throw new RangeError(`--${option} must be a positive number, got "${value}"`);
  return n;
}
const positives = (option: 'combined-grid' | 'combined-splits') =>
  values[option]!.split(',').map((v) => positive(option, v));
const combinedSplits = positives('combined-splits');
if (combinedSplits.some((x) => x >= 1))
  throw new RangeError('--combined-splits are shares of the budget, in (0, 1)');
const combinedGrid = [...new Set([...positives('combined-grid'), STATIC_CONCURRENCY])].sort((a, b) => a - b);
const combinedRpm = positive('combined-rpm', values['combined-rpm']!);
const combinedLabel = (c: number, share: number) => `all-static-c${c}-d${Math.round(share * 100)}`;
const combined: Scenario = {
  name: 'combined',
  controlInterval: positive('combined-interval', values['combined-interval']!),
  phaseSeconds: positive('combined-phase-seconds', values['combined-phase-seconds']!),
  cacheBudget: CACHE_BUDGET,
  phases: [
    {
      name: 'baseline',
      latency: { ttftMs: 1200, perTokenMs: 60 },
      rpm: combinedRpm,
      // The bucket starts empty: every arm runs at the limit's refill rate from the start, so no phase is
      // measured while a static configuration still lives on the one-minute burst a fresh bucket grants.
      rateLimitFill: 0,
      keys: POPULARITY_A,
    },
    { name: 'latency x2', latency: { ttftMs: 2400, perTokenMs: 120 } },
    { name: 'rate limit / 2', rpm: combinedRpm / 2 },
    {
      name: 'popularity shift',
      keys: POPULARITY_B,
    },
  ],
  arms: [
    {
      label: 'all-optimizer',
      optimizer: true,
      concurrency: STATIC_CONCURRENCY,
      cache: cacheOf(0.5),
      extra: optimizerExtra,
    },
    ...combinedGrid.flatMap((c) =>
      [...new Set([...combinedSplits, ...(c === STATIC_CONCURRENCY ? [0.5] : [])])]
        .sort((a, b) => a - b)
        .map((sh) => ({
          label: combinedLabel(c, sh),
          optimizer: false,
          concurrency: c,
          cache: cacheOf(sh),
          oracle: `c=${c}, decide ${Math.round(sh * 100)}%`,
        })),
    ),
  ],
  staticLabel: combinedLabel(STATIC_CONCURRENCY, 0.5),
  evaluated: [['optimizer', 'all-optimizer']],
};

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
  hitRatio?: number | null;
  cacheSizes?: Record<string, number>;
}
interface Run {
  label: string;
  windows: Window[];
  report: { throughput: number; p95ResponseTime: number | null; requests: number; errors: number };
  audit: number;
}

const outDir = values.out ?? join(tmpdir(), `hp-optimizer-shifting-${process.pid}`);
mkdirSync(outDir, { recursive: true });

function config(sc: Scenario, arm: Arm): string {
  return `performance_optimization:
  adaptive_optimization:
    enabled: ${arm.optimizer}
    optimization_interval: ${sc.controlInterval}
    sample_interval: ${SAMPLE_INTERVAL}
benchmarking:
  load_testing:
    scenarios:
      - name: shifting
        agents: ${AGENTS}
        simulation_steps: 1000000
        concurrent_requests: ${arm.concurrency}
    performance_targets:
      p95_response_time: ${P95_TARGET}
`;
}

function schedule(sc: Scenario, arm: Arm, out: string): string {
  return JSON.stringify({
    windowSeconds: sc.controlInterval,
    durationSeconds: sc.phases.length * sc.phaseSeconds,
    phases: sc.phases.map((p, i) => ({ ...p, at: i * sc.phaseSeconds })),
    ...(sc.cacheBudget
      ? { cache: { budget: sc.cacheBudget, ...(arm.cache ? { initial: arm.cache } : {}) } }
      : {}),
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

async function runOne(sc: Scenario, arm: Arm, seed = SEED): Promise<Run> {
  const label = seedLabel(arm.label, seed);
  const base = join(outDir, label);
  writeFileSync(`${base}.yaml`, config(sc, arm));
  writeFileSync(`${base}.shifts.json`, schedule(sc, arm, `${base}.windows.json`));
  const args = ['--import', 'tsx', script, '--config', `${base}.yaml`, '--shifts', `${base}.shifts.json`];
  args.push(
    '--pipeline',
    '--scenario',
    'shifting',
    '--seed',
    String(seed),
    '--time-scale',
    String(TIME_SCALE),
  );
  args.push('--report', `${base}.report.json`, ...(arm.extra ?? []));
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
const round = (x: number | null | undefined, d = 1) =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d;

function analyse(sc: Scenario, runs: Run[]) {
  const phaseOf = (w: Window) => Math.min(sc.phases.length - 1, Math.floor(w.start / sc.phaseSeconds + 1e-9));
  /** Windows of a phase's second half (after the transient). */
  const secondHalf = (run: Run, p: number) =>
    run.windows.filter(
      (w) =>
        phaseOf(w) === p &&
        w.end <= (p + 1) * sc.phaseSeconds + 1e-6 &&
        w.start >= (p + 0.5) * sc.phaseSeconds - 1e-6,
    );
  /** Throughput and p95 of a phase's second half: mean of window throughputs, mean of window p95s. */
  const phaseFigures = (run: Run, p: number) => {
    const ws = secondHalf(run, p);
    const hits = ws.map((w) => w.hitRatio ?? NaN).filter(Number.isFinite);
    return {
      throughput: mean(ws.map((w) => w.throughput)),
      p95: mean(ws.map((w) => w.p95 ?? NaN)),
      ...(hits.length
        ? {
            hitRatio: mean(hits),
            // requests that reached the provider (misses), per second: what the rate limit bounds
            llmCalls: mean(ws.map((w) => w.throughput * (1 - (w.hitRatio ?? 0)))),
          }
        : {}),
    };
  };
  const byLabel = new Map(runs.map((r) => [r.label, r]));
  const stat = byLabel.get(sc.staticLabel);
  if (!stat) return { scenario: sc.name, runs: runs.map((r) => r.label), note: 'no static run' };
  const candidates = sc.arms.filter((a) => a.oracle && byLabel.has(a.label));
  // Oracle per phase: the grid's best static configuration for the phase (second half) among those whose
  // p95 is no worse than the static defaults' (5% tolerance for window noise): the goal's own constraint.
  const oracle = sc.phases.map((_, p) => {
    const s = phaseFigures(stat, p);
    let best = { config: sc.arms.find((a) => a.label === sc.staticLabel)!.oracle!, ...s };
    for (const a of candidates) {
      const f = phaseFigures(byLabel.get(a.label)!, p);
      if (f.p95 <= s.p95 * 1.05 && f.throughput > best.throughput) best = { config: a.oracle!, ...f };
    }
    return best;
  });
  /** 3-window moving means of throughput (secondary figure; the goal's window is one control interval). */
  const smooth = (ws: Window[]) =>
    ws.map((_, i) => mean(ws.slice(Math.max(0, i - 1), i + 2).map((w) => w.throughput)));
  const evaluate = (opt: Run) => {
    const phases = sc.phases.map((phase, p) => {
      const s = phaseFigures(stat, p);
      const o = phaseFigures(opt, p);
      // Recovery: control intervals from the shift until a 3-window mean first reaches 0.9 x the oracle.
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
      for (let i = 0; i < Math.min(a.length, b.length); i++)
        if (a[i]! / b[i]! < w.ratio) w = { ratio: a[i]! / b[i]!, window: i };
      return w;
    };
    /** The window goal's figures for optimizer windows `a` against static windows `b`. */
    const windowFigures = (a: number[], b: number[]) => {
      const m = Math.min(a.length, b.length);
      return {
        worstWindow: worst(a, b),
        windowsBelowStatic: a.slice(0, m).filter((v, i) => v < 0.95 * b[i]!).length,
        windows: m,
      };
    };
    const throughputs = (r: Run) => r.windows.map((w) => w.throughput);
    // The window goal over several seeds (--window-seeds): each window's mean throughput over the seeds, the
    // optimizer's against the static defaults'. One 10 s window of one run carries the noise of a few hundred
    // requests (the hit ratio's, amplified where the rate limit binds); the mean over k seeds carries 1/sqrt(k).
    const seeds = [SEED, ...WINDOW_SEEDS]
      .map((seed) => ({
        seed,
        opt: byLabel.get(seedLabel(opt.label, seed)),
        stat: byLabel.get(seedLabel(sc.staticLabel, seed)),
      }))
      .filter((x): x is { seed: number; opt: Run; stat: Run } => !!x.opt && !!x.stat);
    const overSeeds = () => {
      const m = Math.min(...seeds.flatMap((x) => [x.opt.windows.length, x.stat.windows.length]));
      const meanOf = (pick: (x: (typeof seeds)[number]) => Run) =>
        Array.from({ length: m }, (_, i) => mean(seeds.map((x) => pick(x).windows[i]!.throughput)));
      const o = meanOf((x) => x.opt);
      const st = meanOf((x) => x.stat);
      return {
        seeds: seeds.map((x) => x.seed),
        ...windowFigures(o, st),
        ratioPerWindow: o.map((v, i) => round(v / st[i]!, 2)),
        perSeed: seeds.map((x) => ({
          seed: x.seed,
          throughputRatio: x.opt.report.throughput / x.stat.report.throughput,
          worstWindow: worst(throughputs(x.opt), throughputs(x.stat)),
        })),
      };
    };
    return {
      throughputRatio: opt.report.throughput / stat.report.throughput,
      p95: { optimizer: opt.report.p95ResponseTime, static: stat.report.p95ResponseTime },
      phases,
      /** The goal's window: one control interval. */
      ...windowFigures(throughputs(opt), throughputs(stat)),
      worstWindow3: worst(smooth(opt.windows.slice(0, n)), smooth(stat.windows.slice(0, n))),
      ...(seeds.length > 1 ? { overSeeds: overSeeds() } : {}),
    };
  };
  return {
    scenario: sc.name,
    controlIntervalSeconds: sc.controlInterval,
    phaseSeconds: sc.phaseSeconds,
    windowsPerPhase: sc.phaseSeconds / sc.controlInterval,
    oracle,
    runs: runs
      .filter((r) => !r.label.includes('.seed'))
      .map((r) => ({
        label: r.label,
        throughput: r.report.throughput,
        p95: r.report.p95ResponseTime,
        requests: r.report.requests,
        errors: r.report.errors,
        audit: r.audit,
        phases: sc.phases.map((_, p) => phaseFigures(r, p)),
        concurrencyPerWindow: r.windows.map((w) => w.concurrency),
        throughputPerWindow: r.windows.map((w) => round(w.throughput)),
        p95PerWindow: r.windows.map((w) => round(w.p95, 2)),
        rateLimitedPerWindow: r.windows.map((w) => w.rateLimited),
        ...(r.windows.some((w) => w.cacheSizes)
          ? {
              hitRatioPerWindow: r.windows.map((w) => round(w.hitRatio, 2)),
              decideEntriesPerWindow: r.windows.map((w) => w.cacheSizes?.decide ?? null),
            }
          : {}),
      })),
    ...Object.fromEntries(
      sc.evaluated.map(([key, label]) => [key, byLabel.has(label) ? evaluate(byLabel.get(label)!) : null]),
    ),
  };
}

const chosen = values.scenarios!.split(',');
const scenarios = [shifting, popularity, combined].filter((sc) => chosen.includes(sc.name));
const only = values.runs?.split(',');
const started = performance.now();
const results: Record<string, ReturnType<typeof analyse>> = {};
const runsOf = new Map<Scenario, Run[]>();
if (values.analyze) {
  // Re-analyse the runs already in --out (no new run).
  for (const sc of scenarios) {
    runsOf.set(
      sc,
      [SEED, ...WINDOW_SEEDS]
        .flatMap((seed) => sc.arms.map((a) => seedLabel(a.label, seed)))
        .filter(
          (label) => (!only || only.includes(label)) && existsSync(join(outDir, `${label}.report.json`)),
        )
        .map((label) => loadRun(label)),
    );
  }
} else {
  const jobs: { sc: Scenario; run: () => Promise<Run> }[] = [];
  for (const sc of scenarios) {
    for (const arm of sc.arms)
      if (!only || only.includes(arm.label)) jobs.push({ sc, run: () => runOne(sc, arm) });
    // the window goal's extra seeds: the static defaults and the evaluated optimizer arms only
    const again = sc.arms.filter(
      (a) =>
        (a.label === sc.staticLabel || sc.evaluated.some(([, l]) => l === a.label)) &&
        (!only || only.includes(a.label)),
    );
    for (const seed of WINDOW_SEEDS)
      for (const arm of again) jobs.push({ sc, run: () => runOne(sc, arm, seed) });
  }
  const done = await pool(
    jobs.map((j) => j.run),
    Number(values.parallel),
  );
  for (const sc of scenarios)
    runsOf.set(
      sc,
      done.filter((_, i) => jobs[i]!.sc === sc),
    );
}
const wallSeconds = (performance.now() - started) / 1000;
for (const sc of scenarios) results[sc.name] = analyse(sc, runsOf.get(sc)!);

const result = {
  timeScale: TIME_SCALE,
  sampleIntervalSeconds: SAMPLE_INTERVAL,
  agents: AGENTS,
  grid,
  splits,
  combinedGrid,
  combinedSplits,
  wallSeconds,
  ...results,
};

if (values.json) {
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
} else {
  const f = (x: number | null | undefined, d = 2) => (x === null || x === undefined ? 'n/a' : x.toFixed(d));
  for (const sc of scenarios) {
    const r = results[sc.name]! as ReturnType<typeof analyse> & Record<string, unknown>;
    process.stdout.write(`\n== ${sc.name} (control interval ${sc.controlInterval} s)\n`);
    for (const run of (r.runs ?? []) as {
      label: string;
      throughput: number;
      p95: number | null;
      phases: { throughput: number; p95: number; hitRatio?: number }[];
    }[]) {
      const phases = run.phases
        .map(
          (p) =>
            `${f(p.throughput, 1)} req/s p95 ${f(p.p95)} s${p.hitRatio !== undefined ? ` hit ${f(p.hitRatio)}` : ''}`,
        )
        .join(' | ');
      process.stdout.write(
        `${run.label.padEnd(18)} run ${f(run.throughput, 1)} req/s p95 ${f(run.p95)} s | ${phases}\n`,
      );
    }
    for (const [key] of sc.evaluated) {
      const e = r[key] as unknown;
      if (!e || typeof e !== 'object' || !('phases' in e)) continue;
      const ev = e as {
        throughputRatio: number;
        p95: { optimizer: number | null; static: number | null };
        worstWindow: { ratio: number; window: number };
        worstWindow3: { ratio: number };
        windowsBelowStatic: number;
        windows: number;
        overSeeds?: {
          seeds: number[];
          worstWindow: { ratio: number; window: number };
          windowsBelowStatic: number;
          windows: number;
        };
        phases: {
          phase: string;
          optimizerOverOracle: number;
          oracle: { config: string };
          optimizerOverStatic: number;
          p95OverStatic: number;
          intervalsToRecover: number | null;
        }[];
      };
      process.stdout.write(
        `${key}: throughput ${f(ev.throughputRatio)}x static, p95 ${f(ev.p95.optimizer)} s vs ${f(ev.p95.static)} s; ` +
          `worst window ${f(ev.worstWindow.ratio)} (#${ev.worstWindow.window}), 3-window ${f(ev.worstWindow3.ratio)}; ` +
          `${ev.windowsBelowStatic}/${ev.windows} windows < 0.95 x static\n`,
      );
      if (ev.overSeeds) {
        const o = ev.overSeeds;
        process.stdout.write(
          `  windows as means over seeds ${o.seeds.join(', ')}: worst ${f(o.worstWindow.ratio)} (#${o.worstWindow.window}); ` +
            `${o.windowsBelowStatic}/${o.windows} < 0.95 x static\n`,
        );
      }
      for (const p of ev.phases) {
        process.stdout.write(
          `  ${p.phase.padEnd(17)} opt/oracle ${f(p.optimizerOverOracle)} (oracle ${p.oracle.config}), opt/static ` +
            `${f(p.optimizerOverStatic)}, p95 opt/static ${f(p.p95OverStatic)}, recovered after ${p.intervalsToRecover ?? 'never'}\n`,
        );
      }
    }
  }
}
process.stderr.write(`(runs in ${outDir}, ${wallSeconds.toFixed(0)} s)\n`);

import { writeFile } from 'node:fs/promises';
import type { Monitoring } from '@hp/monitor';
import { parseArgs } from 'node:util';
import { loadCheckpoint, restoreCheckpoint, saveCheckpoint, type Checkpoint } from './checkpoint.js';
import { ConfigError, defaultConfig, loadConfig, type SimConfig } from './config.js';
import { renderHtmlReport } from './htmlReport.js';
import { ProgressReporter, type ProgressStream } from './progress.js';
import { formatReportTable } from './report.js';
import { BUILTIN_DRIVERS, runSimulation } from './runner.js';
import { DEFAULT_SCENARIO, getScenario, listScenarios } from './scenarios.js';

export const HELP = `sim-runner: runs a Mesa-style agent-based simulation through the hp performance layers
and reports how it performed against the configured targets.

Usage
  sim-runner run [options]        run one scenario (default: ${DEFAULT_SCENARIO}) and print the report
  sim-runner scenarios [--config FILE]   list the scenarios of the configuration
  sim-runner --help               this text

Options of "run"
  --scenario NAME      scenario from benchmarking.load_testing.scenarios of the configuration:
                       normal_load (10 agents, 100 steps, 5 concurrent), high_load (50, 500, 20),
                       stress_test (100, 1000, 50) by default.
  --config FILE        YAML configuration (the design sketch's template; see config/default.yaml and
                       config/schema.json). Without it the built-in defaults (the same values) apply.
  --seed N             seed of the model's generator (0..4294967295). Same seed => same model output.
                       Without it a seed is drawn and printed, so the run can be repeated.
  --model KIND         model to run: ${Object.keys(BUILTIN_DRIVERS).join(', ')} (default llm).
                       llm: a wealth economy where each agent decides (give / keep / move) by an LLM call
                       through @hp/llm (cache, queue, rate limits, retries) from an observation and a memory.
                       boltzmann: Mesa's Boltzmann wealth model, no LLM (every agent decision is a request).
  --llm-base-url URL   OpenAI-compatible endpoint for --model llm (default: the emulator, started in-process;
                       a real provider reads its key from OPENAI_API_KEY).
  --llm-model ID       model id sent to the LLM (default gpt-4o-mini).
  --time-scale X       emulator wall-clock ms per emulated ms (default 0.01: 100x faster than a real API;
                       1 = real-time latencies, 0 = no waiting).
  --cache FILE         keep the LLM answers in a SQLite file under the in-process cache tiers (no expiry):
                       a second run of the same scenario and seed replays them with zero LLM calls.
  --fault-rate X       share of emulator requests that fail (HTTP 500/503/429, connection resets,
                       malformed bodies; default 0), to watch retries and error handling.
  --steps N            run N steps instead of the scenario's simulation_steps.
  --pipeline           (--model llm) pipelined steps: an agent's next decision starts right after its own
                       apply, so the LLM lanes stay busy across steps instead of waiting for each step's
                       slowest decision. Reproducible; an agent decides on the state after its own last turn.
  --lookahead          (--model llm) one step of look-ahead: an agent's decision for the next step starts as
                       soon as its own decision for this step is known, from the state at the end of the last
                       step plus that decision. Two steps' decisions in flight; reproducible. Not with --pipeline.
  --lookahead-steps N  --lookahead with N steps (1-100): an agent's decision for step s+N starts as soon as its
                       own decision for step s+N-1 is known, from the state at the end of step s-1 plus its own
                       decisions since; a straggler holds the lanes back only after N steps behind it are done.
  --backlog N          (--pipeline / --lookahead) decisions admitted beyond the scenario's concurrency, queued
                       in the LLM client so that its slots stay busy through retry back-offs (default: half
                       the concurrency with --lookahead, 0 otherwise).
  --report FILE.json   write the report as JSON (targets, requests, llmCalls, cacheHits, wallSeconds,
                       throughputLimit, time series, the DataCollector's model rows).
  --html FILE.html     write a self-contained HTML report with charts (opens offline).
  --csv FILE.csv       write the DataCollector's model variables as CSV.
  --checkpoint FILE    save a checkpoint of the model at the end of the run.
  --resume FILE        start from a checkpoint (its seed and step) instead of step 0.
  --monitor            serve the @hp/monitor dashboard (live metrics of the LLM calls, cache, queue and
                       pools; alerts) while the run lasts; its address is printed. Port: --monitor-port N
                       (default 0 = a free port).
  --quiet              no progress output.
  -h, --help           this text.

Output
  Progress goes to stderr: a bar on a terminal (step, agents, requests and LLM calls per second,
  cache hit ratio, ETA), a line at every 10% otherwise. The report table goes to stdout: each
  performance target with its goal, the measured value and PASS/FAIL (n/a when the run has nothing
  to measure, e.g. no cache lookups in the Boltzmann model).
  With --model llm the emulator's latencies are scaled by --time-scale; \`sim-runner run\` on its own runs
  normal_load with the LLM-agent model against the emulator (about ten seconds).

Exit status: 0 after a run (also when targets are missed), 1 on an error, 2 on a usage error,
130 when interrupted (Ctrl-C).
`;

/** The model `run` uses without --model: the LLM-agent model on the in-process emulator. */
export const DEFAULT_MODEL = 'llm';

export interface CliIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  signal?: AbortSignal;
}

class UsageError extends Error {}

function integer(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} expects an integer from ${min} to ${max}, got "${text}"`);
  }
  return n;
}

/** Runs the command line; resolves to the exit status. */
export async function main(
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const out = (text: string) => io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  const err = (text: string) => io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        scenario: { type: 'string' },
        config: { type: 'string' },
        seed: { type: 'string' },
        model: { type: 'string' },
        'llm-base-url': { type: 'string' },
        'llm-model': { type: 'string' },
        'time-scale': { type: 'string' },
        'fault-rate': { type: 'string' },
        cache: { type: 'string' },
        steps: { type: 'string' },
        report: { type: 'string' },
        html: { type: 'string' },
        csv: { type: 'string' },
        checkpoint: { type: 'string' },
        resume: { type: 'string' },
        quiet: { type: 'boolean' },
        monitor: { type: 'boolean' },
        pipeline: { type: 'boolean' },
        lookahead: { type: 'boolean' },
        'lookahead-steps': { type: 'string' },
        backlog: { type: 'string' },
        'monitor-port': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    err(`sim-runner: ${(error as Error).message}\nRun "sim-runner --help" for the options.`);
    return 2;
  }
  const command = positionals[0];
  if (values.help || command === undefined || command === 'help') {
    out(HELP);
    return values.help || command === 'help' ? 0 : 2;
  }
  try {
    const config: SimConfig = values.config
      ? await loadConfig(String(values.config), io.signal)
      : defaultConfig();
    if (command === 'scenarios') {
      for (const s of listScenarios(config)) {
        out(`${s.name.padEnd(14)} ${s.agents} agents, ${s.steps} steps, ${s.concurrency} concurrent`);
      }
      return 0;
    }
    if (command !== 'run') throw new UsageError(`unknown command "${command}" (expected run or scenarios)`);
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    const lookaheadSteps = integer(
      'lookahead-steps',
      values['lookahead-steps'] as string | undefined,
      1,
      100,
    );
    const lookahead = lookaheadSteps ?? (values.lookahead ? 1 : undefined);
    if (values.pipeline && lookahead !== undefined)
      throw new UsageError('--pipeline and --lookahead exclude each other');
    const scenario = getScenario(config, values.scenario as string | undefined);
    const steps = integer('steps', values.steps as string | undefined, 1, 10_000_000);
    if (steps !== undefined) scenario.steps = steps;
    let seed = integer('seed', values.seed as string | undefined, 0, 0xffffffff);
    let checkpoint: Checkpoint | undefined;
    if (values.resume) {
      checkpoint = await loadCheckpoint(String(values.resume), { signal: io.signal });
      if (seed !== undefined && seed !== checkpoint.core.seed) {
        throw new UsageError(
          `--seed ${seed} differs from the checkpoint's seed ${checkpoint.core.seed}; leave --seed out`,
        );
      }
      seed = checkpoint.core.seed;
    }
    const modelKind = (values.model as string | undefined) ?? DEFAULT_MODEL;
    const monitorPort = integer('monitor-port', values['monitor-port'] as string | undefined, 0, 65535);
    const progress = values.quiet ? undefined : new ProgressReporter({ stream: io.stderr });
    if (!values.quiet) {
      err(
        `sim-runner: scenario ${scenario.name} (${scenario.agents} agents, ${scenario.steps} steps, ` +
          `${scenario.concurrency} concurrent), model ${modelKind}` +
          (seed !== undefined ? `, seed ${seed}` : ''),
      );
    }
    let monitoring: Monitoring | undefined;
    if (values.monitor) {
      const interval = config.performance_optimization.monitoring.metrics_collection.interval;
      // Loaded only when asked for: the OpenTelemetry SDK is heavy and the plain run does not need it.
      const { setupMonitoring } = await import('@hp/monitor');
      monitoring = await setupMonitoring({
        serviceName: 'sim-runner',
        exportIntervalMillis: Math.max(100, Math.round(Math.min(interval, 2) * 1000)),
        dashboard: { port: monitorPort ?? 0, title: `sim-runner: ${scenario.name}` },
      });
      err(`sim-runner: monitor dashboard at ${monitoring.dashboard?.url ?? '(not started)'}`);
    }
    let result: Awaited<ReturnType<typeof runSimulation>>;
    try {
      result = await runSimulation({
        scenario,
        config,
        seed,
        model: modelKind,
        settings: {
          llmBaseUrl: values['llm-base-url'] as string | undefined,
          llmModel: values['llm-model'] as string | undefined,
          timeScale: values['time-scale'] as string | undefined,
          faultRate: values['fault-rate'] as string | undefined,
          cacheFile: values.cache as string | undefined,
          pipeline: values.pipeline ? 'true' : undefined,
          lookahead: lookahead !== undefined ? String(lookahead) : undefined,
          backlog: values.backlog as string | undefined,
        },
        signal: io.signal,
        onProgress: progress ? (p) => progress.update(p) : undefined,
        onStart: (driver) => {
          if (checkpoint) restoreCheckpoint(driver.model, checkpoint);
        },
        onEnd: async (driver) => {
          if (values.checkpoint)
            await saveCheckpoint(driver.model, String(values.checkpoint), { signal: io.signal });
        },
      });
    } finally {
      await monitoring?.shutdown();
    }
    const { report, dataCollector } = result;
    progress?.finish();
    out(formatReportTable(report));
    const written: string[] = [];
    if (values.report) {
      await writeFile(String(values.report), JSON.stringify(report, null, 2) + '\n');
      written.push(`JSON report: ${values.report}`);
    }
    if (values.html) {
      await writeFile(String(values.html), renderHtmlReport(report));
      written.push(`HTML report: ${values.html}`);
    }
    if (values.csv) {
      await writeFile(String(values.csv), dataCollector.toCSV('model'));
      written.push(`model variables (CSV): ${values.csv}`);
    }
    if (values.checkpoint) written.push(`checkpoint: ${values.checkpoint}`);
    if (written.length) out(['', ...written].join('\n'));
    return 0;
  } catch (error) {
    if (io.signal?.aborted) {
      err(`sim-runner: stopped: ${(io.signal.reason as Error | undefined)?.message ?? 'aborted'}`);
      return 130;
    }
    if (error instanceof UsageError) {
      err(`sim-runner: ${error.message}\nRun "sim-runner --help" for the options.`);
      return 2;
    }
    if (error instanceof ConfigError) {
      err(`sim-runner: ${error.message}`);
      return 1;
    }
    err(`sim-runner: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}

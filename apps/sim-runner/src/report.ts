import type { PerformanceTargets } from './config.js';
import type { MetricsRecorder } from './metricsRecorder.js';
import type { Row } from './dataCollector.js';
import type { OptimizerReport } from './llmOptimizer.js';

export type TargetStatus = 'pass' | 'fail' | 'n/a';

export interface TargetResult {
  /** Key of `performance_targets` in the configuration. */
  name: keyof PerformanceTargets;
  comparison: '<=' | '>=';
  target: number;
  unit: 's' | 'req/s' | 'ratio';
  /** null when the run produced nothing to measure (e.g. no cache lookups). */
  measured: number | null;
  status: TargetStatus;
}

export interface LatencyHistogram {
  /** Bucket upper bounds in seconds. */
  bounds: number[];
  counts: number[];
}

/** Everything a run measured: the JSON report (`--report`), the table and the HTML report are made from it. */
export interface RunReport {
  scenario: string;
  model: string;
  seed: number;
  agents: number;
  steps: number;
  concurrency: number;
  startedAt: string;
  wallSeconds: number;
  requests: number;
  errors: number;
  llmCalls: number;
  cacheHits: number;
  cacheMisses: number;
  /** Seconds. */
  avgResponseTime: number | null;
  /** Seconds. */
  p95ResponseTime: number | null;
  /** Requests per second over the whole run. */
  throughput: number;
  errorRate: number | null;
  cacheHitRate: number | null;
  /** X_max (requests per second) for the configured latency, concurrency and limits; null if not applicable. */
  throughputLimit: number | null;
  /**
   * The best rate (requests per second) of a step-synchronous loop under the same configuration: each step
   * waits for its slowest decision; null if not applicable. At most `throughputLimit`.
   */
  stepBarrierLimit: number | null;
  /** The adaptive optimizer (@hp/optimizer): enabled or not, its knobs' first and last values, its audit log. */
  optimizer: OptimizerReport | null;
  targets: TargetResult[];
  allTargetsMet: boolean;
  series: {
    step: number[];
    stepSeconds: number[];
    /** Requests per second, per step. */
    throughput: number[];
    /** Cache hit ratio per step (null where there was no lookup). */
    hitRatio: (number | null)[];
    /** The model's own series (e.g. Gini). */
    model: Record<string, number[]>;
  };
  latencyHistogram: LatencyHistogram;
  /** The DataCollector's model rows. */
  modelVars: Row[];
}

export interface BuildReportInput {
  scenario: { name: string; agents: number; concurrency: number };
  model: string;
  seed: number;
  steps: number;
  startedAt: Date;
  recorder: MetricsRecorder;
  targets: PerformanceTargets;
  throughputLimit: number | null;
  stepBarrierLimit?: number | null;
  optimizer?: OptimizerReport | null;
  modelSeries: Record<string, number[]>;
  modelVars: Row[];
}

/** The p-quantile (0..1) of `sorted` by the nearest-rank method. */
export function quantile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function latencyHistogram(values: readonly number[], buckets = 20): LatencyHistogram {
  if (values.length === 0) return { bounds: [], counts: [] };
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (max === min) return { bounds: [max], counts: [values.length] };
  const width = (max - min) / buckets;
  const bounds = Array.from({ length: buckets }, (_, i) => min + width * (i + 1));
  const counts = new Array<number>(buckets).fill(0);
  for (const v of values) counts[Math.min(buckets - 1, Math.floor((v - min) / width))]!++;
  return { bounds, counts };
}

export function buildReport(input: BuildReportInput): RunReport {
  const { recorder, targets } = input;
  const wallSeconds = recorder.elapsed();
  const sorted = [...recorder.latencies()].sort((a, b) => a - b);
  const avg = sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : null;
  const p95 = quantile(sorted, 0.95);
  const throughput = wallSeconds > 0 ? recorder.requests / wallSeconds : 0;
  const errorRate = recorder.requests ? recorder.errors / recorder.requests : null;
  const cacheHitRate = recorder.cacheLookups ? recorder.cacheHits / recorder.cacheLookups : null;
  const row = (
    name: keyof PerformanceTargets,
    comparison: '<=' | '>=',
    unit: TargetResult['unit'],
    measured: number | null,
  ): TargetResult => ({
    name,
    comparison,
    unit,
    target: targets[name],
    measured,
    status:
      measured === null
        ? 'n/a'
        : (comparison === '<=' ? measured <= targets[name] : measured >= targets[name])
          ? 'pass'
          : 'fail',
  });
  const results = [
    row('avg_response_time', '<=', 's', avg),
    row('p95_response_time', '<=', 's', p95),
    row('throughput', '>=', 'req/s', recorder.requests ? throughput : null),
    row('error_rate', '<=', 'ratio', errorRate),
    row('cache_hit_rate', '>=', 'ratio', cacheHitRate),
  ];
  const steps = recorder.steps;
  return {
    scenario: input.scenario.name,
    model: input.model,
    seed: input.seed,
    agents: input.scenario.agents,
    steps: input.steps,
    concurrency: input.scenario.concurrency,
    startedAt: input.startedAt.toISOString(),
    wallSeconds,
    requests: recorder.requests,
    errors: recorder.errors,
    llmCalls: recorder.llmCalls,
    cacheHits: recorder.cacheHits,
    cacheMisses: recorder.cacheLookups - recorder.cacheHits,
    avgResponseTime: avg,
    p95ResponseTime: p95,
    throughput,
    errorRate,
    cacheHitRate,
    throughputLimit: input.throughputLimit,
    stepBarrierLimit: input.stepBarrierLimit ?? null,
    optimizer: input.optimizer ?? null,
    targets: results,
    allTargetsMet: results.every((r) => r.status !== 'fail'),
    series: {
      step: steps.map((s) => s.step),
      stepSeconds: steps.map((s) => s.seconds),
      throughput: steps.map((s) => (s.seconds > 0 ? s.requests / s.seconds : 0)),
      hitRatio: steps.map((s) => (s.cacheLookups ? s.cacheHits / s.cacheLookups : null)),
      model: input.modelSeries,
    },
    latencyHistogram: latencyHistogram(sorted),
    modelVars: input.modelVars,
  };
}

/** A number of seconds in a readable unit (µs, ms, s). */
export function formatSeconds(s: number): string {
  if (s < 1e-3) return `${(s * 1e6).toPrecision(3)} µs`;
  if (s < 1) return `${(s * 1e3).toPrecision(3)} ms`;
  return `${s.toPrecision(3)} s`;
}

function formatValue(value: number, unit: TargetResult['unit']): string {
  if (unit === 's') return formatSeconds(value);
  if (unit === 'req/s')
    return `${value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3)} req/s`;
  return `${(value * 100).toFixed(value < 0.01 && value > 0 ? 2 : 1)}%`;
}

/** One line on the optimizer: on or off, its decisions, where its knobs ended. */
export function formatOptimizerLine(o: OptimizerReport): string {
  const knobs = Object.entries(o.knobs)
    .map(([name, k]) => `${name} ${k.initial}${k.final !== k.initial ? ` -> ${k.final}` : ''}`)
    .join(', ');
  if (!o.enabled) return `  optimizer: off (adaptive_optimization.enabled: false); ${knobs}`;
  const count = (d: string) => o.audit.filter((e) => e.decision === d).length;
  const others = (['hard_rollback', 'reset'] as const)
    .filter((d) => count(d) > 0)
    .map((d) => `, ${count(d)} ${d === 'reset' ? 'reset on a shift' : 'hard rollbacks'}`)
    .join('');
  return (
    `  optimizer: ${o.audit.length} decisions (${count('kept')} kept, ${count('rolled_back')} rolled back, ` +
    `${count('controlled')} controller moves${others}); ${knobs}`
  );
}

/** The end-of-run summary and targets table (plain text, fixed-width). */
export function formatReportTable(report: RunReport): string {
  const header = ['target', 'goal', 'measured', 'result'];
  const rows = report.targets.map((t) => [
    t.name,
    `${t.comparison} ${formatValue(t.target, t.unit)}`,
    t.measured === null ? '-' : formatValue(t.measured, t.unit),
    t.status === 'n/a' ? 'n/a' : t.status.toUpperCase(),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    '  ' +
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const lines = [
    `Scenario ${report.scenario}: model ${report.model}, ${report.agents} agents, ${report.steps} steps, ` +
      `concurrency ${report.concurrency}, seed ${report.seed}`,
    `  ${report.requests.toLocaleString('en-US')} requests (${report.llmCalls} LLM calls, ${report.cacheHits} cache hits, ` +
      `${report.errors} errors) in ${report.wallSeconds.toFixed(2)} s` +
      (report.throughputLimit !== null
        ? `; throughput limit X_max ${report.throughputLimit.toFixed(1)} req/s`
        : ''),
    ...(report.throughputLimit !== null
      ? [
          `  throughput ${report.throughput.toFixed(1)} req/s = ${((100 * report.throughput) / report.throughputLimit).toFixed(0)}% of X_max` +
            (report.stepBarrierLimit !== null
              ? `; step-barrier bound ${report.stepBarrierLimit.toFixed(1)} req/s ` +
                `(${((100 * report.stepBarrierLimit) / report.throughputLimit).toFixed(0)}% of X_max)`
              : ''),
        ]
      : []),
    ...(report.optimizer ? [formatOptimizerLine(report.optimizer)] : []),
    ...Object.entries(report.series.model)
      .filter(([, values]) => values.length > 0)
      .map(
        ([name, values]) =>
          `  model: ${name} ${Number(values.at(-1)!.toPrecision(3))} at the last collected step`,
      ),
    '',
    'Performance targets',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ];
  const na = report.targets.filter((t) => t.status === 'n/a').map((t) => t.name);
  if (na.length) lines.push('', `  n/a: nothing to measure in this run (${na.join(', ')}).`);
  lines.push(
    '',
    report.allTargetsMet ? 'All measurable targets met.' : 'Some targets were missed (see FAIL above).',
  );
  return lines.join('\n');
}

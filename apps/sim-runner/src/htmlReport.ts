import type { OptimizerReport } from './llmOptimizer.js';
import { formatSeconds, type RunReport } from './report.js';
import { barChart, escapeXml, lineChart } from './svgChart.js';

const fmt = (x: number | null, digits = 3): string =>
  x === null ? '-' : Number(x.toPrecision(digits)).toString();

/** The optimizer section: whether it ran, its knobs (first and last value) and its audit log as a table. */
function optimizerSection(o: OptimizerReport | null): string {
  if (!o) return '';
  const knobs = Object.entries(o.knobs)
    .map(
      ([name, k]) =>
        `<tr><td>${escapeXml(name)}</td><td>${k.initial}</td><td>${k.final}</td><td>${k.min} .. ${k.max}</td></tr>`,
    )
    .join('\n');
  const rows = o.audit
    .map(
      (e) =>
        `<tr><td>${e.id}</td><td>${escapeXml(e.knob)}</td><td>${fmt(e.oldValue)}</td><td>${fmt(e.newValue)}</td>` +
        `<td>${escapeXml(e.decision)}</td><td>${escapeXml(e.reason)}</td><td>${fmt(e.expectedImprovement)}</td>` +
        `<td>${fmt(e.measuredImprovement)}</td><td>${fmt(e.pValue)}</td><td>${escapeXml(e.verdict)}</td></tr>`,
    )
    .join('\n');
  return `<h2>Adaptive optimization</h2>
<p>${o.enabled ? `On: ${o.audit.length} decisions.` : 'Off (<code>adaptive_optimization.enabled: false</code>): every knob stayed where the configuration put it.'}</p>
<table>
<tr><th>knob</th><th>initial</th><th>final</th><th>range</th></tr>
${knobs}
</table>
${
  o.audit.length
    ? `<table class="audit">
<tr><th>#</th><th>knob</th><th>old</th><th>new</th><th>decision</th><th>reason</th><th>expected</th><th>measured</th><th>p</th><th>verdict</th></tr>
${rows}
</table>`
    : ''
}`;
}

/**
 * The HTML report: one self-contained file (inline CSS and SVG, no scripts, nothing downloaded) with the
 * targets table, throughput and cache hit ratio over time, the latency distribution and the model's own
 * series.
 */
export function renderHtmlReport(report: RunReport): string {
  const steps = report.series.step;
  const targetRows = report.targets
    .map(
      (t) =>
        `<tr class="${t.status.replace('/', '')}"><td>${t.name}</td><td>${t.comparison} ${t.target}${t.unit === 'ratio' ? '' : ' ' + t.unit}</td>` +
        `<td>${t.measured === null ? '-' : t.unit === 's' ? formatSeconds(t.measured) : Number(t.measured.toPrecision(4))}</td><td>${t.status}</td></tr>`,
    )
    .join('\n');
  const figures: [string, string | number | null][] = [
    ['Scenario', report.scenario],
    ['Model', report.model],
    ['Seed', report.seed],
    ['Agents', report.agents],
    ['Steps', report.steps],
    ['Concurrency', report.concurrency],
    ['Wall time', `${report.wallSeconds.toFixed(2)} s`],
    ['Requests', report.requests],
    ['LLM calls', report.llmCalls],
    ['Cache hits / misses', `${report.cacheHits} / ${report.cacheMisses}`],
    ['Errors', report.errors],
    [
      'Throughput limit (X_max)',
      report.throughputLimit === null ? 'n/a' : `${report.throughputLimit.toFixed(1)} req/s`,
    ],
    [
      'Step-barrier bound',
      report.stepBarrierLimit === null ? 'n/a' : `${report.stepBarrierLimit.toFixed(1)} req/s`,
    ],
    [
      'Throughput / X_max',
      report.throughputLimit === null
        ? 'n/a'
        : `${((100 * report.throughput) / report.throughputLimit).toFixed(1)}%`,
    ],
  ];
  const charts = [
    lineChart(
      [{ name: 'throughput', points: steps.map((s, i) => [s, report.series.throughput[i]!] as const) }],
      {
        title: 'Throughput per step',
        xLabel: 'step',
        yLabel: 'requests / s',
      },
    ),
    lineChart(
      [{ name: 'hit ratio', points: steps.map((s, i) => [s, report.series.hitRatio[i] ?? null] as const) }],
      {
        title: 'Cache hit ratio per step',
        xLabel: 'step',
        yLabel: 'hit ratio',
      },
    ),
    barChart(report.latencyHistogram.bounds, report.latencyHistogram.counts, {
      title: 'Response time distribution',
      xLabel: 'seconds (bucket upper bound)',
      yLabel: 'requests',
      formatY: formatSeconds,
    }),
    ...Object.entries(report.series.model).map(([name, values]) =>
      lineChart([{ name, points: values.map((v, i) => [i + 1, v] as const) }], {
        title: `Model: ${name}`,
        xLabel: 'step',
        yLabel: name,
      }),
    ),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sim-runner report: ${escapeXml(report.scenario)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 720px; color: #111; }
table.audit { font-size: 0.8rem; }
table { border-collapse: collapse; margin: 1rem 0; }
td, th { padding: 0.25rem 0.75rem; border-bottom: 1px solid #ddd; text-align: left; }
tr.pass td:last-child { color: #15803d; font-weight: bold; }
tr.fail td:last-child { color: #b91c1c; font-weight: bold; }
tr.na td:last-child { color: #888; }
figure { margin: 1.5rem 0; }
</style>
</head>
<body>
<h1>sim-runner: ${escapeXml(report.scenario)}</h1>
<p>Started ${escapeXml(report.startedAt)}. ${report.allTargetsMet ? 'All measurable targets met.' : '<strong>Some targets were missed.</strong>'}</p>
<h2>Performance targets</h2>
<table>
<tr><th>target</th><th>goal</th><th>measured</th><th>result</th></tr>
${targetRows}
</table>
<h2>Run</h2>
<table>
${figures.map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(String(v))}</td></tr>`).join('\n')}
</table>
${optimizerSection(report.optimizer)}
<h2>Charts</h2>
${charts.map((c) => `<figure>${c}</figure>`).join('\n')}
</body>
</html>
`;
}

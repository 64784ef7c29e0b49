import { formatSeconds, type RunReport } from './report.js';
import { barChart, escapeXml, lineChart } from './svgChart.js';

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
<h2>Charts</h2>
${charts.map((c) => `<figure>${c}</figure>`).join('\n')}
</body>
</html>
`;
}

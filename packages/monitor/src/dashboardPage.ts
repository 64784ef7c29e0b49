/*
 * The dashboard's web page: static HTML, CSS and plain browser JavaScript, kept as strings so the
 * package needs no build step for it. Charts are uPlot, served from node_modules by the server.
 * The page polls /api/dashboard and /api/series; a bearer token is read from the URL fragment
 * (#token=...) so it never reaches server logs, and sent as an Authorization header.
 */

export function dashboardHtml(title: string): string {
  const t = escapeHtml(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="vendor/uPlot.min.css">
<link rel="stylesheet" href="dashboard.css">
</head>
<body>
<header>
  <h1>${t}</h1>
  <span id="service"></span>
  <span id="status" class="status">connecting…</span>
</header>
<section id="cards" class="cards" aria-label="overview"></section>
<section class="panel" aria-label="alerts">
  <h2>Alerts</h2>
  <ul id="alerts" class="alerts"><li class="none">No active alerts</li></ul>
  <details><summary>Recent alerts</summary><ul id="alert-history" class="history"></ul></details>
</section>
<section class="grid" id="charts">
  <figure><figcaption>Throughput (req/s) and 60-min forecast</figcaption><div id="chart-throughput" class="chart"></div></figure>
  <figure><figcaption>Response time percentiles (ms)</figcaption><div id="chart-latency" class="chart"></div></figure>
  <figure><figcaption>Error rate (%)</figcaption><div id="chart-errors" class="chart"></div></figure>
  <figure><figcaption>Cache hit ratio per tier (%)</figcaption><div id="chart-cache" class="chart"></div></figure>
  <figure><figcaption>Queue depth</figcaption><div id="chart-queue" class="chart"></div></figure>
  <figure><figcaption>Pool usage (%)</figcaption><div id="chart-pools" class="chart"></div></figure>
</section>
<section class="panel" aria-label="predictions">
  <h2>Predictions (next <span id="horizon">60</span> min)</h2>
  <ul id="predictions" class="history"></ul>
</section>
<script src="vendor/uPlot.iife.min.js"></script>
<script src="dashboard.js"></script>
</body>
</html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const DASHBOARD_CSS = `
:root { --bg:#0f1419; --panel:#1a2029; --text:#e6e6e6; --muted:#8b949e; --warn:#d29922; --crit:#f85149; --ok:#3fb950; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui, sans-serif; background:var(--bg); color:var(--text); }
header { display:flex; gap:1rem; align-items:baseline; padding:.75rem 1rem; border-bottom:1px solid #30363d; }
h1 { font-size:1.2rem; margin:0; } h2 { font-size:1rem; margin:.2rem 0 .5rem; }
#service { color:var(--muted); }
.status { margin-left:auto; color:var(--muted); } .status.ok { color:var(--ok); } .status.err { color:var(--crit); }
.cards { display:grid; grid-template-columns:repeat(auto-fill,minmax(150px,1fr)); gap:.5rem; padding:.75rem 1rem; }
.card { background:var(--panel); border-radius:6px; padding:.5rem .75rem; }
.card .label { color:var(--muted); font-size:.8rem; } .card .value { font-size:1.3rem; font-weight:600; }
.panel { background:var(--panel); margin:.5rem 1rem; padding:.5rem 1rem; border-radius:6px; }
.alerts, .history { list-style:none; margin:0; padding:0; }
.alerts li { padding:.35rem .5rem; margin:.2rem 0; border-radius:4px; border-left:4px solid var(--muted); }
.alerts li.warning { border-color:var(--warn); background:rgba(210,153,34,.12); }
.alerts li.critical { border-color:var(--crit); background:rgba(248,81,73,.14); }
.alerts li.none { color:var(--ok); border-color:var(--ok); }
.history li { color:var(--muted); font-size:.85rem; padding:.1rem 0; }
.grid { display:grid; grid-template-columns:repeat(auto-fill,minmax(460px,1fr)); gap:.5rem; padding:.5rem 1rem; }
figure { margin:0; background:var(--panel); border-radius:6px; padding:.5rem; }
figcaption { color:var(--muted); font-size:.85rem; margin-bottom:.25rem; }
.chart { min-height:220px; }
.uplot { font-family:inherit; } .u-legend { color:var(--text); font-size:.8rem; }
`;

export const DASHBOARD_JS = `'use strict';
(function () {
  var params = new URLSearchParams(location.search);
  var hash = new URLSearchParams(location.hash.slice(1));
  var token = hash.get('token') || '';
  var refresh = Math.max(200, Number(params.get('refresh')) || 2000);
  var windowSeconds = Number(params.get('window')) || 3600;
  var headers = token ? { Authorization: 'Bearer ' + token } : {};
  var COLORS = ['#58a6ff', '#3fb950', '#d29922', '#f85149', '#bc8cff', '#39c5cf', '#ff7b72', '#8b949e'];
  var charts = {};
  var state = { data: null, series: null, updates: 0, errors: 0 };
  window.hpDashboard = { charts: charts, state: state };

  function fmt(v, unit) {
    if (v === null || v === undefined || Number.isNaN(v)) return '–';
    if (unit === '%') return (v * 100).toFixed(1) + ' %';
    if (unit === 'ms') return v >= 1000 ? (v / 1000).toFixed(2) + ' s' : v.toFixed(v < 10 ? 1 : 0) + ' ms';
    if (unit === 'B') return (v / 1048576).toFixed(0) + ' MiB';
    if (unit === '/s') return v.toFixed(v < 10 ? 2 : 0) + ' /s';
    if (v !== 0 && Math.abs(v) < 1) return v.toPrecision(2);
    return String(Math.round(v * 100) / 100);
  }

  function get(path) {
    return fetch(path, { headers: headers, cache: 'no-store' }).then(function (r) {
      if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
      return r.json();
    });
  }

  function unitOf(metric) {
    if (/response_time|latency|delay|wait/.test(metric)) return 'ms';
    if (/rate|ratio|usage|cpu/.test(metric)) return '%';
    if (/throughput|per_second/.test(metric)) return '/s';
    if (/memory|heap/.test(metric)) return 'B';
    return undefined;
  }

  function card(label, value) {
    return '<div class="card"><div class="label">' + label + '</div><div class="value">' + value + '</div></div>';
  }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; });
  }

  function renderCards(d) {
    var o = d.overview;
    document.getElementById('service').textContent = d.service + ' · ' + d.interval_seconds + ' s interval';
    document.getElementById('cards').innerHTML = [
      card('Throughput', fmt(o.overall_throughput, '/s')),
      card('Avg response', fmt(o.avg_response_time, 'ms')),
      card('p95 response', fmt(o.p95_response_time, 'ms')),
      card('Error rate', fmt(o.error_rate, '%')),
      card('Cache hit ratio', fmt(d.caching.hit_ratio, '%')),
      card('Queue depth', fmt(d.async_processing.queue_depth)),
      card('Pool usage', fmt(d.connection_pools.usage, '%')),
      card('LLM p95', fmt(d.llm_performance.latency_p95_ms, 'ms')),
      card('CPU', fmt(d.system_health.cpu, '%')),
      card('Memory (RSS)', fmt(d.system_health.memory_rss, 'B')),
      card('Event-loop p99', fmt(d.system_health.event_loop_delay_p99_ms, 'ms')),
      card('Score', fmt(o.performance_score)),
    ].join('');
  }

  function renderAlerts(d) {
    var list = document.getElementById('alerts');
    var active = d.alerts.active;
    list.innerHTML = active.length === 0
      ? '<li class="none">No active alerts</li>'
      : active.map(function (a) {
          return '<li class="' + a.severity + '" data-rule="' + esc(a.rule) + '"><strong>' + a.severity.toUpperCase() + '</strong> ' +
            esc(a.rule) + ': ' + esc(a.metric) + ' = ' + fmt(a.worstValue, unitOf(a.metric)) + ' (threshold ' + fmt(a.threshold, unitOf(a.metric)) + ') since ' +
            new Date(a.firedAt).toLocaleTimeString() + '</li>';
        }).join('');
    document.getElementById('alert-history').innerHTML = d.alerts.recent.map(function (a) {
      return '<li>' + new Date(a.firedAt).toLocaleTimeString() + ' ' + esc(a.rule) + ' ' + a.peakSeverity +
        (a.clearedAt ? ' → cleared ' + new Date(a.clearedAt).toLocaleTimeString() : ' (active)') + '</li>';
    }).join('');
  }

  function renderPredictions(d) {
    var p = d.predictions;
    document.getElementById('horizon').textContent = p.horizon_minutes;
    var items = [];
    var load = p.predicted_load;
    if (load.values.length) items.push('Predicted ' + esc(load.metric) + ' in ' + p.horizon_minutes + ' min: ' + fmt(load.values[load.values.length - 1], unitOf(load.metric)));
    p.capacity_warnings.forEach(function (w) {
      items.push('Capacity: ' + esc(w.metric) + ' reaches ' + fmt(w.limit, unitOf(w.metric)) + ' in ' + w.inMinutes.toFixed(0) + ' min');
    });
    p.anomalies.slice(-5).forEach(function (a) {
      var u = unitOf(a.metric);
      items.push('Anomaly: ' + esc(a.metric) + ' = ' + fmt(a.value, u) + ' at ' + new Date(a.time).toLocaleTimeString() + ' (expected ' + fmt(a.expected, u) + ')');
    });
    Object.keys(p.trends).forEach(function (k) {
      var t = p.trends[k];
      if (t.direction !== 'flat') items.push('Trend: ' + esc(k) + ' ' + t.direction + ' (' + fmt(t.slopePerMinute, unitOf(k)) + ' per min)');
    });
    document.getElementById('predictions').innerHTML = items.length ? items.map(function (i) { return '<li>' + i + '</li>'; }).join('') : '<li>Not enough data yet</li>';
  }

  function scaled(values, factor) {
    return values.map(function (v) { return v === null || Number.isNaN(v) ? null : v * factor; });
  }

  function labels(series, family) {
    return Object.keys(series).filter(function (k) { return k.indexOf(family + ':') === 0; }).sort();
  }

  function draw(id, names, data) {
    var el = document.getElementById(id);
    var key = names.join('|');
    var chart = charts[id];
    if (chart && chart.key === key) {
      chart.plot.setData(data);
      return;
    }
    if (chart) chart.plot.destroy();
    var opts = {
      width: Math.max(300, el.clientWidth || 460),
      height: 220,
      scales: { x: { time: true } },
      axes: [{ stroke: '#8b949e', grid: { stroke: '#30363d' } }, { stroke: '#8b949e', grid: { stroke: '#30363d' } }],
      series: [{}].concat(names.map(function (n, i) {
        var dashed = n.indexOf('forecast') >= 0;
        return { label: n, stroke: COLORS[i % COLORS.length], width: 2, dash: dashed ? [6, 4] : undefined, spanGaps: false };
      })),
    };
    charts[id] = { key: key, plot: new uPlot(opts, data, el) };
  }

  function renderCharts(d, s) {
    var t = s.times;
    var S = s.series;
    var empty = t.map(function () { return null; });
    var col = function (k, f) { return S[k] ? scaled(S[k], f || 1) : empty; };

    // Throughput with the forecast appended after the last interval.
    var load = d.predictions.predicted_load;
    var ft = load.times.map(function (x) { return x / 1000; });
    var hist = col('throughput').concat(ft.map(function () { return null; }));
    var fc = t.map(function (_, i) { return i === t.length - 1 ? col('throughput')[i] : null; }).concat(load.values);
    draw('chart-throughput', ['throughput', 'forecast'], [t.concat(ft), hist, fc]);

    draw('chart-latency', ['p50', 'p95', 'p99'], [t, col('response_time_p50'), col('response_time_p95'), col('response_time_p99')]);
    draw('chart-errors', ['error rate'], [t, col('error_rate', 100)]);

    var tiers = labels(S, 'cache_hit_ratio');
    draw('chart-cache', ['all'].concat(tiers.map(function (k) { return k.split(':')[1]; })),
      [t, col('cache_hit_ratio', 100)].concat(tiers.map(function (k) { return col(k, 100); })));

    var queues = labels(S, 'queue_depth');
    draw('chart-queue', ['total'].concat(queues.map(function (k) { return k.split(':')[1]; })),
      [t, col('queue_depth')].concat(queues.map(function (k) { return col(k); })));

    var pools = labels(S, 'pool_usage');
    draw('chart-pools', pools.length ? pools.map(function (k) { return k.split(':')[1]; }) : ['all'],
      [t].concat(pools.length ? pools.map(function (k) { return col(k, 100); }) : [col('pool_usage', 100)]));
  }

  function update() {
    Promise.all([get('api/dashboard'), get('api/series?window=' + windowSeconds)]).then(function (r) {
      state.data = r[0];
      state.series = r[1];
      renderCards(r[0]);
      renderAlerts(r[0]);
      renderPredictions(r[0]);
      renderCharts(r[0], r[1]);
      state.updates++;
      var st = document.getElementById('status');
      st.textContent = 'updated ' + new Date().toLocaleTimeString();
      st.className = 'status ok';
    }).catch(function (e) {
      state.errors++;
      var st = document.getElementById('status');
      st.textContent = String(e.message || e);
      st.className = 'status err';
    }).then(function () { setTimeout(update, refresh); });
  }
  update();
})();
`;

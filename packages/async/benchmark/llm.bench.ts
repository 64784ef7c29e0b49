// Throughput against a simulated LLM provider (see llmSim.ts): achieved requests per (simulated)
// minute against X_max = min(C / mean latency, R, T / mean tokens per request), 429s and lost
// requests, for hp's TaskRunner and for the usual combination p-queue (concurrency + intervalCap)
// with SDK-style per-request retries (2 retries, backoff 0.5 s x 2^n with jitter, honours retry-after-ms).
import { defineSuite, type MeasuredCase } from '@hp/bench';
import PQueue from 'p-queue';
import { AsyncMetrics, seededRng, TaskRunner } from '../src/index.js';
import { makeRequests, SimLlmServer, type SimRequest } from './llmSim.js';

const MINUTE_MS = 1000; // one simulated minute lasts one real second
const LATENCY_MEDIAN_MS = (2 * MINUTE_MS) / 60; // 2 simulated seconds
const SIGMA = 0.5;
const metrics = new AsyncMetrics();

interface Scenario {
  name: string;
  concurrency: number;
  rpm: number;
  tpm: number;
  requests: number;
  configured: boolean;
  /** Lower the server's RPM to this value at this simulated minute. */
  change?: { atMinute: number; rpm: number };
}

const scenarios: Scenario[] = [
  { name: 'RPM-bound', concurrency: 50, rpm: 600, tpm: 2_000_000, requests: 2200, configured: true },
  { name: 'TPM-bound', concurrency: 50, rpm: 5000, tpm: 300_000, requests: 2000, configured: true },
  { name: 'concurrency-bound', concurrency: 8, rpm: 5000, tpm: 10_000_000, requests: 700, configured: true },
  {
    name: 'limits not configured (learned from headers), RPM 600 -> 300 at minute 0.8',
    concurrency: 50,
    rpm: 600,
    tpm: 2_000_000,
    requests: 1600,
    configured: false,
    change: { atMinute: 0.8, rpm: 300 },
  },
];

interface Outcome {
  throughput: number;
  xMax: number;
  tooMany: number;
  lost: number;
}

/**
 * Throughput = requests the provider accepted per simulated minute, over a window that starts at
 * minute 1 (or 0.3 minute after a limit change) and ends while the client is still saturated (at the
 * arrival that leaves 2C requests to go). X_max is computed for the same window: min(C / L, (R_level + R W) / W,
 * (T_level + T W) / (W tokens)), where R_level and T_level are what the provider's buckets held at
 * the window start (so a burst left over from the start is not counted as our gain), L is the mean
 * latency the server actually held requests, and tokens the mean real usage per request.
 */
function summarize(
  s: Scenario,
  server: SimLlmServer,
  done: number[],
  tokens: number[],
  lost: number,
  start: number,
  planned: number,
  levels: { requests: number; tokens: number; at: number },
): Outcome {
  const from = Math.max(planned, levels.at);
  done.sort((a, b) => a - b);
  const arrivals = server.acceptedAt.map((t) => t - start);
  const to = arrivals[Math.max(0, arrivals.length - 2 * s.concurrency)] ?? 0;
  const minutes = (to - from) / MINUTE_MS;
  const inWindow = arrivals.map((t, i) => (t >= from && t < to ? i : -1)).filter((i) => i >= 0);
  const held = inWindow.map((i) => server.latencies[i]).filter((x): x is number => x !== undefined);
  const meanLatency = held.reduce((a, b) => a + b, 0) / Math.max(1, held.length);
  const meanTokens = tokens.reduce((a, b) => a + b, 0) / tokens.length;
  const { rpm, tpm } = server.limits;
  console.error(s.name, { from, to, levels, meanLatency, meanTokens, minutes, n: arrivals.length });
  if (minutes < 0.3) {
    // Finished before the window (a client that lost requests): report its overall rate, no bound.
    const overall = done.length / (Math.max(1, done.at(-1) ?? 1) / MINUTE_MS);
    return { throughput: overall, xMax: Math.min(rpm, tpm / meanTokens), tooMany: server.tooMany, lost };
  }
  const throughput = inWindow.length / minutes;
  const xMax = Math.min(
    (s.concurrency / meanLatency) * MINUTE_MS,
    (levels.requests + rpm * minutes) / minutes,
    (levels.tokens + tpm * minutes) / minutes / meanTokens,
  );
  return { throughput, xMax, tooMany: server.tooMany, lost };
}

/** Takes the server's bucket levels about `from` ms after `start`; `at` is when it really ran (timers run late). */
function snapshotAt(
  server: SimLlmServer,
  start: number,
  from: number,
): { requests: number; tokens: number; at: number } {
  const levels = { requests: 0, tokens: 0, at: from };
  setTimeout(() => Object.assign(levels, server.levels(), { at: performance.now() - start }), from);
  return levels;
}

function newServer(s: Scenario): SimLlmServer {
  const server = new SimLlmServer({
    rpm: s.rpm,
    tpm: s.tpm,
    latencyMedianMs: LATENCY_MEDIAN_MS,
    sigma: SIGMA,
    seed: 7,
    minuteMs: MINUTE_MS,
  });
  if (s.change) {
    const { atMinute, rpm } = s.change;
    setTimeout(() => server.setLimits(rpm, s.tpm), atMinute * MINUTE_MS);
  }
  return server;
}

async function runOurs(s: Scenario): Promise<Outcome> {
  const server = newServer(s);
  const runner = new TaskRunner({
    name: `llm-${s.name}`,
    concurrency: s.concurrency,
    queueSizeLimit: Infinity,
    rateLimit: s.configured
      ? { requestsPerInterval: s.rpm, tokensPerInterval: s.tpm, interval: MINUTE_MS }
      : { interval: MINUTE_MS },
    retry: { maxAttempts: 10, baseDelay: MINUTE_MS / 120, seed: 3 },
    metrics,
  });
  const from = (s.change ? s.change.atMinute + 0.3 : 1) * MINUTE_MS;
  const start = performance.now();
  const levels = snapshotAt(server, start, from);
  const done: number[] = [];
  const tokens: number[] = [];
  let lost = 0;
  await Promise.all(
    makeRequests(s.requests, 11).map((r: SimRequest) =>
      runner
        .run((ctx) => server.call(r, ctx.signal), { tokens: r.promptTokens + r.maxTokens })
        .then(
          (res) => {
            done.push(performance.now() - start);
            tokens.push(res.usage.total_tokens);
          },
          () => void lost++,
        ),
    ),
  );
  await runner.close();
  return summarize(s, server, done, tokens, lost, start, from, levels);
}

async function runPeer(s: Scenario): Promise<Outcome> {
  const server = newServer(s);
  const queue = new PQueue({ concurrency: s.concurrency, intervalCap: s.rpm, interval: MINUTE_MS });
  const rng = seededRng(5);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const withSdkRetries = async (r: SimRequest) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await server.call(r);
      } catch (error) {
        if (attempt >= 2) throw error;
        const h = (error as { headers?: Record<string, string> }).headers ?? {};
        const after = Number(h['retry-after-ms']);
        const backoff =
          Math.min(((0.5 * MINUTE_MS) / 60) * 2 ** attempt, (8 * MINUTE_MS) / 60) * (1 - 0.25 * rng());
        await sleep(Number.isFinite(after) && after < MINUTE_MS ? after : backoff);
      }
    }
  };
  const from = (s.change ? s.change.atMinute + 0.3 : 1) * MINUTE_MS;
  const start = performance.now();
  const levels = snapshotAt(server, start, from);
  const done: number[] = [];
  const tokens: number[] = [];
  let lost = 0;
  await Promise.all(
    makeRequests(s.requests, 11).map((r) =>
      queue
        .add(() => withSdkRetries(r))
        .then(
          (res) => {
            done.push(performance.now() - start);
            tokens.push(res!.usage.total_tokens);
          },
          () => void lost++,
        ),
    ),
  );
  return summarize(s, server, done, tokens, lost, start, from, levels);
}

const memo = new Map<string, Promise<{ ours: Outcome; peer: Outcome }>>();
function outcome(s: Scenario): Promise<{ ours: Outcome; peer: Outcome }> {
  let m = memo.get(s.name);
  if (!m) {
    m = (async () => ({ ours: await runOurs(s), peer: await runPeer(s) }))();
    memo.set(s.name, m);
  }
  return m;
}

const PEER = 'p-queue + SDK retries';

function cases(): MeasuredCase[] {
  const out: MeasuredCase[] = [];
  for (const s of scenarios) {
    const label = `LLM sim ${s.name} (C=${s.concurrency}, R=${s.rpm}/min, T=${s.tpm}/min)`;
    out.push({
      kind: 'measured',
      name: `${label}: throughput vs X_max in the window`,
      unit: 'req/min',
      higherIsBetter: true,
      measure: async () => {
        const { ours } = await outcome(s);
        return {
          ours: ours.throughput,
          peer: 'X_max = min(C/L, R, T/tokens) in the window',
          peerValue: ours.xMax,
        };
      },
    });
    out.push({
      kind: 'measured',
      name: `${label}: 429 responses`,
      unit: '429s',
      higherIsBetter: false,
      measure: async () => {
        const { ours, peer } = await outcome(s);
        return { ours: ours.tooMany, peer: PEER, peerValue: peer.tooMany };
      },
    });
    out.push({
      kind: 'measured',
      name: `${label}: requests lost of ${s.requests}`,
      unit: 'requests',
      higherIsBetter: false,
      measure: async () => {
        const { ours, peer } = await outcome(s);
        return { ours: ours.lost, peer: PEER, peerValue: peer.lost };
      },
    });
  }
  return out;
}

export default defineSuite({ name: 'llm', cases });

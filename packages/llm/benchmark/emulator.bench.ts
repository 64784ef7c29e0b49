/**
 * Raw throughput of the emulator (time scale 0: no modelled latency), driven by the official openai SDK versus
 * undici directly on a keep-alive Pool, at a fixed concurrency, in this one process. It is the base later
 * figures compare with: how many requests per second the emulator + a client can push on this machine.
 * A second pair shows the batch latency model: 16 prompts as one /v1/completions request vs 16 requests.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defineSuite } from '@hp/bench';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch, Pool } from 'undici';
import { type Emulator, type EmulatorStats, startEmulator } from '../src/emulator/index.js';

const CONCURRENCY = 32;
const REQUESTS = 2000;

let raw: Emulator;
let timed: Emulator;
let pool: Pool;
let agent: Agent;
let sdk: OpenAI;

const chatBody = (i: number) => ({
  model: 'gpt-4o-mini',
  messages: [
    {
      role: 'user' as const,
      content: `Agent ${i % 50}: the market is open. Choose one of: [buy, sell, hold]`,
    },
  ],
  max_tokens: 32,
});

async function runConcurrent(
  n: number,
  concurrency: number,
  fn: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
  return (n / (performance.now() - start)) * 1000;
}

async function undiciChat(i: number): Promise<unknown> {
  const res = await pool.request({
    path: '/v1/chat/completions',
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
    body: JSON.stringify(chatBody(i)),
  });
  if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
  return res.body.json();
}

/**
 * Timing fidelity of the latency model when concurrency binds (L = 50 ms, C = 16 workers of undici
 * Pool.request, so ~320 req/s): how late the emulator releases answers past their due time (its own stats) and
 * its CPU per request, with precise timers vs plain millisecond timers. The emulator runs in a child process
 * (benchmark/emulatorProcess.ts), like in client.bench.ts; rounds alternate the two modes.
 */
interface Fidelity {
  lateness: EmulatorStats['lateness'];
  cpuMsPerRequest: number;
  /** Mean round trip of a request minus L, ms (what a client sees). */
  roundTripOverMs: number;
}
const FIDELITY_L = 50;
const FIDELITY_C = 16;
const FIDELITY_N = 640;
const fidelityRuns: Record<string, Fidelity[]> = {};

async function fidelityRound(preciseTimers: boolean): Promise<Fidelity> {
  const child = fork(
    fileURLToPath(new URL('./emulatorProcess.ts', import.meta.url)),
    [
      JSON.stringify({
        timeScale: 1,
        preciseTimers,
        latency: { ttftMs: FIDELITY_L, ttftSigma: 0, perTokenMs: 0, perTokenSigma: 0 },
      }),
    ],
    { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = <T>(): Promise<T> =>
    new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)));
  const cpu = async (): Promise<number> => {
    const reply = next<{ ms: number }>();
    child.send('cpu');
    return (await reply).ms;
  };
  try {
    const { origin } = await next<{ origin: string }>();
    const p = new Pool(origin, { connections: FIDELITY_C });
    let over = 0;
    const call = async (i: number, count: boolean) => {
      const t0 = performance.now();
      const res = await p.request({
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
        body: JSON.stringify(chatBody(i)),
      });
      await res.body.json();
      if (count) over += performance.now() - t0 - FIDELITY_L;
    };
    await runConcurrent(4 * FIDELITY_C, FIDELITY_C, (i) => call(i, false));
    const stats = async (): Promise<EmulatorStats> =>
      (await (await p.request({ path: '/emulator/stats', method: 'GET' })).body.json()) as EmulatorStats;
    const before = await stats();
    const cpu0 = await cpu();
    await runConcurrent(FIDELITY_N, FIDELITY_C, (i) => call(i, true));
    const cpu1 = await cpu();
    const after = await stats();
    await p.close();
    // lateness of the measured requests only: the warm-up's releases are subtracted from the count, and the
    // percentiles are those of all releases (the warm-up is 10% of them)
    const lateness = { ...after.lateness };
    const n = after.lateness.releases - before.lateness.releases;
    lateness.meanMs =
      (after.lateness.meanMs * after.lateness.releases - before.lateness.meanMs * before.lateness.releases) /
      n;
    lateness.releases = n;
    return {
      lateness,
      cpuMsPerRequest: (cpu1 - cpu0) / (after.requests - before.requests - 1),
      roundTripOverMs: over / FIDELITY_N,
    };
  } finally {
    if (child.connected) child.send('close');
    await exited;
  }
}

async function fidelity(): Promise<Record<string, Fidelity[]>> {
  if (fidelityRuns.precise) return fidelityRuns;
  fidelityRuns.precise = [];
  fidelityRuns.plain = [];
  for (let r = 0; r < 3; r++) {
    fidelityRuns.precise.push(await fidelityRound(true));
    fidelityRuns.plain.push(await fidelityRound(false));
  }
  console.error(`emulator timing fidelity (L = ${FIDELITY_L} ms, C = ${FIDELITY_C}):`);
  for (const [mode, runs] of Object.entries(fidelityRuns)) {
    for (const f of runs) {
      const l = f.lateness;
      console.error(
        `  ${mode}: lateness mean ${l.meanMs.toFixed(3)} p50 ${l.p50Ms.toFixed(2)} p90 ${l.p90Ms.toFixed(2)} ` +
          `p99 ${l.p99Ms.toFixed(2)} max ${l.maxMs.toFixed(2)} ms (${l.releases}); CPU ${f.cpuMsPerRequest.toFixed(3)} ` +
          `ms/request; round trip L + ${f.roundTripOverMs.toFixed(2)} ms`,
      );
    }
  }
  return fidelityRuns;
}

const meanOf = (runs: Fidelity[], pick: (f: Fidelity) => number): number =>
  runs.reduce((s, f) => s + pick(f), 0) / runs.length;

export default defineSuite({
  name: 'emulator',
  async before() {
    raw = await startEmulator({ port: 0, timeScale: 0 });
    timed = await startEmulator({
      port: 0,
      timeScale: 0.1,
      latency: { ttftMs: 300, ttftSigma: 0, perTokenMs: 10, perTokenSigma: 0 },
    });
    pool = new Pool(raw.origin, { connections: CONCURRENCY, pipelining: 1 });
    agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000 });
    sdk = new OpenAI({
      baseURL: raw.url,
      apiKey: 'test',
      maxRetries: 0,
      fetch: undiciFetch as unknown as typeof globalThis.fetch,
      fetchOptions: { dispatcher: agent } as Record<string, unknown>,
    });
  },
  async after() {
    await pool?.close();
    await agent?.close();
    await raw?.close();
    await timed?.close();
  },
  cases: [
    {
      kind: 'measured',
      name: `modelled-latency release, L = ${FIDELITY_L} ms, C = ${FIDELITY_C} (child process): mean lateness past the due time, precise vs plain ms timers`,
      unit: 'ms',
      higherIsBetter: false,
      async measure() {
        const runs = await fidelity();
        return {
          ours: meanOf(runs.precise!, (f) => f.lateness.meanMs),
          peer: 'plain millisecond timers (preciseTimers: false)',
          peerValue: meanOf(runs.plain!, (f) => f.lateness.meanMs),
        };
      },
    },
    {
      kind: 'measured',
      name: `modelled-latency release, L = ${FIDELITY_L} ms, C = ${FIDELITY_C} (child process): emulator CPU per request, precise vs plain ms timers`,
      unit: 'ms',
      higherIsBetter: false,
      async measure() {
        const runs = await fidelity();
        return {
          ours: meanOf(runs.precise!, (f) => f.cpuMsPerRequest),
          peer: 'plain millisecond timers (preciseTimers: false)',
          peerValue: meanOf(runs.plain!, (f) => f.cpuMsPerRequest),
        };
      },
    },
    {
      kind: 'measured',
      name: `modelled-latency release, L = ${FIDELITY_L} ms, C = ${FIDELITY_C} (child process): client round trip minus L, precise vs plain ms timers`,
      unit: 'ms',
      higherIsBetter: false,
      async measure() {
        const runs = await fidelity();
        return {
          ours: meanOf(runs.precise!, (f) => f.roundTripOverMs),
          peer: 'plain millisecond timers (preciseTimers: false)',
          peerValue: meanOf(runs.plain!, (f) => f.roundTripOverMs),
        };
      },
    },
    {
      kind: 'measured',
      name: `chat completions/s, time scale 0, concurrency ${CONCURRENCY}: openai SDK vs undici Pool`,
      unit: 'req/s',
      higherIsBetter: true,
      async measure() {
        await runConcurrent(200, CONCURRENCY, (i) => sdk.chat.completions.create(chatBody(i)));
        await runConcurrent(200, CONCURRENCY, undiciChat);
        const ours = await runConcurrent(REQUESTS, CONCURRENCY, (i) =>
          sdk.chat.completions.create(chatBody(i)),
        );
        const peerValue = await runConcurrent(REQUESTS, CONCURRENCY, undiciChat);
        return { ours, peer: 'undici Pool.request', peerValue };
      },
    },
    {
      kind: 'measured',
      name: `chat completions/s, time scale 0, concurrency ${CONCURRENCY}: undici fetch (what the SDK calls) vs undici Pool`,
      unit: 'req/s',
      higherIsBetter: true,
      async measure() {
        const viaFetch = async (i: number): Promise<unknown> => {
          const res = await undiciFetch(`${raw.url}/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
            body: JSON.stringify(chatBody(i)),
            dispatcher: agent,
          });
          return res.json();
        };
        await runConcurrent(200, CONCURRENCY, viaFetch);
        const ours = await runConcurrent(REQUESTS, CONCURRENCY, viaFetch);
        const peerValue = await runConcurrent(REQUESTS, CONCURRENCY, undiciChat);
        return { ours, peer: 'undici Pool.request', peerValue };
      },
    },
    {
      kind: 'measured',
      name: `streamed chat completions/s (SSE, include_usage), concurrency ${CONCURRENCY}: openai SDK vs plain SDK call`,
      unit: 'req/s',
      higherIsBetter: true,
      async measure() {
        const streamOnce = async (i: number): Promise<number> => {
          const stream = await sdk.chat.completions.create({
            ...chatBody(i),
            stream: true,
            stream_options: { include_usage: true },
          });
          let n = 0;
          for await (const chunk of stream) n += chunk.choices.length;
          return n;
        };
        await runConcurrent(100, CONCURRENCY, streamOnce);
        const ours = await runConcurrent(REQUESTS / 2, CONCURRENCY, streamOnce);
        const peerValue = await runConcurrent(REQUESTS / 2, CONCURRENCY, (i) =>
          sdk.chat.completions.create(chatBody(i)),
        );
        return { ours, peer: 'non-streamed SDK call', peerValue };
      },
    },
    {
      kind: 'measured',
      name: 'embeddings inputs/s, 64 inputs per request (1536 dims, base64), concurrency 8: openai SDK vs undici Pool',
      unit: 'inputs/s',
      higherIsBetter: true,
      async measure() {
        const input = (i: number) => Array.from({ length: 64 }, (_, k) => `memory ${i} ${k}`);
        const viaSdk = (i: number) =>
          sdk.embeddings.create({ model: 'text-embedding-3-small', input: input(i) });
        const viaPool = async (i: number) => {
          const res = await pool.request({
            path: '/v1/embeddings',
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              model: 'text-embedding-3-small',
              input: input(i),
              encoding_format: 'base64',
            }),
          });
          return res.body.json();
        };
        await runConcurrent(20, 8, viaSdk);
        const ours = (await runConcurrent(200, 8, viaSdk)) * 64;
        const peerValue = (await runConcurrent(200, 8, viaPool)) * 64;
        return { ours, peer: 'undici Pool.request', peerValue };
      },
    },
    {
      kind: 'measured',
      name: 'batch latency model (ttft 300 ms, 10 ms/token, time scale 0.1): prompts/s, 16 prompts in 1 request vs 16 requests, sequential',
      unit: 'prompts/s',
      higherIsBetter: true,
      async measure() {
        const client = new OpenAI({ baseURL: timed.url, apiKey: 'test', maxRetries: 0 });
        const prompts = Array.from({ length: 16 }, (_, i) => `Agent ${i}: choose one of: [a, b]`);
        const rounds = 4;
        let start = performance.now();
        for (let r = 0; r < rounds; r++) {
          await client.completions.create({
            model: 'gpt-3.5-turbo-instruct',
            prompt: prompts,
            max_tokens: 30,
          });
        }
        const ours = ((rounds * 16) / (performance.now() - start)) * 1000;
        start = performance.now();
        for (let r = 0; r < rounds; r++) {
          for (const prompt of prompts)
            await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt, max_tokens: 30 });
        }
        const peerValue = ((rounds * 16) / (performance.now() - start)) * 1000;
        return { ours, peer: '16 single-prompt requests', peerValue };
      },
    },
  ],
});

/**
 * Where the time of one request cycle goes when concurrency binds (C = 16, L = 50 ms): a diagnostic, not a
 * benchmark suite (the runner only picks *.bench.ts). Run it under the bench lock:
 *   flock /tmp/hp-bench.lock npx node --import tsx benchmark/cycleBreakdown.ts
 * env: MODES (client, sdk = bare SDK over undici fetch, sdkd = bare SDK over our dispatcher fetch, raw =
 * undici Pool.request, rawburn = raw + BURN ms of CPU per call, rawhop = raw + HOPS setImmediate hops), L, N,
 * ROUNDS. Stamps per request: undici's diagnostics channels (request created, headers written, response
 * headers, body end) and the emulator's arrival and write times (response headers from
 * benchmark/cycleEmulator.ts, same machine clock); CPU per request and event-loop delay of both processes.
 * Writes each round's stamps to /tmp/llm-cycle-MODE-ROUND.json.
 */
import { fork } from 'node:child_process';
import { AsyncLocalStorage } from 'node:async_hooks';
import dc from 'node:diagnostics_channel';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch, Pool } from 'undici';
import { LlmClient, openaiProvider } from '../src/index.js';
import { fetchThrough } from '../src/dispatcherFetch.js';

const C = 16;
const L = Number(process.env.L ?? 50);
const N = Number(process.env.N ?? 640);
const modes = (process.env.MODES ?? 'client,sdk,sdkd,raw').split(',');
const abs = () => performance.timeOrigin + performance.now();

interface Rec {
  start: number;
  create?: number;
  send?: number;
  arr?: number;
  write?: number;
  headers?: number;
  trailers?: number;
  end?: number;
}
const als = new AsyncLocalStorage<Rec>();
const byReq = new WeakMap<object, Rec>();
dc.subscribe('undici:request:create', (m) => {
  const r = als.getStore();
  if (r) {
    r.create = abs();
    byReq.set((m as { request: object }).request, r);
  }
});
dc.subscribe('undici:client:sendHeaders', (m) => {
  const r = byReq.get((m as { request: object }).request);
  if (r) r.send = abs();
});
dc.subscribe('undici:request:headers', (m) => {
  const { request, response } = m as { request: object; response: { headers: Buffer[] } };
  const r = byReq.get(request);
  if (!r) return;
  r.headers = abs();
  const h = response.headers;
  for (let i = 0; i < h.length; i += 2) {
    const k = h[i]!.toString();
    if (k === 'x-diag-arr') r.arr = Number(h[i + 1]!.toString());
    if (k === 'x-diag-write') r.write = Number(h[i + 1]!.toString());
  }
});
dc.subscribe('undici:request:trailers', (m) => {
  const r = byReq.get((m as { request: object }).request);
  if (r) r.trailers = abs();
});

const child = fork(
  fileURLToPath(new URL('./cycleEmulator.ts', import.meta.url)),
  [
    JSON.stringify({
      timeScale: 0.01,
      latency: { ttftMs: L / 0.01, ttftSigma: 0, perTokenMs: 0, perTokenSigma: 0 },
    }),
  ],
  { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
);
const msg = <T>(kind: string) =>
  new Promise<T>((res) => {
    const on = (m: { kind: string }) => {
      if (m.kind === kind) {
        child.off('message', on);
        res(m as T);
      }
    };
    child.on('message', on);
  });
const { url, origin } = await msg<{ url: string; origin: string }>('ready');

let runId = Date.now();
const sdkAsk = (i: number) => ({
  model: 'gpt-4o-mini',
  temperature: 0,
  max_tokens: 32,
  messages: [
    {
      role: 'user' as const,
      content: `run ${runId} agent ${i}: the market is open. Choose one of: [buy, sell, hold]`,
    },
  ],
});
let i = 0;
const provider = openaiProvider({ baseURL: url, apiKey: 'test', connections: C });
const client = new LlmClient({
  provider,
  concurrency: C,
  cache: false,
  rateLimit: { interval: 600 },
  retry: { maxAttempts: 6, baseDelay: 5 },
});
const agent = new Agent({ connections: C, keepAliveTimeout: 30_000 });
const sdk = new OpenAI({
  baseURL: url,
  apiKey: 'test',
  maxRetries: 0,
  fetch: undiciFetch as unknown as typeof fetch,
  fetchOptions: { dispatcher: agent } as Record<string, unknown>,
});
const pool2 = new Pool(origin, { connections: C });
const sdkd = new OpenAI({
  baseURL: url,
  apiKey: 'test',
  maxRetries: 0,
  fetch: ((u: string, init: RequestInit) => fetchThrough(pool2, u, init)) as unknown as typeof fetch,
});
const raw = new Pool(origin, { connections: C });

const calls: Record<string, () => Promise<unknown>> = {
  client: () => {
    const a = sdkAsk(i++);
    return client.complete({
      model: a.model,
      temperature: 0,
      maxTokens: 32,
      messages: [{ role: 'user', content: a.messages[0]!.content }],
    });
  },
  sdk: () => sdk.chat.completions.create(sdkAsk(i++)),
  sdkd: () => sdkd.chat.completions.create(sdkAsk(i++)),
  rawburn: async () => {
    const t = performance.now();
    while (performance.now() - t < Number(process.env.BURN ?? 0.6));
    const r = await raw.request({
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
      body: JSON.stringify(sdkAsk(i++)),
    });
    await r.body.json();
  },
  rawhop: async () => {
    for (let h = 0; h < Number(process.env.HOPS ?? 3); h++) await new Promise((res) => setImmediate(res));
    const r = await raw.request({
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
      body: JSON.stringify(sdkAsk(i++)),
    });
    await r.body.json();
    for (let h = 0; h < Number(process.env.HOPS ?? 3); h++) await new Promise((res) => setImmediate(res));
  },
  raw: async () => {
    const r = await raw.request({
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
      body: JSON.stringify(sdkAsk(i++)),
    });
    await r.body.json();
  },
};

async function run(mode: string, n: number): Promise<Rec[]> {
  const recs: Rec[] = [];
  const call = calls[mode]!;
  let left = n;
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (left-- > 0) {
        const r: Rec = { start: abs() };
        recs.push(r);
        await als.run(r, call);
        r.end = abs();
      }
    }),
  );
  return recs;
}
const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const fmt = (xs: number[]) =>
  `p50 ${q(xs, 0.5).toFixed(2)} p90 ${q(xs, 0.9).toFixed(2)} mean ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2)}`;

const eld = monitorEventLoopDelay({ resolution: 1 });
for (const mode of modes) await run(mode, 4 * C); // warm-up
for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++) {
  for (const mode of modes) {
    runId++;
    child.send('reset');
    eld.reset();
    eld.enable();
    const cpu0 = process.cpuUsage();
    const t0 = abs();
    const recs = await run(mode, N);
    const wall = abs() - t0;
    (await import('node:fs')).writeFileSync(`/tmp/llm-cycle-${mode}-${round}.json`, JSON.stringify(recs));
    const cpu = process.cpuUsage(cpu0);
    eld.disable();
    child.send('report');
    const er = await msg<{
      cpuMs: number;
      requests: number;
      connections: number;
      eldP50: number;
      eldP99: number;
      eldMax: number;
    }>('report');
    // steady part: drop first 2C and last 2C by start
    const rs = recs.slice(2 * C, recs.length - 2 * C).filter((r) => r.arr && r.trailers);
    // cycle: per worker, start-to-start; approximated by end-start + handoff
    const d = (f: (r: Rec) => number) => rs.map(f);
    const ends = recs.map((r) => r.end!).sort((a, b) => a - b);
    const a = 2 * C,
      k = Math.floor((ends.length - 1 - C - a) / C),
      b = a + k * C;
    const steady = (k * C) / ((ends[b]! - ends[a]!) / 1000);
    console.log(
      `\n== ${mode} round ${round}: ${N} req, wall ${wall.toFixed(0)} ms, whole ${((N / wall) * 1000).toFixed(1)} req/s, steady ${steady.toFixed(1)} req/s = ${(steady / ((C / L) * 1000)).toFixed(3)} of X_max`,
    );
    console.log(
      `  client cpu/req ${((cpu.user + cpu.system) / 1000 / N).toFixed(3)} ms (${(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(0)}% of a core); client ELD p50 ${(eld.percentile(50) / 1e6).toFixed(2)} p99 ${(eld.percentile(99) / 1e6).toFixed(2)} max ${(eld.max / 1e6).toFixed(1)} ms`,
    );
    console.log(
      `  emulator cpu/req ${(er.cpuMs / er.requests).toFixed(3)} ms, requests ${er.requests}, new connections ${er.connections}; emulator ELD p50 ${er.eldP50.toFixed(2)} p99 ${er.eldP99.toFixed(2)} max ${er.eldMax.toFixed(1)}`,
    );
    console.log(`  call->undici create     ${fmt(d((r) => r.create! - r.start))}`);
    console.log(`  create->headers written ${fmt(d((r) => r.send! - r.create!))}`);
    console.log(`  written->emu arrival    ${fmt(d((r) => r.arr! - r.send!))}`);
    console.log(`  emu arrival->write      ${fmt(d((r) => r.write! - r.arr!))}`);
    console.log(`  emu write->resp headers ${fmt(d((r) => r.headers! - r.write!))}`);
    console.log(`  resp headers->body end  ${fmt(d((r) => r.trailers! - r.headers!))}`);
    console.log(`  body end->call resolved ${fmt(d((r) => r.end! - r.trailers!))}`);
    console.log(`  call total              ${fmt(d((r) => r.end! - r.start))}`);
    // wave spread: sends of each 'wave' (sorted by start, groups of C)
    const starts = recs.map((r) => r.start).sort((x, y) => x - y);
    const spreads: number[] = [];
    for (let w = 2; w < Math.floor(starts.length / C) - 2; w++)
      spreads.push(starts[(w + 1) * C - 1]! - starts[w * C]!);
    console.log(`  spread of C consecutive call starts ${fmt(spreads)}`);
  }
}
await client.close();
await provider.close();
await agent.close();
await pool2.close();
await raw.close();
child.send('close');

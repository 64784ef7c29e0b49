/**
 * The issue's goals for LlmClient, measured against the emulator (in a child process for throughput):
 *  1. throughput vs X_max = min(C/L, R, T / tokens per request), zero 429s once the limits are learned, and
 *     side by side with the plain official SDK used the usual way (Promise.all over the same requests);
 *  2. with 10% injected faults (500s, resets, 429s with Retry-After): no request lost, attempts <= 1 + maxRetries;
 *  3. overhead of the client path on a cache miss vs a bare SDK call at L = 20 ms, and a cache hit vs a miss.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defineSuite } from '@hp/bench';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch, Pool } from 'undici';
import { type Emulator, type EmulatorStats, startEmulator } from '../src/emulator/index.js';
import {
  LlmClient,
  LlmError,
  type LlmProvider,
  type LlmRequest,
  openaiProvider,
  type OpenAiProvider,
} from '../src/index.js';

const C = 16;
const TIME_SCALE = 0.01; // one emulated minute = 600 ms
const WINDOW_MS = 60_000 * TIME_SCALE;
const WARMUP = 150;
const MEASURED = 400;

let runId = 0;
const ask = (i: number): LlmRequest => ({
  model: 'gpt-4o-mini',
  temperature: 0,
  maxTokens: 32,
  messages: [
    {
      role: 'user',
      content: `run ${runId} agent ${i}: the market is open. Choose one of: [buy, sell, hold]`,
    },
  ],
});
const sdkAsk = (i: number) => {
  const r = ask(i);
  return {
    model: r.model,
    temperature: 0,
    max_tokens: 32,
    messages: [{ role: 'user' as const, content: r.messages[0]!.content }],
  };
};

async function withEmulator<T>(
  options: Parameters<typeof startEmulator>[0],
  fn: (emu: Emulator) => Promise<T>,
): Promise<T> {
  const emu = await startEmulator(options);
  try {
    return await fn(emu);
  } finally {
    await emu.close();
  }
}

/** An emulator in a child process (benchmark/emulatorProcess.ts), reached over HTTP like a real provider. */
interface RemoteEmulator {
  url: string;
  origin: string;
  stats(): Promise<EmulatorStats>;
}

async function withRemoteEmulator<T>(
  options: Parameters<typeof startEmulator>[0],
  fn: (emu: RemoteEmulator) => Promise<T>,
): Promise<T> {
  const child = fork(
    fileURLToPath(new URL('./emulatorProcess.ts', import.meta.url)),
    [JSON.stringify(options)],
    { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const { url, origin } = await new Promise<{ url: string; origin: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { url: string; origin: string }));
      child.once('exit', (code) => reject(new Error(`the emulator process exited (${String(code)})`)));
    });
    const stats = async (): Promise<EmulatorStats> =>
      (await (await fetch(`${origin}/emulator/stats`)).json()) as EmulatorStats;
    return await fn({ url, origin, stats });
  } finally {
    if (child.connected) child.send('close');
    await exited;
  }
}

interface Limits {
  latencyMs: number;
  rpm?: number;
  tpm?: number;
}

interface Throughput {
  clientRps: number;
  /** Bare SDK with C workers (only measured without limits). */
  bareRps: number;
  /** Whole rounds, ramp-up and tail included (only measured without limits). */
  clientWholeRps: number;
  bareWholeRps: number;
  /** undici Pool.request with C workers, no SDK: what HTTP alone reaches (only measured without limits). */
  rawRps: number;
  clientRateLimited: number;
  tokensPerRequest: number;
  sdkOkRps: number;
  /** Requests the plain SDK lost (failed after its retries). */
  sdkFailed: number;
  sdkRateLimited: number;
}

const ROUNDS = 3;

/** Throughput of one round: over its whole time, and in its steady part (see rate()). */
interface Rate {
  whole: number;
  steady: number;
}

/**
 * `done`: completion times of one round of n requests kept C in flight. Steady rate: completions between the
 * (2C)-th and a later one a whole number k of waves (kC completions) on, at least one wave before the end,
 * over the time between the two: in steady state each of the C slots completes once per cycle, so kC
 * completions take k cycles whatever the spread of a wave. This leaves out the ramp-up (all C sent at once)
 * and the tail (slots idle while the last requests finish), which a round of n requests pays once.
 */
function rate(done: number[], wholeMs: number): Rate {
  done.sort((x, y) => x - y);
  const n = done.length;
  const a = 2 * C;
  const k = Math.floor((n - 1 - C - a) / C);
  const b = a + k * C;
  return { whole: n / (wholeMs / 1000), steady: (k * C) / ((done[b]! - done[a]!) / 1000) };
}

function emulatorOptions(limits: Limits) {
  return {
    timeScale: TIME_SCALE,
    latency: { ttftMs: limits.latencyMs / TIME_SCALE, ttftSigma: 0, perTokenMs: 0, perTokenSigma: 0 },
    ...(limits.rpm ? { rpm: limits.rpm } : {}),
    ...(limits.tpm ? { tpm: limits.tpm } : {}),
  };
}

function bareSdk(emu: { url: string }): { openai: OpenAI; agent: Agent } {
  const agent = new Agent({ connections: C, keepAliveTimeout: 30_000 });
  const openai = new OpenAI({
    baseURL: emu.url,
    apiKey: 'test',
    maxRetries: 0,
    fetch: undiciFetch as unknown as typeof fetch,
    fetchOptions: { dispatcher: agent } as Record<string, unknown>,
  });
  return { openai, agent };
}

/**
 * Without limits: LlmClient (Promise.all into its queue, concurrency C) and the bare SDK with C workers
 * measured in alternating rounds on one emulator, so that both see the same machine load. With limits: the client
 * runs a warm-up (learns the limits, drains the provider's burst) and then MEASURED requests.
 * In both cases the plain SDK "the usual way" (Promise.all over every request, default maxRetries 2) runs on a
 * fresh emulator with the same settings.
 */
async function throughput(limits: Limits): Promise<Throughput> {
  runId++;
  const limited = limits.rpm !== undefined || limits.tpm !== undefined;
  const measured = await withRemoteEmulator(emulatorOptions(limits), async (emu) => {
    const provider = openaiProvider({ baseURL: emu.url, apiKey: 'test', connections: C });
    const c = new LlmClient({
      provider,
      concurrency: C,
      cache: false,
      rateLimit: { interval: WINDOW_MS },
      retry: { maxAttempts: 6, baseDelay: 5 },
    });
    const { openai, agent } = bareSdk(emu);
    const raw = new Pool(emu.origin, { connections: C });
    let i = 0;
    const viaClient = async (n: number, done: number[] = []): Promise<number> => {
      const start = performance.now();
      await Promise.all(
        Array.from({ length: n }, () => c.complete(ask(i++)).then(() => void done.push(performance.now()))),
      );
      return performance.now() - start;
    };
    const workers = async (n: number, call: () => Promise<unknown>, done: number[] = []): Promise<number> => {
      const start = performance.now();
      let left = n;
      await Promise.all(
        Array.from({ length: C }, async () => {
          while (left-- > 0) {
            await call();
            done.push(performance.now());
          }
        }),
      );
      return performance.now() - start;
    };
    const sdkCall = () => openai.chat.completions.create(sdkAsk(i++));
    const rawCall = async () => {
      const r = await raw.request({
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
        body: JSON.stringify(sdkAsk(i++)),
      });
      await r.body.json();
    };
    try {
      if (limited) {
        await viaClient(WARMUP);
        const s0 = await emu.stats();
        const ms = await viaClient(MEASURED);
        const s = await emu.stats();
        return {
          clientRps: MEASURED / (ms / 1000),
          bareRps: Number.NaN,
          clientWholeRps: MEASURED / (ms / 1000),
          bareWholeRps: Number.NaN,
          rawRps: Number.NaN,
          rateLimited: s.rateLimited - s0.rateLimited,
          tokensPerRequest: (s.inputTokens + s.outputTokens - s0.inputTokens - s0.outputTokens) / MEASURED,
        };
      }
      await viaClient(4 * C);
      await workers(4 * C, sdkCall);
      await workers(4 * C, rawCall);
      const s0 = await emu.stats();
      // about 2 s of wall time per round: whole waves of C requests
      const PER_ROUND = C * Math.max(12, Math.round(2000 / limits.latencyMs));
      const client: Rate[] = [];
      const bare: Rate[] = [];
      const rawRates: Rate[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        let done: number[] = [];
        client.push(rate(done, await viaClient(PER_ROUND, done)));
        done = [];
        bare.push(rate(done, await workers(PER_ROUND, sdkCall, done)));
        done = [];
        rawRates.push(rate(done, await workers(PER_ROUND, rawCall, done)));
      }
      const s = await emu.stats();
      const mean = (rs: Rate[], k: keyof Rate) => rs.reduce((sum, r) => sum + r[k], 0) / rs.length;
      return {
        clientRps: mean(client, 'steady'),
        bareRps: mean(bare, 'steady'),
        clientWholeRps: mean(client, 'whole'),
        bareWholeRps: mean(bare, 'whole'),
        rawRps: mean(rawRates, 'steady'),
        rateLimited: s.rateLimited - s0.rateLimited,
        // the raw rounds send the same requests, so every request counts
        tokensPerRequest:
          (s.inputTokens + s.outputTokens - s0.inputTokens - s0.outputTokens) / (3 * ROUNDS * PER_ROUND),
      };
    } finally {
      await c.close();
      await provider.close();
      await agent.close();
      await raw.close();
    }
  });
  runId++;
  const usual = await withRemoteEmulator(emulatorOptions(limits), async (emu) => {
    const agent = new Agent({ keepAliveTimeout: 30_000 });
    // the usual way: default maxRetries (2), Promise.all over every request at once
    const openai = new OpenAI({
      baseURL: emu.url,
      apiKey: 'test',
      fetch: undiciFetch as unknown as typeof fetch,
      fetchOptions: { dispatcher: agent } as Record<string, unknown>,
    });
    try {
      const start = performance.now();
      const outcomes = await Promise.all(
        Array.from({ length: WARMUP + MEASURED }, (_, i) =>
          openai.chat.completions.create(sdkAsk(i)).then(
            () => true,
            () => false,
          ),
        ),
      );
      const seconds = (performance.now() - start) / 1000;
      const ok = outcomes.filter(Boolean).length;
      return {
        okRps: ok / seconds,
        failed: outcomes.length - ok,
        rateLimited: (await emu.stats()).rateLimited,
      };
    } finally {
      await agent.close();
    }
  });
  return {
    clientRps: measured.clientRps,
    bareRps: measured.bareRps,
    clientWholeRps: measured.clientWholeRps,
    bareWholeRps: measured.bareWholeRps,
    rawRps: measured.rawRps,
    clientRateLimited: measured.rateLimited,
    tokensPerRequest: measured.tokensPerRequest,
    sdkOkRps: usual.okRps,
    sdkFailed: usual.failed,
    sdkRateLimited: usual.rateLimited,
  };
}

const results: Record<string, Throughput> = {};
async function scenario(name: string, limits: Limits): Promise<Throughput> {
  results[name] ??= await throughput(limits);
  return results[name];
}

function xMax(limits: Limits, tokensPerRequest: number): number {
  const perSecond = 1000 / WINDOW_MS;
  return Math.min(
    C / (limits.latencyMs / 1000),
    limits.rpm ? limits.rpm * perSecond : Infinity,
    limits.tpm ? (limits.tpm * perSecond) / tokensPerRequest : Infinity,
  );
}

const SCENARIOS: [string, Limits][] = [
  ['C/L-bound (C=16, L=50 ms, no limits)', { latencyMs: 50 }],
  ['C/L-bound (C=16, L=200 ms, no limits)', { latencyMs: 200 }],
  ['R-bound (C=16, L=50 ms, R=100 req/s)', { latencyMs: 50, rpm: 60 }],
  ['T-bound (C=16, L=50 ms, T=4000 tokens/s)', { latencyMs: 50, rpm: 600, tpm: 2400 }],
];

/** Counts attempts per request (by its prompt) in front of the real provider. */
function countingProvider(inner: OpenAiProvider, attempts: Map<string, number>): LlmProvider {
  return {
    name: inner.name,
    complete: (req, opts) => {
      const k = req.messages[0]!.content;
      attempts.set(k, (attempts.get(k) ?? 0) + 1);
      return inner.complete(req, opts);
    },
    stream: (req, opts) => inner.stream(req, opts),
    close: () => inner.close(),
  };
}

interface FaultRun {
  answeredOrTyped: number;
  answered: number;
  maxAttempts: number;
  sdkAnswered: number;
}
let faultRun: FaultRun | undefined;
const MAX_RETRIES = 3;

async function faults(): Promise<FaultRun> {
  if (faultRun) return faultRun;
  const n = 1000;
  const emuOptions = {
    timeScale: 0.01,
    seed: 7,
    latency: { ttftMs: 2000, ttftSigma: 0.3, perTokenMs: 0 },
    faults: { http500: 0.04, reset: 0.03, http429: 0.03, retryAfterMs: 1000 },
  };
  runId++;
  const ours = await withEmulator(emuOptions, async (emu) => {
    const inner = openaiProvider({ baseURL: emu.url, apiKey: 'test', connections: C });
    const attempts = new Map<string, number>();
    const c = new LlmClient({
      provider: countingProvider(inner, attempts),
      concurrency: C,
      cache: false,
      rateLimit: false,
      retry: { maxAttempts: 1 + MAX_RETRIES, baseDelay: 5, maxDelay: 50 },
    });
    try {
      const outcomes = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          c.complete(ask(i)).then(
            () => 'ok',
            (e: unknown) => (e instanceof LlmError ? 'typed' : 'lost'),
          ),
        ),
      );
      return {
        answeredOrTyped: outcomes.filter((o) => o !== 'lost').length / n,
        answered: outcomes.filter((o) => o === 'ok').length / n,
        maxAttempts: Math.max(...attempts.values()),
      };
    } finally {
      await c.close();
      await inner.close();
    }
  });
  runId++;
  const sdkAnswered = await withEmulator(emuOptions, async (emu) => {
    const openai = new OpenAI({ baseURL: emu.url, apiKey: 'test', maxRetries: MAX_RETRIES });
    const outcomes = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        openai.chat.completions.create(sdkAsk(i)).then(
          () => true,
          () => false,
        ),
      ),
    );
    return outcomes.filter(Boolean).length / n;
  });
  faultRun = { ...ours, sdkAnswered };
  return faultRun;
}

interface Overhead {
  clientMissMs: number;
  sdkMs: number;
  hitMs: number;
  /** Sequential completeText (a lone prompt: batches of 1) vs the bare SDK's completions.create. */
  textMs: number;
  sdkTextMs: number;
}
let overheadRun: Overhead | undefined;

async function overhead(): Promise<Overhead> {
  if (overheadRun) return overheadRun;
  overheadRun = await withEmulator(
    { timeScale: 1, latency: { ttftMs: 20, ttftSigma: 0, perTokenMs: 0, perTokenSigma: 0 } },
    async (emu) => {
      const provider = openaiProvider({ baseURL: emu.url, apiKey: 'test', connections: 4 });
      const client = new LlmClient({ provider, concurrency: 4 });
      const agent = new Agent({ connections: 4 });
      const sdk = new OpenAI({
        baseURL: emu.url,
        apiKey: 'test',
        maxRetries: 0,
        fetch: undiciFetch as unknown as typeof fetch,
        fetchOptions: { dispatcher: agent } as Record<string, unknown>,
      });
      try {
        runId++;
        const ROUNDS = 6;
        const PER_ROUND = 25;
        let clientTotal = 0;
        let sdkTotal = 0;
        let i = 0;
        for (let w = 0; w < 10; w++) {
          await client.complete(ask(i++));
          await sdk.chat.completions.create(sdkAsk(i++));
        }
        for (let r = 0; r < ROUNDS; r++) {
          let t = performance.now();
          for (let k = 0; k < PER_ROUND; k++) await client.complete(ask(i++));
          clientTotal += performance.now() - t;
          t = performance.now();
          for (let k = 0; k < PER_ROUND; k++) await sdk.chat.completions.create(sdkAsk(i++));
          sdkTotal += performance.now() - t;
        }
        // a lone prompt through the batcher (batch of 1) vs the bare SDK: the batch timeout must not be paid
        const text = (k: number) => ({
          model: 'gpt-3.5-turbo-instruct',
          prompt: `run ${runId} agent ${k}: Choose one of: [buy, sell, hold]`,
          temperature: 0,
          maxTokens: 32,
        });
        let textTotal = 0;
        let sdkTextTotal = 0;
        for (let r = 0; r < ROUNDS; r++) {
          let t = performance.now();
          for (let k = 0; k < PER_ROUND; k++) await client.completeText(text(i++));
          textTotal += performance.now() - t;
          t = performance.now();
          for (let k = 0; k < PER_ROUND; k++) {
            const { maxTokens, ...rest } = text(i++);
            await sdk.completions.create({ ...rest, max_tokens: maxTokens });
          }
          sdkTextTotal += performance.now() - t;
        }
        const hitReq = ask(0);
        await client.complete(hitReq);
        const HITS = 20_000;
        const t = performance.now();
        for (let k = 0; k < HITS; k++) await client.complete(hitReq);
        const hitMs = (performance.now() - t) / HITS;
        return {
          clientMissMs: clientTotal / (ROUNDS * PER_ROUND),
          sdkMs: sdkTotal / (ROUNDS * PER_ROUND),
          hitMs,
          textMs: textTotal / (ROUNDS * PER_ROUND),
          sdkTextMs: sdkTextTotal / (ROUNDS * PER_ROUND),
        };
      } finally {
        await client.close();
        await provider.close();
        await agent.close();
      }
    },
  );
  return overheadRun;
}

export default defineSuite({
  name: 'client',
  cases: [
    ...SCENARIOS.flatMap(([name, limits]) => [
      ...(limits.rpm === undefined
        ? [
            {
              kind: 'measured' as const,
              name: `throughput ${name}: LlmClient req/s vs bare SDK with ${C} workers, alternating rounds, steady window`,
              unit: 'req/s',
              higherIsBetter: true,
              async measure() {
                const r = await scenario(name, limits);
                return { ours: r.clientRps, peer: `bare SDK, ${C} workers`, peerValue: r.bareRps };
              },
            },
            {
              kind: 'measured' as const,
              name: `throughput ${name}: whole rounds (ramp-up and tail included): LlmClient req/s vs X_max`,
              unit: 'req/s',
              higherIsBetter: true,
              async measure() {
                const r = await scenario(name, limits);
                return { ours: r.clientWholeRps, peer: 'X_max', peerValue: xMax(limits, r.tokensPerRequest) };
              },
            },
            {
              kind: 'measured' as const,
              name: `throughput ${name}: whole rounds: bare SDK with ${C} workers req/s vs X_max`,
              unit: 'req/s',
              higherIsBetter: true,
              async measure() {
                const r = await scenario(name, limits);
                return { ours: r.bareWholeRps, peer: 'X_max', peerValue: xMax(limits, r.tokensPerRequest) };
              },
            },
            {
              kind: 'measured' as const,
              name: `throughput ${name}: no SDK, undici Pool.request with ${C} workers req/s vs X_max, steady window (the HTTP ceiling)`,
              unit: 'req/s',
              higherIsBetter: true,
              async measure() {
                const r = await scenario(name, limits);
                return { ours: r.rawRps, peer: 'X_max', peerValue: xMax(limits, r.tokensPerRequest) };
              },
            },
          ]
        : []),
      {
        kind: 'measured' as const,
        name: `throughput ${name}: LlmClient req/s vs X_max = min(C/L, R, T/tokens per request), ${limits.rpm === undefined ? 'steady window' : `${MEASURED} requests after warm-up`}`,
        unit: 'req/s',
        higherIsBetter: true,
        async measure() {
          const r = await scenario(name, limits);
          return { ours: r.clientRps, peer: 'X_max', peerValue: xMax(limits, r.tokensPerRequest) };
        },
      },
      {
        kind: 'measured' as const,
        name: `throughput ${name}: LlmClient req/s vs plain SDK Promise.all (maxRetries 2), answered req/s`,
        unit: 'req/s',
        higherIsBetter: true,
        async measure() {
          const r = await scenario(name, limits);
          return { ours: r.clientRps, peer: 'plain SDK Promise.all', peerValue: r.sdkOkRps };
        },
      },
      {
        kind: 'measured' as const,
        name: `requests lost ${name}: LlmClient vs plain SDK Promise.all (maxRetries 2), ${WARMUP + MEASURED} req`,
        unit: 'failed',
        higherIsBetter: false,
        async measure() {
          const r = await scenario(name, limits);
          // every LlmClient call above resolved (a failure would have thrown out of Promise.all)
          return { ours: 0, peer: 'plain SDK Promise.all', peerValue: r.sdkFailed };
        },
      },
      {
        kind: 'measured' as const,
        name: `429s ${name}: LlmClient (${limits.rpm === undefined ? 'all' : 'after learning'}) vs plain SDK Promise.all (${WARMUP + MEASURED} req)`,
        unit: '429s',
        higherIsBetter: false,
        async measure() {
          const r = await scenario(name, limits);
          return { ours: r.clientRateLimited, peer: 'plain SDK Promise.all', peerValue: r.sdkRateLimited };
        },
      },
    ]),
    {
      kind: 'measured',
      name: '10% faults (500, reset, 429 + retry-after), 1000 req: share answered or failed typed (no request lost)',
      unit: 'share',
      higherIsBetter: true,
      async measure() {
        const r = await faults();
        return { ours: r.answeredOrTyped, peer: 'goal', peerValue: 1 };
      },
    },
    {
      kind: 'measured',
      name: `10% faults: share answered, LlmClient (maxAttempts ${1 + MAX_RETRIES}) vs plain SDK (maxRetries ${MAX_RETRIES}) Promise.all`,
      unit: 'share',
      higherIsBetter: true,
      async measure() {
        const r = await faults();
        return { ours: r.answered, peer: 'plain SDK Promise.all', peerValue: r.sdkAnswered };
      },
    },
    {
      kind: 'measured',
      name: '10% faults: most attempts of one request vs 1 + maxRetries',
      unit: 'attempts',
      higherIsBetter: false,
      async measure() {
        const r = await faults();
        return { ours: r.maxAttempts, peer: '1 + maxRetries', peerValue: 1 + MAX_RETRIES };
      },
    },
    {
      kind: 'measured',
      name: 'cache miss at L = 20 ms, sequential: LlmClient ms/call vs bare SDK ms/call (goal: < 1.05)',
      unit: 'ms',
      higherIsBetter: false,
      async measure() {
        const r = await overhead();
        return { ours: r.clientMissMs, peer: 'bare openai SDK', peerValue: r.sdkMs };
      },
    },
    {
      kind: 'measured',
      name: 'lone completeText at L = 20 ms, sequential (batches of 1, default 10 ms batch timeout): LlmClient ms/call vs bare SDK completions.create',
      unit: 'ms',
      higherIsBetter: false,
      async measure() {
        const r = await overhead();
        return { ours: r.textMs, peer: 'bare openai SDK completions.create', peerValue: r.sdkTextMs };
      },
    },
    {
      kind: 'measured',
      name: 'cache hit vs cache miss (L = 20 ms): ms/call (goal: ratio <= 0.01, i.e. 100x faster)',
      unit: 'ms',
      higherIsBetter: false,
      async measure() {
        const r = await overhead();
        return { ours: r.hitMs, peer: 'LlmClient cache miss', peerValue: r.clientMissMs };
      },
    },
  ],
});

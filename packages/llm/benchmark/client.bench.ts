/**
 * The goals for LlmClient, measured against the emulator in this process:
 *  1. throughput vs X_max = min(C/L, R, T / tokens per request), zero 429s once the limits are learned, and
 *     side by side with the plain official SDK used the usual way (Promise.all over the same requests);
 *  2. with 10% injected faults (500s, resets, 429s with Retry-After): no request lost, attempts <= 1 + maxRetries;
 *  3. overhead of the client path on a cache miss vs a bare SDK call at L = 20 ms, and a cache hit vs a miss.
 */
import { defineSuite } from '@hp/bench';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import {
  LlmClient,
  LlmError,
  type LlmProvider,
  type LlmRequest,
  openaiProvider,
  type OpenAiProvider,
} from '../src/index.js';

const C = 16;
const L_MS = 50; // wall-clock latency of one request in the throughput cases
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

interface Throughput {
  clientRps: number;
  clientRateLimited: number;
  tokensPerRequest: number;
  sdkOkRps: number;
  sdkFailed: number;
  sdkRateLimited: number;
}

/** Client: warm-up (learn the limits, drain the bursts), then MEASURED requests; plain SDK: Promise.all over the same. */
async function throughput(limits: { rpm?: number; tpm?: number }): Promise<Throughput> {
  runId++;
  const emuOptions = {
    timeScale: TIME_SCALE,
    latency: { ttftMs: L_MS / TIME_SCALE, ttftSigma: 0, perTokenMs: 0, perTokenSigma: 0 },
    ...limits,
  };
  const client = await withEmulator(emuOptions, async (emu) => {
    const provider = openaiProvider({ baseURL: emu.url, apiKey: 'test', connections: C });
    const c = new LlmClient({
      provider,
      concurrency: C,
      cache: false,
      rateLimit: { interval: WINDOW_MS },
      retry: { maxAttempts: 6, baseDelay: 5 },
    });
    try {
      await Promise.all(Array.from({ length: WARMUP }, (_, i) => c.complete(ask(i))));
      emu.resetStats();
      const start = performance.now();
      await Promise.all(Array.from({ length: MEASURED }, (_, i) => c.complete(ask(WARMUP + i))));
      const seconds = (performance.now() - start) / 1000;
      const s = emu.stats();
      return {
        rps: MEASURED / seconds,
        rateLimited: s.rateLimited,
        tokensPerRequest: (s.inputTokens + s.outputTokens) / MEASURED,
      };
    } finally {
      await c.close();
      await provider.close();
    }
  });
  runId++;
  const sdk = await withEmulator(emuOptions, async (emu) => {
    const agent = new Agent({ keepAliveTimeout: 30_000 });
    // the usual way: default maxRetries (2), global-style fetch, Promise.all over every request at once
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
      return { okRps: ok / seconds, failed: outcomes.length - ok, rateLimited: emu.stats().rateLimited };
    } finally {
      await agent.close();
    }
  });
  return {
    clientRps: client.rps,
    clientRateLimited: client.rateLimited,
    tokensPerRequest: client.tokensPerRequest,
    sdkOkRps: sdk.okRps,
    sdkFailed: sdk.failed,
    sdkRateLimited: sdk.rateLimited,
  };
}

const results: Record<string, Throughput> = {};
async function scenario(name: string, limits: { rpm?: number; tpm?: number }): Promise<Throughput> {
  results[name] ??= await throughput(limits);
  return results[name];
}

function xMax(limits: { rpm?: number; tpm?: number }, tokensPerRequest: number): number {
  const perSecond = 1000 / WINDOW_MS;
  return Math.min(
    C / (L_MS / 1000),
    limits.rpm ? limits.rpm * perSecond : Infinity,
    limits.tpm ? (limits.tpm * perSecond) / tokensPerRequest : Infinity,
  );
}

const SCENARIOS: [string, { rpm?: number; tpm?: number }][] = [
  ['C/L-bound (C=16, L=50 ms, no limits)', {}],
  ['R-bound (R=100 req/s)', { rpm: 60 }],
  ['T-bound (T=4000 tokens/s)', { rpm: 600, tpm: 2400 }],
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
      {
        kind: 'measured' as const,
        name: `throughput ${name}: LlmClient req/s vs X_max = min(C/L, R, T/tokens per request)`,
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
        name: `429s ${name}: LlmClient after learning (${MEASURED} req) vs plain SDK Promise.all (${WARMUP + MEASURED} req)`,
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

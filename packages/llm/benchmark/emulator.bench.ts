/**
 * Raw throughput of the emulator (time scale 0: no modelled latency), driven by the official openai SDK versus
 * undici directly on a keep-alive Pool, at a fixed concurrency, in this one process. It is the base later
 * figures compare with: how many requests per second the emulator + a client can push on this machine.
 * A second pair shows the batch latency model: 16 prompts as one /v1/completions request vs 16 requests.
 */
import { defineSuite } from '@hp/bench';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch, Pool } from 'undici';
import { type Emulator, startEmulator } from '../src/emulator/index.js';

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

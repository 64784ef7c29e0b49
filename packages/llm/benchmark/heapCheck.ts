/**
 * What a call leaves on the client's heap: a diagnostic, not a benchmark suite (the runner only picks
 * *.bench.ts). Run it under the bench lock with the GC exposed:
 *   flock /tmp/hp-bench.lock npx node --expose-gc --import tsx benchmark/heapCheck.ts
 * env: MODE (cache = the default in-process cache, nocache = `cache: false`, sdk = the bare SDK over our
 * dispatcher fetch), N (calls per step, default 4000), STEPS (default 3), SNAPSHOT=1 to write heap snapshots
 * after the first and the last step (/tmp/llm-heap-MODE-STEP.heapsnapshot) for a diff in DevTools.
 * Each step sends N calls with distinct prompts (C = 16 at a time) to an emulator in a child process
 * (time scale 0), then runs the GC and prints heapUsed: bytes per call = growth / N between steps.
 */
import { fork } from 'node:child_process';
import { writeHeapSnapshot } from 'node:v8';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { LlmClient, openaiProvider } from '../src/index.js';
import { fetchThrough } from '../src/dispatcherFetch.js';
import { Pool } from 'undici';

const MODE = process.env.MODE ?? 'cache';
const N = Number(process.env.N ?? 4000);
const STEPS = Number(process.env.STEPS ?? 3);
const C = 16;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const child = fork(
  fileURLToPath(new URL('./emulatorProcess.ts', import.meta.url)),
  [JSON.stringify({ timeScale: 0 })],
  {
    execArgv: process.execArgv.filter((a) => a !== '--expose-gc'),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  },
);
const { url, origin } = await new Promise<{ url: string; origin: string }>((resolve) =>
  child.once('message', (m) => resolve(m as { url: string; origin: string })),
);

const provider = openaiProvider({ baseURL: url, apiKey: 'test', connections: C });
const client = new LlmClient({ provider, concurrency: C, ...(MODE === 'nocache' ? { cache: false } : {}) });
const pool = new Pool(origin, { connections: C });
const sdk = new OpenAI({
  baseURL: url,
  apiKey: 'test',
  maxRetries: 0,
  fetch: ((u: string, init: RequestInit) => fetchThrough(pool, u, init)) as unknown as typeof fetch,
});

let i = 0;
const content = (k: number) => `agent ${k}: the market is open. Choose one of: [buy, sell, hold]`;
const call = (k: number): Promise<unknown> =>
  MODE === 'sdk'
    ? sdk.chat.completions.create({
        model: 'gpt-4o-mini',
        max_tokens: 32,
        temperature: 0,
        messages: [{ role: 'user', content: content(k) }],
      })
    : client.complete({
        model: 'gpt-4o-mini',
        maxTokens: 32,
        temperature: 0,
        messages: [{ role: 'user', content: content(k) }],
      });

async function step(): Promise<void> {
  let left = N;
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (left-- > 0) await call(i++);
    }),
  );
}

const settle = async (): Promise<number> => {
  for (let k = 0; k < 3; k++) {
    await new Promise((r) => setTimeout(r, 50));
    gc();
  }
  return process.memoryUsage().heapUsed;
};

await step(); // warm-up: JIT, pools, lazily built tables
let last = await settle();
console.log(`${MODE}: after warm-up heapUsed ${(last / 1e6).toFixed(2)} MB`);
for (let s = 1; s <= STEPS; s++) {
  if (process.env.SNAPSHOT && (s === 1 || s === STEPS))
    writeHeapSnapshot(`/tmp/llm-heap-${MODE}-${s}.heapsnapshot`);
  await step();
  const now = await settle();
  console.log(
    `${MODE}: step ${s}: heapUsed ${(now / 1e6).toFixed(2)} MB, ${((now - last) / N).toFixed(0)} bytes per call`,
  );
  last = now;
}
await client.close();
await provider.close();
await pool.close();
child.send('close');

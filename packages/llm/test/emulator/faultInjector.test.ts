import OpenAI, { type APIError } from 'openai';
import {
  FaultInjector,
  parseEmulatorOptions,
  parseFaultKind,
  startEmulator,
} from '../../src/emulator/index.js';

describe('FaultInjector', () => {
  it('draws from (seed, request number): the same seed replays the same faults', () => {
    const faults = parseEmulatorOptions({ faults: { http500: 0.1, reset: 0.1, http429: 0.1 } }).faults;
    const a = new FaultInjector(faults, 42);
    const b = new FaultInjector(faults, 42);
    const c = new FaultInjector(faults, 43);
    const seqA = Array.from({ length: 2000 }, (_, i) => a.decide(i + 1));
    const seqB = Array.from({ length: 2000 }, (_, i) => b.decide(i + 1));
    const seqC = Array.from({ length: 2000 }, (_, i) => c.decide(i + 1));
    expect(seqB).toEqual(seqA);
    expect(seqC).not.toEqual(seqA);
    const share = seqA.filter((k) => k !== undefined).length / seqA.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
    // replaying request #n alone gives the same decision, whatever came before
    expect(new FaultInjector(faults, 42).decide(1234)).toBe(seqA[1233]);
  });

  it('honours a schedule and the x-emulator-fault header', () => {
    const faults = parseEmulatorOptions({ faults: { schedule: { 3: 'reset' } } }).faults;
    const f = new FaultInjector(faults, 1);
    expect(f.decide(1)).toBeUndefined();
    expect(f.decide(3)).toBe('reset');
    expect(f.decide(4, '503')).toBe('http503');
    expect(parseFaultKind('nonsense')).toBeUndefined();
  });

  it('rejects shares above 1 with an error naming the option', () => {
    expect(() => parseEmulatorOptions({ faults: { http500: 0.7, reset: 0.5 } })).toThrow(/faults/);
    expect(() => parseEmulatorOptions({ faults: { http500: 2 } })).toThrow(/faults\.http500/);
  });
});

describe('injected faults seen through the official SDK', () => {
  const req = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hello' }] };
  const withFault = (kind: string) => ({ headers: { 'x-emulator-fault': kind } });

  it('500, 503 and 429 come back as the SDK error classes, 429 with retry-after', async () => {
    const emu = await startEmulator({ timeScale: 0.01, faults: { retryAfterMs: 2000 } });
    try {
      const client = new OpenAI({ baseURL: emu.url, apiKey: 'test', maxRetries: 0 });
      const e500 = await client.chat.completions.create(req, withFault('500')).catch((e: unknown) => e);
      expect(e500).toBeInstanceOf(OpenAI.InternalServerError);
      expect((e500 as APIError).status).toBe(500);
      const e503 = await client.chat.completions.create(req, withFault('503')).catch((e: unknown) => e);
      expect((e503 as APIError).status).toBe(503);
      const e429 = (await client.chat.completions
        .create(req, withFault('429'))
        .catch((e: unknown) => e)) as APIError;
      expect(e429).toBeInstanceOf(OpenAI.RateLimitError);
      expect(e429.headers!.get('retry-after-ms')).toBe('20'); // 2000 ms emulated x 0.01
      expect(emu.stats().faults).toMatchObject({ http500: 1, http503: 1, http429: 1 });
    } finally {
      await emu.close();
    }
  });

  it('a reset, a truncated body and a malformed body fail the call; the next call on the same client works', async () => {
    const emu = await startEmulator({ timeScale: 0 });
    try {
      // logLevel off: the SDK logs the unparsable SSE chunk before it throws
      const client = new OpenAI({ baseURL: emu.url, apiKey: 'test', maxRetries: 0, logLevel: 'off' });
      await expect(client.chat.completions.create(req, withFault('reset'))).rejects.toBeInstanceOf(
        OpenAI.APIConnectionError,
      );
      await expect(client.chat.completions.create(req, withFault('truncated'))).rejects.toThrow();
      await expect(client.chat.completions.create(req, withFault('malformed'))).rejects.toBeInstanceOf(
        SyntaxError,
      );
      await expect(client.chat.completions.create(req)).resolves.toBeDefined();
      const stream = await client.chat.completions.create({ ...req, stream: true }, withFault('malformed'));
      await expect(
        (async () => {
          for await (const _ of stream) void _;
        })(),
      ).rejects.toThrow();
      const cut = await client.chat.completions.create({ ...req, stream: true }, withFault('truncated'));
      await expect(
        (async () => {
          for await (const _ of cut) void _;
        })(),
      ).rejects.toThrow();
      expect(emu.stats().faults).toMatchObject({ reset: 1, truncated: 2, malformed: 2 });
    } finally {
      await emu.close();
    }
  });

  it('a slow response is marked (its latency factor is tested in latencyModel.test.ts)', async () => {
    const emu = await startEmulator({
      timeScale: 1,
      latency: { ttftMs: 1, ttftSigma: 0, perTokenMs: 0, perTokenSigma: 0 },
      faults: { slowFactor: 2 },
    });
    try {
      const client = new OpenAI({ baseURL: emu.url, apiKey: 'test', maxRetries: 0 });
      const res = await client.chat.completions.create(req, withFault('slow')).withResponse();
      expect(res.response.headers.get('x-emulator-fault')).toBe('slow');
      expect(res.response.headers.get('openai-processing-ms')).not.toBeNull();
    } finally {
      await emu.close();
    }
  });

  it('a seeded run replays: same seed, same statuses request by request', async () => {
    async function run(seed: number): Promise<string[]> {
      const emu = await startEmulator({
        timeScale: 0,
        seed,
        faults: { http500: 0.2, http503: 0.1, reset: 0.1 },
      });
      const client = new OpenAI({ baseURL: emu.url, apiKey: 'test', maxRetries: 0 });
      const out: string[] = [];
      try {
        for (let i = 0; i < 30; i++) {
          out.push(
            await client.chat.completions.create(req).then(
              () => 'ok',
              (e: APIError) => String(e.status ?? 'conn'),
            ),
          );
        }
      } finally {
        await emu.close();
      }
      return out;
    }
    const a = await run(5);
    expect(await run(5)).toEqual(a);
    expect(a).toContain('ok');
    expect(a.some((s) => s !== 'ok')).toBe(true);
  });
});

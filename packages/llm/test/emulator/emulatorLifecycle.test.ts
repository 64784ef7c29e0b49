import { spawn } from 'node:child_process';
import { join } from 'node:path';
import OpenAI from 'openai';
import { parseEmulatorOptions, startEmulator } from '../../src/emulator/index.js';

describe('emulator options', () => {
  it('accepts snake_case keys and aliases', () => {
    const o = parseEmulatorOptions({
      time_scale: 0.5,
      requests_per_minute: 60,
      tpm: 1000,
      latency: { ttft_ms: 10, per_token_ms: 1 },
      faults: { '500': 0.1, reset: 0.05, retry_after_ms: 10 },
    });
    expect(o).toMatchObject({ timeScale: 0.5, rpm: 60, tpm: 1000, latency: { ttftMs: 10, perTokenMs: 1 } });
    expect(o.faults).toMatchObject({ http500: 0.1, reset: 0.05, retryAfterMs: 10 });
  });

  it('throws LlmOptionsError naming the bad option', () => {
    expect(() => parseEmulatorOptions({ rpm: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS', option: 'rpm' }),
    );
    expect(() => parseEmulatorOptions({ latency: { ttftMs: 'x' } })).toThrow(
      expect.objectContaining({ option: 'latency.ttftMs' }),
    );
    expect(() => parseEmulatorOptions({ bogus: 1 })).toThrow(/Invalid option/);
  });
});

describe('emulator lifecycle', () => {
  it('close() ends in-flight requests (plain and streamed) and frees the port', async () => {
    const emu = await startEmulator({ timeScale: 1, latency: { ttftMs: 60_000, ttftSigma: 0 } });
    const client = new OpenAI({ baseURL: emu.url, apiKey: 'test', maxRetries: 0 });
    const req = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'slow' }] };
    const plain = client.chat.completions.create(req).catch((e: unknown) => e);
    const streamed = client.chat.completions.create({ ...req, stream: true }).catch((e: unknown) => e);
    try {
      for (let i = 0; i < 200 && emu.stats().inFlight < 2; i++) await new Promise((r) => setTimeout(r, 10));
      expect(emu.stats().inFlight).toBe(2);
    } finally {
      await emu.close();
    }
    expect(await plain).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(await streamed).toBeInstanceOf(OpenAI.APIConnectionError);
    await emu.close(); // idempotent
  });

  it('a client that disconnects frees its request', async () => {
    const emu = await startEmulator({ timeScale: 1, latency: { ttftMs: 60_000, ttftSigma: 0 } });
    try {
      const client = new OpenAI({ baseURL: emu.url, apiKey: 'test', maxRetries: 0 });
      const ac = new AbortController();
      const p = client.chat.completions
        .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { signal: ac.signal })
        .catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 30));
      ac.abort();
      expect(await p).toBeInstanceOf(OpenAI.APIUserAbortError);
      for (let i = 0; i < 50 && emu.stats().inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(emu.stats().inFlight).toBe(0);
    } finally {
      await emu.close();
    }
  });

  it('the hp-llm-emulator CLI serves the API and stops on SIGTERM', async () => {
    const cli = join(__dirname, '..', '..', 'src', 'cli.ts');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', cli, '--port', '0', '--time-scale', '0', '--rpm', '100', '--faults', '500=0.01'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`cli exited with ${code}`)));
      });
      const client = new OpenAI({ baseURL: url, apiKey: 'test', maxRetries: 0 });
      const res = await client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
        .withResponse();
      expect(res.response.headers.get('x-ratelimit-limit-requests')).toBe('100');
      const stats = (await (await fetch(url.replace(/\/v1$/, '/emulator/stats'))).json()) as {
        requests: number;
      };
      expect(stats.requests).toBe(2);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });
});

#!/usr/bin/env node
/**
 * hp-llm-emulator: run the OpenAI-compatible emulator from a shell.
 *
 *   hp-llm-emulator --port 8080 [--host 127.0.0.1] [--time-scale 0.01] [--rpm N] [--tpm N]
 *                   [--faults 500=0.05,503=0.02,429=0.01,reset=0.01,slow=0.01,truncated=0.01,malformed=0.01]
 *                   [--seed N] [--ttft-ms 300] [--per-token-ms 15]
 */
import { parseArgs } from 'node:util';
import { FAULT_KINDS } from './emulator/emulatorOptions.js';
import { startEmulator } from './emulator/emulatorServer.js';
import { parseFaultKind } from './emulator/faultInjector.js';

const HELP = `hp-llm-emulator --port 8080 [--host 127.0.0.1] [--time-scale 0.01] [--rpm N] [--tpm N]
                [--faults 500=0.05,503=0.02,429=0.01,reset=0.01,slow=0.01,truncated=0.01,malformed=0.01]
                [--seed N] [--ttft-ms 300] [--per-token-ms 15]

An OpenAI-compatible server (GET /v1/models, POST /v1/chat/completions, /v1/completions, /v1/embeddings)
with a latency model, rate limits and seeded fault injection. GET /emulator/stats shows its counters.
Fault kinds: ${FAULT_KINDS.join(', ')} (500, 503 and 429 are accepted for http500, http503, http429).`;

function num(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) {
    console.error(`hp-llm-emulator: --${name} must be a number, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}

function parseFaults(text: string | undefined): Record<string, number> | undefined {
  if (!text) return undefined;
  const out: Record<string, number> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const [name, value] = part.split('=');
    const kind = parseFaultKind(name ?? '');
    const share = Number(value);
    if (!kind || !Number.isFinite(share)) {
      console.error(
        `hp-llm-emulator: bad --faults entry ${JSON.stringify(part)}; expected KIND=SHARE with KIND one of ${FAULT_KINDS.join(', ')}`,
      );
      process.exit(2);
    }
    out[kind] = share;
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      'time-scale': { type: 'string' },
      rpm: { type: 'string' },
      tpm: { type: 'string' },
      faults: { type: 'string' },
      seed: { type: 'string' },
      'ttft-ms': { type: 'string' },
      'per-token-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const latency: Record<string, number> = {};
  const ttft = num('ttft-ms', values['ttft-ms']);
  const perToken = num('per-token-ms', values['per-token-ms']);
  if (ttft !== undefined) latency.ttftMs = ttft;
  if (perToken !== undefined) latency.perTokenMs = perToken;
  const options: Record<string, unknown> = { port: num('port', values.port), host: values.host, latency };
  const timeScale = num('time-scale', values['time-scale']);
  const rpm = num('rpm', values.rpm);
  const tpm = num('tpm', values.tpm);
  const seed = num('seed', values.seed);
  const faults = parseFaults(values.faults);
  if (timeScale !== undefined) options.timeScale = timeScale;
  if (rpm !== undefined) options.rpm = rpm;
  if (tpm !== undefined) options.tpm = tpm;
  if (seed !== undefined) options.seed = seed;
  if (faults) options.faults = faults;
  const emu = await startEmulator(options);
  console.log(
    `hp-llm-emulator listening on ${emu.url} (seed ${emu.options.seed}, time scale ${emu.options.timeScale})`,
  );
  const stop = (): void => {
    void emu.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`hp-llm-emulator: ${(err as Error).message ?? String(err)}`);
  process.exit(1);
});

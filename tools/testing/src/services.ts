import { spawnSync } from 'node:child_process';

/** The real services hp's tests talk to, with the addresses this machine and CI run them on. */
export const SERVICES = {
  postgres: { host: '127.0.0.1', port: 5432, url: 'postgres://postgres@127.0.0.1:5432/test' },
  redis: { host: '127.0.0.1', port: 6379, url: 'redis://127.0.0.1:6379' },
} as const;

export type ServiceName = keyof typeof SERVICES;

const probed = new Map<string, boolean>();

/**
 * Whether a TCP server accepts connections at host:port. Synchronous (a child process makes the
 * attempt) so a test file can decide at load time whether to run a suite; cached per address.
 */
export function tcpReachable(host: string, port: number, timeoutMs = 1000): boolean {
  const key = `${host}:${port}`;
  const known = probed.get(key);
  if (known !== undefined) return known;
  const script = `
    const s = require('node:net').connect({ host: ${JSON.stringify(host)}, port: ${port} });
    s.setTimeout(${timeoutMs}, () => process.exit(1));
    s.on('connect', () => { s.end(); process.exit(0); });
    s.on('error', () => process.exit(1));`;
  const result = spawnSync(process.execPath, ['-e', script], { timeout: timeoutMs + 2000 });
  const ok = result.status === 0;
  probed.set(key, ok);
  return ok;
}

/**
 * Returns `describe` when the named service is reachable. When it is not: under CI=true it throws,
 * so the test file fails (CI must never pass by skipping real-service tests); elsewhere it warns
 * visibly and returns `describe.skip`.
 */
export function describeWithService(name: ServiceName): jest.Describe {
  const { host, port } = SERVICES[name];
  if (tcpReachable(host, port)) return describe;
  const message = `${name} is not reachable at ${host}:${port}`;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`${message}; CI must run these tests against the real server (.ci/run starts it).`);
  }
  console.warn(`SKIPPED: ${message}; the tests that need it are skipped. Start it to run them.`);
  return describe.skip;
}

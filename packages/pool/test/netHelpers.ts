import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`port ${port} did not open`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A TCP proxy in front of a real server; stop() refuses new connections and cuts the open ones. */
export class TcpProxy {
  private _server: Server | undefined;
  private readonly _sockets = new Set<Socket>();
  private readonly _pairs = new Set<[Socket, Socket]>();
  constructor(
    readonly port: number,
    private readonly _targetPort: number,
  ) {}

  start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect({ host: '127.0.0.1', port: this._targetPort });
      for (const s of [client, upstream]) {
        this._sockets.add(s);
        s.on('close', () => this._sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      const pair: [Socket, Socket] = [client, upstream];
      this._pairs.add(pair);
      client.on('close', () => this._pairs.delete(pair));
      client.pipe(upstream);
      upstream.pipe(client);
    });
    this._server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  /** Stops forwarding on the connections open now (a silent network partition); new ones still work. */
  stall(): void {
    for (const [a, b] of this._pairs) {
      a.unpipe(b);
      b.unpipe(a);
      a.pause();
      b.pause();
    }
    this._pairs.clear();
  }

  stop(): Promise<void> {
    for (const s of this._sockets) s.destroy();
    const server = this._server;
    this._server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

/** A throwaway redis-server on its own port (never the shared one). */
export class OwnRedis {
  private _proc: ChildProcess | undefined;
  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this._proc = spawn('redis-server', ['--port', String(this.port), '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitForPort(this.port);
  }

  stop(): Promise<void> {
    const proc = this._proc;
    this._proc = undefined;
    if (!proc || proc.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  }
}

/** Seeded PRNG (mulberry32) for reproducible randomized runs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

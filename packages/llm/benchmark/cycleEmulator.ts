/** The emulator of benchmark/cycleBreakdown.ts: arrival and write times in response headers, CPU and event-loop delay over IPC. */
import http from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { startEmulator } from '../src/emulator/index.js';

const abs = () => performance.timeOrigin + performance.now();
const origEmit = http.Server.prototype.emit;
http.Server.prototype.emit = function (this: http.Server, ev: string, ...args: unknown[]) {
  if (ev === 'request') (args[0] as { __arr?: number }).__arr = abs();
  return (origEmit as (...a: unknown[]) => boolean).apply(this, [ev, ...args]);
} as typeof origEmit;
const origWriteHead = http.ServerResponse.prototype.writeHead;
http.ServerResponse.prototype.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
  const req = (this as unknown as { req: { __arr?: number } }).req;
  this.setHeader('x-diag-arr', String(req.__arr ?? 0));
  this.setHeader('x-diag-write', String(abs()));
  return (origWriteHead as (...a: unknown[]) => http.ServerResponse).apply(this, args);
} as typeof origWriteHead;

const options = JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof startEmulator>[0];
const emu = await startEmulator({ ...options, port: 0 });
const eld = monitorEventLoopDelay({ resolution: 1 });
let cpu0 = process.cpuUsage();
process.on('message', (m) => {
  if (m === 'close') void emu.close().then(() => process.exit(0));
  if (m === 'reset') {
    eld.reset();
    eld.enable();
    cpu0 = process.cpuUsage();
    emu.resetStats();
  }
  if (m === 'report') {
    const c = process.cpuUsage(cpu0);
    const s = emu.stats();
    process.send?.({
      kind: 'report',
      cpuMs: (c.user + c.system) / 1000,
      requests: s.requests,
      connections: s.connections,
      eldP50: eld.percentile(50) / 1e6,
      eldP99: eld.percentile(99) / 1e6,
      eldMax: eld.max / 1e6,
    });
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ kind: 'ready', url: emu.url, origin: emu.origin });

/**
 * One emulator in a child process, for the throughput benchmarks: a real provider runs on another machine, so
 * its CPU must not be taken from the client under test (in one process, the emulator's JSON and HTTP work
 * slowed every client call). Started by client.bench.ts with fork(); options as JSON in argv[2]; it answers
 * { url, origin } over IPC, its CPU time to 'cpu' ({ kind: 'cpu', ms }), and closes on 'close' or when the parent
 * goes away.
 */
import { startEmulator } from '../src/emulator/index.js';

const options = JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof startEmulator>[0];
const emu = await startEmulator({ ...options, port: 0 });
const stop = (): void => {
  void emu.close().then(() => process.exit(0));
};
process.on('message', (m) => {
  if (m === 'close') stop();
  // this process's CPU time so far (user + system, ms), for CPU-per-request figures
  if (m === 'cpu') {
    const c = process.cpuUsage();
    process.send?.({ kind: 'cpu', ms: (c.user + c.system) / 1000 });
  }
});
process.on('disconnect', stop);
process.send?.({ url: emu.url, origin: emu.origin });

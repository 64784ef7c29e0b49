import { Bench } from 'tinybench';
import { makeResult, median } from './report.js';
import { type BenchCase, type BenchResult, type TimedCase } from './suite.js';

export interface MeasureOptions {
  /** Measuring time per function per round, in ms. */
  timeMs: number;
  /** Warm-up time per function before each round, in ms. */
  warmupMs: number;
  /** Rounds alternate ours and peer; the median of the rounds is reported. */
  rounds: number;
}

async function opsPerSecond(name: string, fn: () => unknown, opsPerCall: number, options: MeasureOptions) {
  const bench = new Bench({
    time: options.timeMs,
    warmup: true,
    warmupTime: options.warmupMs,
    throws: true,
  });
  bench.add(name, fn);
  await bench.run();
  const task = bench.tasks[0]!;
  const result = task.result;
  if (result.state !== 'completed')
    throw new Error(`benchmark task ${name} did not complete: ${result.state}`);
  return (1000 / result.period) * opsPerCall;
}

async function runTimed(c: TimedCase, options: MeasureOptions): Promise<BenchResult> {
  const ops = c.opsPerCall ?? 1;
  const ours: number[] = [];
  const peer: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    // Alternate the order so neither side always runs on a warmer (or more fragmented) heap.
    if (round % 2 === 0) {
      ours.push(await opsPerSecond(`${c.name} (ours)`, c.ours, ops, options));
      peer.push(await opsPerSecond(`${c.name} (${c.peer.name})`, c.peer.fn, ops, options));
    } else {
      peer.push(await opsPerSecond(`${c.name} (${c.peer.name})`, c.peer.fn, ops, options));
      ours.push(await opsPerSecond(`${c.name} (ours)`, c.ours, ops, options));
    }
  }
  return makeResult(c.name, c.unit ?? 'ops/s', median(ours), c.peer.name, median(peer), true);
}

export async function runCase(c: BenchCase, options: MeasureOptions): Promise<BenchResult> {
  if (c.kind === 'measured') {
    const m = await c.measure();
    return makeResult(c.name, c.unit, m.ours, m.peer, m.peerValue, c.higherIsBetter);
  }
  return runTimed(c, options);
}

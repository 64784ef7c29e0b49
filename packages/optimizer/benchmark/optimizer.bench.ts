import { defineSuite } from '@hp/bench';
import { evaluate, type Evaluation } from './evaluation.js';
import { PHASES } from './llmPlant.js';

/**
 * In-process evaluation on a SIMULATED LLM plant (benchmark/llmPlant.ts), not the sim-runner +
 * emulator scenario of the issue: the sketch's static defaults, the optimizer on, and the per-phase
 * oracle from an offline grid search, each run once through four phases of 30 intervals of 300 s
 * (baseline, latency x2, rate limit / 2, key popularity shift), same seed.
 */
let result: Evaluation | undefined;
const get = async () => (result ??= await evaluate(1));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export default defineSuite({
  name: 'adaptive optimizer on a simulated LLM plant',
  cases: [
    {
      kind: 'measured',
      name: 'throughput, whole run (goal >= 1.3x static)',
      unit: 'req/s',
      higherIsBetter: true,
      measure: async () => {
        const e = await get();
        return {
          ours: mean(e.optimizer.intervals.map((x) => x.throughput)),
          peer: 'static defaults',
          peerValue: mean(e.static.intervals.map((x) => x.throughput)),
        };
      },
    },
    {
      kind: 'measured',
      name: 'p95 latency, mean of interval p95 (goal: equal or better)',
      unit: 's',
      higherIsBetter: false,
      measure: async () => {
        const e = await get();
        return { ours: e.p95Optimizer, peer: 'static defaults', peerValue: e.p95Static };
      },
    },
    ...PHASES.map((phase, p) => ({
      kind: 'measured' as const,
      name: `phase ${p} (${phase.name}): throughput, 2nd half (goal >= 0.9x oracle)`,
      unit: 'req/s',
      higherIsBetter: true,
      measure: async () => {
        const e = await get();
        const half = (r: Evaluation['static']) =>
          mean(
            r.intervals
              .filter((x) => x.phase === p)
              .slice(15)
              .map((x) => x.throughput),
          );
        return { ours: half(e.optimizer), peer: 'oracle (grid search)', peerValue: half(e.oracle) };
      },
    })),
    ...PHASES.slice(1).map((phase, k) => ({
      kind: 'measured' as const,
      name: `intervals to recover after shift ${k + 1} (${phase.name}) to 0.9x oracle at p95 <= 3 s (goal <= 20)`,
      unit: 'intervals',
      higherIsBetter: false,
      measure: async () => {
        const e = await get();
        const r = e.recovery[k]!;
        return { ours: Number.isFinite(r) ? r : 31, peer: 'goal', peerValue: 20 };
      },
    })),
    {
      kind: 'measured',
      name: 'worst interval, optimizer / static throughput (goal >= 0.95)',
      unit: 'ratio',
      higherIsBetter: true,
      measure: async () => ({ ours: (await get()).worstWindow, peer: 'goal', peerValue: 0.95 }),
    },
    {
      kind: 'measured',
      name: 'intervals with p95 above the 3 s objective (of 120)',
      unit: 'intervals',
      higherIsBetter: false,
      measure: async () => {
        const e = await get();
        return {
          ours: e.optimizer.intervals.filter((x) => x.p95 > 3).length,
          peer: 'static defaults',
          peerValue: e.static.intervals.filter((x) => x.p95 > 3).length,
        };
      },
    },
  ],
});

import { defineSuite } from '@hp/bench';
import { BoltzmannModel, Rng } from '../src/index.js';

/*
 * Boltzmann wealth with 100,000 agents: one model step through the framework (Model, Agent objects,
 * AgentSet.shuffleDo by method name, the model's generator) against a hand-written loop doing the same
 * work on plain agent objects (same generator, same shuffle, same draws). Data collection is off on both
 * sides: the figure is the framework's own overhead per step. Goal: framework time within 1.5x of the loop.
 * A third case compares with typed arrays (struct of arrays), the fastest layout, for reference.
 */
const N = 100_000;
const SIDE = 316; // ~1 agent per cell, the tutorial's density

interface PlainAgent {
  wealth: number;
  x: number;
  y: number;
}

function shuffleInPlace<T>(rng: Rng, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
}

/**
 * The non-spatial step by hand, on plain agent objects (what one writes without a framework): shuffle the
 * activation order, then every agent with wealth gives 1 unit to a random agent.
 */
function handWrittenNonSpatial(seed: number) {
  const rng = new Rng(seed);
  const agents: PlainAgent[] = Array.from({ length: N }, () => ({ wealth: 1, x: 0, y: 0 }));
  return () => {
    const order = agents.slice();
    shuffleInPlace(rng, order);
    for (let k = 0; k < N; k++) {
      const a = order[k]!;
      if (a.wealth <= 0) continue;
      agents[rng.int(N)]!.wealth++;
      a.wealth--;
    }
    return agents[0]!.wealth;
  };
}

/** The same on typed arrays (struct of arrays): the fastest layout, for reference. */
function handWrittenTypedArrays(seed: number) {
  const rng = new Rng(seed);
  const wealth = new Int32Array(N).fill(1);
  const order = new Uint32Array(N);
  return () => {
    for (let i = 0; i < N; i++) order[i] = i;
    for (let i = N - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    for (let k = 0; k < N; k++) {
      const i = order[k]!;
      if (wealth[i]! <= 0) continue;
      wealth[rng.int(N)]!++;
      wealth[i]!--;
    }
    return wealth[0];
  };
}

/**
 * The spatial step by hand on plain objects: agents on a SIDE x SIDE torus (cells as arrays of agents);
 * in shuffled order each moves to a random Moore neighbour, then each with wealth gives 1 unit to a
 * random cellmate.
 */
function handWrittenSpatial(seed: number) {
  const rng = new Rng(seed);
  const agents: PlainAgent[] = [];
  const cells: PlainAgent[][] = Array.from({ length: SIDE * SIDE }, () => []);
  for (let i = 0; i < N; i++) {
    const a = { wealth: 1, x: rng.int(SIDE), y: rng.int(SIDE) };
    agents.push(a);
    cells[a.x * SIDE + a.y]!.push(a);
  }
  return () => {
    const order = agents.slice();
    shuffleInPlace(rng, order);
    for (let k = 0; k < N; k++) {
      const a = order[k]!;
      let n = rng.int(8);
      if (n >= 4) n++; // skip the centre of the 3x3 block
      const nx = (a.x + Math.floor(n / 3) - 1 + SIDE) % SIDE;
      const ny = (a.y + (n % 3) - 1 + SIDE) % SIDE;
      const from = cells[a.x * SIDE + a.y]!;
      from.splice(from.indexOf(a), 1);
      cells[nx * SIDE + ny]!.push(a);
      a.x = nx;
      a.y = ny;
    }
    for (let i = 0; i < N; i++) {
      const a = agents[i]!;
      if (a.wealth <= 0) continue;
      const mates = cells[a.x * SIDE + a.y]!;
      if (mates.length < 2) continue;
      const at = mates.indexOf(a);
      let m = rng.int(mates.length - 1);
      if (m >= at) m++;
      mates[m]!.wealth++;
      a.wealth--;
    }
    return agents[0]!.wealth;
  };
}

/** CPU milliseconds of one call (user + system): steadier than wall time on a shared, loaded machine. */
function cpuMs(fn: () => unknown): number {
  const start = process.cpuUsage();
  fn();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Alternates ours and the peer step by step (after a warm-up) and reports the median CPU ms per step of each. */
function pairedSteps(ours: () => unknown, peer: () => unknown, warmup: number, pairs: number) {
  for (let i = 0; i < warmup; i++) {
    ours();
    peer();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < pairs; i++) {
    a.push(cpuMs(ours));
    b.push(cpuMs(peer));
  }
  return { ours: median(a), peerValue: median(b) };
}

export default defineSuite({
  name: 'sim-runner: Boltzmann wealth, 100,000 agents, CPU ms per step',
  cases: [
    {
      kind: 'measured',
      name: 'non-spatial step',
      unit: 'ms/step (CPU)',
      higherIsBetter: false,
      measure: () => {
        const model = new BoltzmannModel({ n: N, spatial: false, seed: 1, collect: false });
        const r = pairedSteps(() => model.step(), handWrittenNonSpatial(1), 10, 40);
        return { ...r, peer: 'hand-written loop (objects)' };
      },
    },
    {
      kind: 'measured',
      name: 'non-spatial step vs typed arrays',
      unit: 'ms/step (CPU)',
      higherIsBetter: false,
      measure: () => {
        const model = new BoltzmannModel({ n: N, spatial: false, seed: 1, collect: false });
        const r = pairedSteps(() => model.step(), handWrittenTypedArrays(1), 10, 40);
        return { ...r, peer: 'hand-written loop (typed arrays)' };
      },
    },
    {
      kind: 'measured',
      name: 'spatial step, 316x316 torus',
      unit: 'ms/step (CPU)',
      higherIsBetter: false,
      measure: () => {
        const model = new BoltzmannModel({ n: N, width: SIDE, height: SIDE, seed: 1, collect: false });
        const r = pairedSteps(() => model.step(), handWrittenSpatial(1), 3, 10);
        return { ...r, peer: 'hand-written loop (objects)' };
      },
    },
  ],
});

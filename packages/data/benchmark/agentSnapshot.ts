/** Seeded generator of agent-state snapshots shaped like a simulation's (ids, numbers, short strings, memories). */

export interface AgentMemory {
  step: number;
  kind: string;
  text: string;
  importance: number;
}

export interface AgentState {
  id: number;
  name: string;
  role: string;
  x: number;
  y: number;
  energy: number;
  wealth: number;
  mood: string;
  alive: boolean;
  lastStep: number;
  memory: AgentMemory[];
}

/** mulberry32: a small, fast, seeded PRNG (deterministic snapshots for every run). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROLES = ['trader', 'farmer', 'miner', 'scholar', 'guard', 'healer'];
const MOODS = ['calm', 'curious', 'angry', 'happy', 'tired', 'anxious', 'bored'];
const KINDS = ['observation', 'reflection', 'plan', 'chat'];
const WORDS = [
  'saw',
  'agent',
  'market',
  'price',
  'rose',
  'fell',
  'met',
  'north',
  'south',
  'river',
  'bought',
  'sold',
  'grain',
  'ore',
  'talked',
  'with',
  'about',
  'the',
  'weather',
  'plan',
];
const SYLLABLES = ['ka', 'ri', 'to', 'me', 'sa', 'lo', 'ne', 'vi', 'du', 'ha'];

export function makeAgent(rand: () => number, id: number, step = 1000): AgentState {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const syllables = 2 + Math.floor(rand() * 2);
  let name = '';
  for (let i = 0; i < syllables; i++) name += pick(SYLLABLES);
  const memoryCount = Math.floor(rand() * 6);
  const memory: AgentMemory[] = [];
  for (let m = 0; m < memoryCount; m++) {
    const words = 3 + Math.floor(rand() * 5);
    const text: string[] = [];
    for (let w = 0; w < words; w++) text.push(pick(WORDS));
    memory.push({
      step: step - Math.floor(rand() * 100),
      kind: pick(KINDS),
      text: text.join(' '),
      importance: Math.round(rand() * 100) / 100,
    });
  }
  return {
    id,
    name,
    role: pick(ROLES),
    x: Math.round(rand() * 1e4) / 100,
    y: Math.round(rand() * 1e4) / 100,
    energy: Math.floor(rand() * 100),
    wealth: Math.round(rand() * 1e6) / 100,
    mood: pick(MOODS),
    alive: rand() > 0.05,
    lastStep: step - Math.floor(rand() * 10),
    memory,
  };
}

/** A snapshot of `count` agents from a fixed seed: same input every run. */
export function makeSnapshot(count: number, seed = 42): { step: number; agents: AgentState[] } {
  const rand = seededRandom(seed);
  const agents: AgentState[] = [];
  for (let i = 0; i < count; i++) agents.push(makeAgent(rand, i));
  return { step: 1000, agents };
}

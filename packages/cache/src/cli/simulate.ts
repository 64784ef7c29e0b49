/**
 * npm run -s simulate -w @hp/cache -- --trace PATH --size N [--policy NAME|all] [--json]
 *   or --synthetic zipf|scan|loop|shift|zipf-scan [--alpha A] [--keys K] [--accesses N] [--seed S]
 *   [--lossy-reads]: W-TinyLFU with the cache's opt-in lossy read buffer (`lossyReads`)
 * Replays a trace through each policy (the cache's own policy code) and Belady's OPT.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SIMULATED_POLICIES, type SimulatedPolicy, simulate } from '../simulator.js';
import { type Trace, readTrace } from '../trace.js';
import { loopTrace, phaseShiftTrace, scanTrace, zipfTrace, zipfWithScansTrace } from '../traceGenerators.js';

const { values } = parseArgs({
  options: {
    trace: { type: 'string' },
    synthetic: { type: 'string' },
    size: { type: 'string', multiple: true },
    policy: { type: 'string', default: 'all' },
    json: { type: 'boolean', default: false },
    alpha: { type: 'string', default: '0.9' },
    keys: { type: 'string', default: '100000' },
    accesses: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    'lossy-reads': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function fail(msg: string): never {
  console.error(`simulate: ${msg}`);
  process.exit(2);
}

if (values.help || (!values.trace && !values.synthetic) || !values.size) {
  console.log(`simulate --trace PATH | --synthetic zipf|scan|loop|shift|zipf-scan  --size N [--size M ...]
         [--policy lru|lfu|w-tinylfu|opt|all] [--json] [--alpha 0.9] [--keys 100000] [--accesses 1000000] [--seed 1] [--lossy-reads]
Prints {"trace","size","accesses","unique","results":{policy: hit ratio %}} per size.`);
  process.exit(values.help ? 0 : 2);
}

const int = (name: string, v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) fail(`--${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
};
const seed = Number(values.seed);
let trace: Trace;
if (values.trace) {
  // npm run -w changes into the package folder; resolve relative paths against where npm was started
  trace = readTrace(resolve(process.env.INIT_CWD ?? process.cwd(), values.trace));
} else {
  const keys = int('keys', values.keys);
  const accesses = int('accesses', values.accesses);
  const alpha = Number(values.alpha);
  const z = { keys, accesses, alpha, seed };
  switch (values.synthetic) {
    case 'zipf':
      trace = zipfTrace(z);
      break;
    case 'scan':
      trace = scanTrace(accesses);
      break;
    case 'loop':
      trace = loopTrace(keys, accesses);
      break;
    case 'shift':
      trace = phaseShiftTrace(z);
      break;
    case 'zipf-scan':
      trace = zipfWithScansTrace({ ...z, scan: Math.max(1, keys >> 4), every: Math.max(1, keys >> 2) });
      break;
    default:
      fail(`unknown --synthetic ${values.synthetic}; use zipf, scan, loop, shift or zipf-scan`);
  }
}
const policies: SimulatedPolicy[] =
  values.policy === 'all'
    ? [...SIMULATED_POLICIES]
    : values.policy.split(',').map((p) => {
        const name = (p === 'lru_with_frequency' || p === 'tinylfu' ? 'w-tinylfu' : p) as SimulatedPolicy;
        if (!SIMULATED_POLICIES.includes(name))
          fail(`unknown policy ${p}; use ${SIMULATED_POLICIES.join(', ')} or all`);
        return name;
      });
for (const s of values.size) {
  const result = simulate(trace, int('size', s), policies, 1, values['lossy-reads']);
  if (values.json) console.log(JSON.stringify(result));
  else {
    const cells = Object.entries(result.results).map(([p, v]) => `${p} ${v.toFixed(2)}%`);
    console.log(
      `${result.trace} size ${result.size} (${result.accesses} accesses, ${result.unique} unique): ${cells.join('  ')}`,
    );
  }
}

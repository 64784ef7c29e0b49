import { readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runCase } from './measure.js';
import { formatTable } from './report.js';
import { type BenchResult, type Suite } from './suite.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    filter: { type: 'string' },
    dir: { type: 'string', default: 'benchmark' },
    time: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`hp-bench [--json] [--filter TEXT] [--dir benchmark] [--time MS] [--warmup MS] [--rounds N]

Runs every benchmark/*.bench.ts suite of the package in the current directory. Each case measures
ours and a named peer in this one process; timed cases alternate them over several rounds and report
the median. Without --json it prints a table (progress goes to stderr); with --json it prints one JSON
array: [{case, unit, ours, peer, peerValue, ratio, higherIsBetter}], ratio = ours / peerValue.`);
  process.exit(0);
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`hp-bench: --${name} must be a positive number, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}

const options = {
  timeMs: positiveInt('time', values.time),
  warmupMs: positiveInt('warmup', values.warmup),
  rounds: Math.round(positiveInt('rounds', values.rounds)),
};

const dir = resolve(values.dir);
let files: string[];
try {
  files = readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
} catch {
  console.error(`hp-bench: no benchmark folder at ${dir}`);
  process.exit(2);
}
if (files.length === 0) {
  console.error(`hp-bench: no *.bench.ts files in ${dir}`);
  process.exit(2);
}

const results: BenchResult[] = [];
const log = (msg: string): void => void process.stderr.write(`${msg}\n`);
log(
  `hp-bench: node ${process.version}, ${cpus().length}x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
);

for (const file of files) {
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default?: Suite };
  const suite = mod.default;
  if (!suite || !suite.cases) {
    console.error(`hp-bench: ${file} must default-export a suite from defineSuite()`);
    process.exit(2);
  }
  try {
    await suite.before?.();
    const cases = typeof suite.cases === 'function' ? suite.cases() : suite.cases;
    for (const c of cases) {
      if (values.filter && !c.name.includes(values.filter)) continue;
      log(`  ${suite.name}: ${c.name} ...`);
      const result = await runCase(c, options);
      results.push(result);
      log(
        `    ours ${result.ours.toPrecision(4)} ${result.unit}, ${result.peer} ${result.peerValue.toPrecision(4)}, ratio ${result.ratio.toFixed(3)}`,
      );
    }
  } finally {
    await suite.after?.();
  }
}

if (values.json) {
  process.stdout.write(`${JSON.stringify(results)}\n`);
} else {
  console.log(formatTable(results));
}

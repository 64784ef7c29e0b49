// The LLM-agent model under shifting provider conditions (createShiftingLlmDriver): one run, its report as JSON.
// Run by @hp/optimizer's evaluation (packages/optimizer/benchmark/shifting.ts) as a child process:
//   node --import tsx apps/sim-runner/benchmark/shifting.ts --config C.yaml --shifts S.json --seed 1 \
//        --scenario NAME --time-scale 0.2 --report R.json
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { runSimulation } from '../src/runner.js';
import { getScenario } from '../src/scenarios.js';
import { createShiftingLlmDriver } from '../src/shiftingDriver.js';

const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    shifts: { type: 'string' },
    seed: { type: 'string', default: '1' },
    scenario: { type: 'string' },
    'time-scale': { type: 'string' },
    report: { type: 'string' },
    pipeline: { type: 'boolean', default: false },
    'queue-tolerance': { type: 'string' },
    'cache-max-steps': { type: 'string' },
  },
});
if (!values.config || !values.shifts || !values.report) {
  process.stderr.write('usage: shifting.ts --config C.yaml --shifts S.json --report R.json [--seed N]\n');
  process.exit(2);
}
const config = await loadConfig(values.config);
const scenario = getScenario(config, values.scenario);
const { report } = await runSimulation({
  scenario,
  config,
  seed: Number(values.seed),
  model: 'llm-shifting',
  drivers: { 'llm-shifting': createShiftingLlmDriver },
  settings: {
    shifts: values.shifts,
    timeScale: values['time-scale'],
    pipeline: values.pipeline ? 'true' : undefined,
    queueTolerance: values['queue-tolerance'],
    cacheMaxSteps: values['cache-max-steps'],
  },
});
const { modelVars: _rows, series: _series, ...summary } = report;
await writeFile(values.report, JSON.stringify(summary, null, 2) + '\n');

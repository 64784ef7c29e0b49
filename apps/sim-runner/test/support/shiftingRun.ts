import { defaultConfig } from '../../src/config.js';
import { runSimulation } from '../../src/runner.js';
import { createShiftingLlmDriver } from '../../src/shiftingDriver.js';

/**
 * Runs the shifting LLM driver on the schedule file `shifts` with the optimizer sampling fast (0.05 s samples,
 * 0.2 s decisions): 6 agents on 3 lanes, pipelined, emulator at time scale 0.01, until the schedule ends.
 */
export function runShifting(shifts: string): ReturnType<typeof runSimulation> {
  const config = defaultConfig();
  config.performance_optimization.adaptive_optimization.sample_interval = 0.05;
  config.performance_optimization.adaptive_optimization.optimization_interval = 0.2;
  return runSimulation({
    scenario: { name: 'shifting', agents: 6, steps: 1_000_000, concurrency: 3 },
    config,
    seed: 2,
    model: 'shifting',
    drivers: { shifting: createShiftingLlmDriver },
    settings: { shifts, timeScale: '0.01', pipeline: 'true' },
  });
}

import type { ScenarioConfig, SimConfig } from './config.js';

/** A load scenario, from `benchmarking.load_testing.scenarios` of the configuration. */
export interface Scenario {
  name: string;
  agents: number;
  /** Steps to run. */
  steps: number;
  /** Agent decisions (LLM requests) in flight at once. */
  concurrency: number;
}

export const DEFAULT_SCENARIO = 'normal_load';

export class ScenarioNotFoundError extends Error {
  readonly code = 'SCENARIO_NOT_FOUND' as const;
  constructor(name: string, available: string[]) {
    super(`no scenario named "${name}"; the configuration defines: ${available.join(', ')}`);
    this.name = 'ScenarioNotFoundError';
  }
}

function fromConfig(s: ScenarioConfig): Scenario {
  return { name: s.name, agents: s.agents, steps: s.simulation_steps, concurrency: s.concurrent_requests };
}

/** Every scenario of the configuration (by default normal_load, high_load and stress_test). */
export function listScenarios(config: SimConfig): Scenario[] {
  return config.benchmarking.load_testing.scenarios.map(fromConfig);
}

/** The scenario called `name`; throws ScenarioNotFoundError listing the available ones. */
export function getScenario(config: SimConfig, name: string = DEFAULT_SCENARIO): Scenario {
  const found = config.benchmarking.load_testing.scenarios.find((s) => s.name === name);
  if (!found)
    throw new ScenarioNotFoundError(
      name,
      listScenarios(config).map((s) => s.name),
    );
  return fromConfig(found);
}

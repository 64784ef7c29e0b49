import { defaultConfig, parseConfig } from '../src/config.js';
import { ScenarioNotFoundError, getScenario, listScenarios } from '../src/scenarios.js';

describe('scenarios', () => {
  it('normal_load, high_load and stress_test come from the configuration', () => {
    const config = defaultConfig();
    expect(listScenarios(config)).toEqual([
      { name: 'normal_load', agents: 10, steps: 100, concurrency: 5 },
      { name: 'high_load', agents: 50, steps: 500, concurrency: 20 },
      { name: 'stress_test', agents: 100, steps: 1000, concurrency: 50 },
    ]);
    expect(getScenario(config).name).toBe('normal_load');
    expect(() => getScenario(config, 'x')).toThrow(ScenarioNotFoundError);
  });

  it('a configuration can define its own', () => {
    const config = parseConfig(
      'benchmarking:\n  load_testing:\n    scenarios:\n      - {name: tiny, agents: 2, simulation_steps: 3, concurrent_requests: 1}\n',
    );
    expect(getScenario(config, 'tiny')).toEqual({ name: 'tiny', agents: 2, steps: 3, concurrency: 1 });
  });
});

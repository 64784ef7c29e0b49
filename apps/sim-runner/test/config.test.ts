import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfigError,
  configJsonSchema,
  defaultConfig,
  loadConfig,
  parseConfig,
  validateConfig,
} from '../src/config.js';

const root = join(__dirname, '..');

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it("accepts the design sketch's template verbatim, and its values are the defaults", () => {
    const md = readFileSync(join(__dirname, 'fixtures', 'sketch-config.md'), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(md)![1]!;
    expect(yaml).toContain('performance_optimization:');
    expect(parseConfig(yaml)).toEqual(defaultConfig());
  });

  it('config/default.yaml parses to the defaults', async () => {
    const config = await loadConfig(join(root, 'config', 'default.yaml'));
    expect(config).toEqual(defaultConfig());
    expect(config.performance_optimization.caching.levels.hot).toEqual({
      max_size: 500,
      ttl: 60,
      eviction_policy: 'lru_with_frequency',
    });
    expect(config.benchmarking.load_testing.scenarios.map((s) => s.name)).toEqual([
      'normal_load',
      'high_load',
      'stress_test',
    ]);
    expect(config.benchmarking.load_testing.performance_targets.throughput).toBe(100);
  });

  it('fills defaults for anything left out', () => {
    const c = parseConfig('performance_optimization:\n  async_processing:\n    max_concurrent_tasks: 7\n');
    expect(c.performance_optimization.async_processing.max_concurrent_tasks).toBe(7);
    expect(c.performance_optimization.async_processing.task_scheduling.queue_size_limit).toBe(1000);
    expect(parseConfig('')).toEqual(defaultConfig());
  });

  it('names the path of every invalid or unknown key', () => {
    expect(
      issuesOf(() =>
        validateConfig({
          performance_optimization: {
            caching: { levels: { hot: { max_size: 0, colour: 'red' } }, strategy: 'fancy' },
            connection_pooling: { pools: { database: { min_size: 30, max_size: 20 } } },
            monitoring: { alerting: { thresholds: { error_rate_warning: 2 } } },
          },
          benchmarking: { load_testing: { scenarios: [{ name: 'x', agents: 1, simulation_steps: 'many' }] } },
          extra: true,
        }),
      ),
    ).toEqual([
      'performance_optimization.caching.strategy: expected one of "multi_level", "single_level"',
      'performance_optimization.caching.levels.hot.max_size: expected a positive integer',
      'performance_optimization.caching.levels.hot.colour: unknown key (check its spelling and place)',
      'performance_optimization.connection_pooling.pools.database.min_size: min_size must not exceed max_size',
      'performance_optimization.monitoring.alerting.thresholds.error_rate_warning: expected a number between 0 and 1',
      'benchmarking.load_testing.scenarios[0].simulation_steps: expected a positive integer',
      'benchmarking.load_testing.scenarios[0].concurrent_requests: expected a positive integer',
      'extra: unknown key (check its spelling and place)',
    ]);
    expect(() => validateConfig({ extra: 1 }, 'my.yaml')).toThrow(
      /my.yaml is invalid:\n {2}extra: unknown key/,
    );
  });

  it('reports YAML syntax errors and missing files with their codes', async () => {
    expect(() => parseConfig('a: [1, 2')).toThrow(expect.objectContaining({ code: 'CONFIG_YAML' }));
    await expect(loadConfig(join(root, 'nope.yaml'))).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND' });
    expect(issuesOf(() => parseConfig('benchmarking:\n  load_testing:\n    scenarios: []\n'))).toEqual([
      'benchmarking.load_testing.scenarios: expected at least one scenario',
    ]);
  });

  it('config/schema.json is up to date (regenerate with `npm run schema -w apps/sim-runner`)', () => {
    const published = JSON.parse(readFileSync(join(root, 'config', 'schema.json'), 'utf8'));
    expect(published).toEqual(configJsonSchema());
    expect(published.additionalProperties).toBe(false);
  });
});

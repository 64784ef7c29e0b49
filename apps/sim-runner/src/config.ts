import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/*
 * The configuration file: the design sketch's YAML template, accepted as is, every key validated.
 * Objects are strict (an unknown key is an error naming it), every value has the sketch's default, and
 * an error names the path of the offending key, e.g.
 * `performance_optimization.caching.levels.hot.max_size: expected a positive integer`.
 * `configJsonSchema()` is published as config/schema.json for editor completion.
 */

const POS_INT = 'expected a positive integer';
const NONNEG_INT = 'expected a non-negative integer';
const POS_SECONDS = 'expected a positive number of seconds';
const FRACTION = 'expected a number between 0 and 1';
const BOOL = 'expected true or false';

const posInt = (def: number, description: string) =>
  z.int({ error: POS_INT }).positive({ error: POS_INT }).default(def).describe(description);
const nonNegInt = (def: number, description: string) =>
  z.int({ error: NONNEG_INT }).nonnegative({ error: NONNEG_INT }).default(def).describe(description);
const seconds = (def: number, description: string) =>
  z.number({ error: POS_SECONDS }).positive({ error: POS_SECONDS }).default(def).describe(description);
const fraction = (def: number, description: string) =>
  z
    .number({ error: FRACTION })
    .min(0, { error: FRACTION })
    .max(1, { error: FRACTION })
    .default(def)
    .describe(description);
const bool = (def: boolean, description: string) =>
  z.boolean({ error: BOOL }).default(def).describe(description);
const oneOf = <const T extends readonly [string, ...string[]]>(
  values: T,
  def: T[number],
  description: string,
) =>
  z
    .enum(values, { error: `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}` })
    .default(def)
    .describe(description);
const section = <S extends z.ZodRawShape>(shape: S, description: string) =>
  z
    .strictObject(shape)
    .prefault({} as never)
    .describe(description);

const cacheLevel = (
  maxSize: number,
  ttl: number,
  policy: 'lru_with_frequency' | 'lru' | 'lfu',
  name: string,
) =>
  section(
    {
      max_size: posInt(maxSize, `Entries the ${name} tier holds.`),
      ttl: seconds(ttl, `Seconds an entry of the ${name} tier lives.`),
      eviction_policy: oneOf(
        ['lru_with_frequency', 'lru', 'lfu'] as const,
        policy,
        'lru_with_frequency = W-TinyLFU (LRU admission filtered by frequency); lru; lfu.',
      ),
    },
    `The ${name} in-process cache tier.`,
  );

const pool = (min: number, max: number, idle: number, health: number, name: string) =>
  section(
    {
      min_size: nonNegInt(min, `Connections the ${name} pool keeps open.`),
      max_size: posInt(max, `Most connections the ${name} pool opens.`),
      max_idle_time: seconds(idle, 'Seconds an idle connection above min_size is kept.'),
      health_check_interval: seconds(health, 'Seconds between health checks.'),
    },
    `Connection pool: ${name}.`,
  ).refine((p) => p.min_size <= p.max_size, {
    error: 'min_size must not exceed max_size',
    path: ['min_size'],
  });

const CRON = /^(\S+\s+){4}\S+$/;

export const scenarioSchema = z
  .strictObject({
    name: z.string({ error: 'expected a scenario name' }).min(1, { error: 'expected a scenario name' }),
    agents: z.int({ error: POS_INT }).positive({ error: POS_INT }).describe('Number of agents.'),
    simulation_steps: z.int({ error: POS_INT }).positive({ error: POS_INT }).describe('Steps to run.'),
    concurrent_requests: z
      .int({ error: POS_INT })
      .positive({ error: POS_INT })
      .describe('Agent decisions (LLM requests) in flight at once.'),
  })
  .describe('A load-test scenario.');

export const DEFAULT_SCENARIOS = [
  { name: 'normal_load', agents: 10, simulation_steps: 100, concurrent_requests: 5 },
  { name: 'high_load', agents: 50, simulation_steps: 500, concurrent_requests: 20 },
  { name: 'stress_test', agents: 100, simulation_steps: 1000, concurrent_requests: 50 },
];

export const configSchema = z
  .strictObject({
    performance_optimization: section(
      {
        caching: section(
          {
            strategy: oneOf(
              ['multi_level', 'single_level'] as const,
              'multi_level',
              'multi_level = hot/warm/cold tiers; single_level = the hot tier only.',
            ),
            levels: section(
              {
                hot: cacheLevel(500, 60, 'lru_with_frequency', 'hot'),
                warm: cacheLevel(2000, 300, 'lru', 'warm'),
                cold: cacheLevel(10000, 3600, 'lfu', 'cold'),
              },
              'Cache tiers, fastest first.',
            ),
            warming: section(
              {
                enabled: bool(true, 'Pre-load the cache.'),
                strategies: z
                  .array(
                    z.enum(['llm_responses', 'agent_memories', 'state_snapshots'], {
                      error: 'expected one of "llm_responses", "agent_memories", "state_snapshots"',
                    }),
                    { error: 'expected a list of warming strategies' },
                  )
                  .default(['llm_responses', 'agent_memories', 'state_snapshots'])
                  .describe('What to pre-load.'),
                schedule: z
                  .string({ error: 'expected a cron expression' })
                  .regex(CRON, { error: 'expected a cron expression with 5 fields, e.g. "0 */4 * * *"' })
                  .default('0 */4 * * *')
                  .describe('When to warm (cron, 5 fields).'),
              },
              'Cache warming.',
            ),
          },
          'Caching (@hp/cache).',
        ),
        async_processing: section(
          {
            max_concurrent_tasks: posInt(20, 'Tasks running at once.'),
            batch_processing: section(
              {
                llm_requests: section(
                  {
                    batch_size: posInt(5, 'Requests per batch.'),
                    timeout: seconds(1.0, 'Seconds a batch waits to fill.'),
                    priority_levels: posInt(3, 'Number of priority levels.'),
                  },
                  'Batching of LLM requests.',
                ),
                state_updates: section(
                  {
                    batch_size: posInt(10, 'Updates per batch.'),
                    timeout: seconds(0.5, 'Seconds a batch waits to fill.'),
                  },
                  'Batching of state updates.',
                ),
              },
              'Batching.',
            ),
            task_scheduling: section(
              {
                algorithm: oneOf(
                  ['priority_round_robin', 'priority', 'fifo'] as const,
                  'priority_round_robin',
                  'Queue discipline.',
                ),
                queue_size_limit: posInt(1000, 'Most tasks waiting; more are rejected.'),
                worker_pool_size: posInt(10, 'Worker threads for CPU-bound tasks.'),
              },
              'Task scheduling.',
            ),
          },
          'Async processing (@hp/async).',
        ),
        connection_pooling: section(
          {
            pools: section(
              {
                llm_primary: pool(2, 15, 300, 60, 'llm_primary'),
                database: pool(5, 20, 600, 30, 'database'),
                cache: pool(3, 12, 300, 45, 'cache'),
              },
              'Pools by name.',
            ),
            optimization: section(
              {
                enabled: bool(true, 'Resize pools from measurements.'),
                analysis_interval: seconds(300, 'Seconds between analyses.'),
                adaptation_threshold: fraction(0.2, 'Relative change that triggers a resize.'),
              },
              'Pool sizing.',
            ),
          },
          'Connection pooling (@hp/pool).',
        ),
        monitoring: section(
          {
            metrics_collection: section(
              {
                interval: seconds(10, 'Seconds between metric exports.'),
                retention_period: seconds(86400, 'Seconds metrics are kept.'),
              },
              'Metrics collection.',
            ),
            performance_analysis: section(
              {
                trend_analysis_window: seconds(3600, 'Seconds of history for trends.'),
                anomaly_detection: bool(true, 'Flag anomalies.'),
                predictive_modeling: bool(true, 'Predict load.'),
              },
              'Performance analysis.',
            ),
            alerting: section(
              {
                thresholds: section(
                  {
                    response_time_warning: seconds(2.0, 'Seconds.'),
                    response_time_critical: seconds(5.0, 'Seconds.'),
                    error_rate_warning: fraction(0.05, 'Fraction of requests.'),
                    error_rate_critical: fraction(0.15, 'Fraction of requests.'),
                    cache_hit_rate_warning: fraction(0.7, 'Alert below this hit ratio.'),
                    cache_hit_rate_critical: fraction(0.5, 'Alert below this hit ratio.'),
                  },
                  'Alert thresholds.',
                ),
              },
              'Alerting.',
            ),
          },
          'Monitoring (@hp/monitor).',
        ),
        adaptive_optimization: section(
          {
            enabled: bool(true, 'Tune knobs from measurements.'),
            learning_rate: fraction(0.1, 'Step size of each adjustment.'),
            optimization_interval: seconds(300, 'Seconds between adjustments.'),
            safe_optimization_threshold: fraction(0.95, 'Confidence required to apply a change.'),
            sample_interval: seconds(
              10,
              'Seconds between samples of the signals (not in the sketch; @hp/optimizer default).',
            ),
            ml_models: section(
              {
                cache_optimization: z.string().min(1).default('gradient_boosting').describe('Model name.'),
                batch_optimization: z.string().min(1).default('neural_network').describe('Model name.'),
                pool_optimization: z.string().min(1).default('linear_regression').describe('Model name.'),
              },
              'Models per controller (names from the sketch; controllers choose their method).',
            ),
          },
          'Closed-loop tuning (@hp/optimizer).',
        ),
      },
      'The performance layers.',
    ),
    benchmarking: section(
      {
        load_testing: section(
          {
            scenarios: z
              .array(scenarioSchema, { error: 'expected a list of scenarios' })
              .min(1, { error: 'expected at least one scenario' })
              .default(DEFAULT_SCENARIOS)
              .refine((list) => new Set(list.map((s) => s.name)).size === list.length, {
                error: 'scenario names must be unique',
              })
              .describe('Scenarios runnable with `sim-runner run --scenario NAME`.'),
            performance_targets: section(
              {
                avg_response_time: seconds(1.0, 'Average response time target (seconds).'),
                p95_response_time: seconds(3.0, '95th percentile response time target (seconds).'),
                throughput: z
                  .number({ error: 'expected a positive number of requests per second' })
                  .positive({ error: 'expected a positive number of requests per second' })
                  .default(100)
                  .describe('Throughput target (requests per second).'),
                error_rate: fraction(0.01, 'Highest acceptable error rate.'),
                cache_hit_rate: fraction(0.8, 'Lowest acceptable cache hit ratio.'),
              },
              'Targets the report checks.',
            ),
          },
          'Load testing.',
        ),
      },
      'Benchmarking.',
    ),
  })
  .describe('sim-runner configuration (the design sketch template).');

/** The validated configuration, every default filled in. */
export type SimConfig = z.output<typeof configSchema>;
/** What a configuration file may contain (everything optional). */
export type SimConfigInput = z.input<typeof configSchema>;
export type ScenarioConfig = z.output<typeof scenarioSchema>;
export type PerformanceTargets = SimConfig['benchmarking']['load_testing']['performance_targets'];

export type ConfigErrorCode = 'CONFIG_INVALID' | 'CONFIG_YAML' | 'CONFIG_NOT_FOUND';

export interface ConfigIssue {
  /** Dotted path of the key, e.g. `performance_optimization.caching.levels.hot.max_size`. */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly issues: ConfigIssue[];
  constructor(code: ConfigErrorCode, message: string, issues: ConfigIssue[] = [], options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
    this.code = code;
    this.issues = issues;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(root)';
}

function toIssues(error: z.ZodError): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({
          path: formatPath([...issue.path, key]),
          message: 'unknown key (check its spelling and place)',
        });
      }
    } else {
      issues.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return issues;
}

/** Validates a configuration object (e.g. parsed YAML); throws a ConfigError naming every bad key. */
export function validateConfig(value: unknown, source = 'configuration'): SimConfig {
  const result = configSchema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = toIssues(result.error);
  throw new ConfigError(
    'CONFIG_INVALID',
    `${source} is invalid:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
    issues,
  );
}

/** Parses and validates YAML text. */
export function parseConfig(text: string, source = 'configuration'): SimConfig {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ConfigError('CONFIG_YAML', `${source} is not valid YAML: ${(error as Error).message}`, [], {
      cause: error,
    });
  }
  return validateConfig(value, source);
}

/** Reads, parses and validates a YAML configuration file. */
export async function loadConfig(file: string, signal?: AbortSignal): Promise<SimConfig> {
  let text: string;
  try {
    text = await readFile(file, { encoding: 'utf8', signal });
  } catch (error) {
    throw new ConfigError(
      'CONFIG_NOT_FOUND',
      `cannot read the configuration file ${file}: ${(error as Error).message}`,
      [],
      {
        cause: error,
      },
    );
  }
  return parseConfig(text, file);
}

/** The configuration with every default of the sketch. */
export function defaultConfig(): SimConfig {
  return configSchema.parse({});
}

/** JSON Schema (draft 2020-12) of the configuration file, for editor completion (published as config/schema.json). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}

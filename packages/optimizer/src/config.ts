import { z } from 'zod';
import { OptimizerError } from './optimizerError.js';

const modelKind = z.enum(['linear_regression', 'gradient_boosting', 'neural_network']);

const schema = z.strictObject({
  enabled: z.boolean().default(true),
  learning_rate: z.number().gt(0).lte(1).default(0.1),
  /** Seconds between decisions (the sketch: 300). */
  optimization_interval: z.number().positive().default(300),
  safe_optimization_threshold: z.number().gt(0).lt(1).default(0.95),
  ml_models: z.record(z.string(), modelKind).default({
    cache_optimization: 'gradient_boosting',
    batch_optimization: 'neural_network',
    pool_optimization: 'linear_regression',
  }),
  /** Seconds between signal samples inside an interval (the sketch's metrics interval: 10). */
  sample_interval: z.number().positive().default(10),
  /** Held-out MAPE above which a model is not used (0.2 = 20%). */
  max_model_error: z.number().positive().default(0.2),
  /** Held-out observations a model needs before it is used. */
  min_model_observations: z.number().int().positive().default(8),
  statistical_test: z.enum(['welch', 'mann-whitney']).default('welch'),
  /** Intervals a group waits after a rollback. */
  cooldown_intervals: z.number().int().nonnegative().default(2),
  /** Looks at the data a change may get (inconclusive but promising changes get one more window); Bonferroni-corrected. */
  gate_looks: z.number().int().positive().max(4).default(2),
  /** Samples skipped at the start of an after-window while the plant settles. */
  settle_samples: z.number().int().nonnegative().default(1),
});

export type OptimizerConfig = z.output<typeof schema>;
/** The sketch's `adaptive_optimization` block (snake_case or camelCase keys). */
export type OptimizerConfigInput = z.input<typeof schema> | Record<string, unknown>;

const camelToSnake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function normalise(value: unknown, depth: number): unknown {
  if (depth > 1 || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[depth === 0 ? camelToSnake(k) : k] = depth === 0 ? normalise(v, 1) : v;
  return out;
}

/**
 * Parses the `adaptive_optimization` block (or an object holding it under `adaptive_optimization`).
 * Throws OptimizerError INVALID_OPTION naming the path, e.g. `adaptive_optimization.learning_rate`.
 */
export function parseOptimizerConfig(input: unknown = {}): OptimizerConfig {
  let block = input;
  if (block && typeof block === 'object' && 'adaptive_optimization' in block) {
    block = (block as { adaptive_optimization: unknown }).adaptive_optimization;
  }
  const result = schema.safeParse(normalise(block ?? {}, 0));
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = ['adaptive_optimization', ...issue.path.map(String)].join('.');
  throw new OptimizerError(
    'INVALID_OPTION',
    `Invalid option ${path}: ${issue.message}. Fix it in the adaptive_optimization block.`,
    path,
    {
      cause: result.error,
    },
  );
}

import { type OptimizerError, parseOptimizerConfig } from '../src/index.js';

describe('parseOptimizerConfig', () => {
  it('reads the sketch block with its defaults', () => {
    const c = parseOptimizerConfig({
      adaptive_optimization: {
        enabled: true,
        learning_rate: 0.1,
        optimization_interval: 300,
        safe_optimization_threshold: 0.95,
        ml_models: {
          cache_optimization: 'gradient_boosting',
          batch_optimization: 'neural_network',
          pool_optimization: 'linear_regression',
        },
      },
    });
    expect(c).toMatchObject({
      enabled: true,
      learning_rate: 0.1,
      optimization_interval: 300,
      sample_interval: 10,
      statistical_test: 'welch',
    });
    expect(c.ml_models.batch_optimization).toBe('neural_network');
  });

  it('accepts camelCase keys', () => {
    expect(parseOptimizerConfig({ learningRate: 0.2, optimizationInterval: 60 })).toMatchObject({
      learning_rate: 0.2,
      optimization_interval: 60,
    });
  });

  it('throws a typed error naming the path', () => {
    const err = (input: unknown) => {
      try {
        parseOptimizerConfig(input);
      } catch (e) {
        return e as OptimizerError;
      }
      throw new Error('no error');
    };
    expect(err({ learning_rate: 2 })).toMatchObject({
      code: 'INVALID_OPTION',
      option: 'adaptive_optimization.learning_rate',
    });
    expect(err({ ml_models: { batch_optimization: 'svm' } }).option).toBe(
      'adaptive_optimization.ml_models.batch_optimization',
    );
    expect(err({ safe_optimization_threshold: 1 }).message).toMatch(/safe_optimization_threshold/);
    expect(err({ enabeld: true }).code).toBe('INVALID_OPTION');
  });
});

import { GradientBoosting } from './gradientBoosting.js';
import { NeuralNetwork } from './neuralNetwork.js';
import { OnlineLinearRegression } from './onlineLinearRegression.js';
import type { Predictor, PredictorKind } from './predictor.js';

/** Builds the predictor an `ml_models` entry names (`linear_regression`, `gradient_boosting`, `neural_network`). */
export function createPredictor(kind: PredictorKind, seed = 7): Predictor {
  switch (kind) {
    case 'linear_regression':
      return new OnlineLinearRegression();
    case 'gradient_boosting':
      return new GradientBoosting();
    case 'neural_network':
      return new NeuralNetwork({ seed });
  }
}

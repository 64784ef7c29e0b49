/** Stable codes of the errors @hp/optimizer throws. */
export type OptimizerErrorCode =
  'INVALID_OPTION' | 'INVALID_KNOB' | 'CLOSED' | 'ALREADY_STARTED' | 'NOT_FITTED';

/** The one error class of @hp/optimizer: `code` is stable, the message says what to do. */
export class OptimizerError extends Error {
  override readonly name = 'OptimizerError';
  readonly code: OptimizerErrorCode;
  /** For INVALID_OPTION: the option's path, e.g. `adaptive_optimization.learning_rate`. */
  readonly option: string | undefined;

  constructor(code: OptimizerErrorCode, message: string, option?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.option = option;
  }
}

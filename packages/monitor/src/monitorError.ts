/** Stable codes of the errors @hp/monitor throws. */
export type MonitorErrorCode =
  'INVALID_OPTION' | 'CLOSED' | 'ALREADY_STARTED' | 'PROFILER_BUSY' | 'ABORTED' | 'EXPORTER_FAILED';

/** The one error class of @hp/monitor: `code` is stable, the message says what to do. */
export class MonitorError extends Error {
  override readonly name = 'MonitorError';
  readonly code: MonitorErrorCode;
  /** For INVALID_OPTION: the option's path, e.g. `exporters.prometheus.port`. */
  readonly option: string | undefined;

  constructor(code: MonitorErrorCode, message: string, option?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.option = option;
  }
}

export function abortError(signal: AbortSignal): MonitorError {
  return new MonitorError('ABORTED', 'The operation was aborted by its AbortSignal.', undefined, {
    cause: signal.reason,
  });
}

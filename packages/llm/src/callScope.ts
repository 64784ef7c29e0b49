import { type LlmError, LlmCancelledError, LlmTimeoutError } from './errors.js';
import { type LlmCallOptions } from './llmTypes.js';

/**
 * One provider call's cancellation: the caller's AbortSignal and an optional deadline merged into one signal for
 * the SDK, and, after a failure, which of the two (if any) caused it.
 */
export class CallScope {
  readonly signal: AbortSignal;
  private readonly _controller = new AbortController();
  private readonly _userSignal: AbortSignal | undefined;
  private readonly _timeoutMs: number | undefined;
  private readonly _onAbort = (): void => this._controller.abort(this._userSignal?.reason);
  private _timer: NodeJS.Timeout | undefined;
  private _timedOut = false;

  constructor(options: LlmCallOptions | undefined, what: string) {
    this.signal = this._controller.signal;
    this._userSignal = options?.signal;
    this._timeoutMs = options?.timeoutMs;
    if (this._userSignal?.aborted) this._controller.abort(this._userSignal.reason);
    else this._userSignal?.addEventListener('abort', this._onAbort, { once: true });
    if (this._timeoutMs !== undefined && this._timeoutMs > 0 && !this.signal.aborted) {
      const ms = this._timeoutMs;
      this._timer = setTimeout(() => {
        this._timedOut = true;
        this._controller.abort(new LlmTimeoutError(`${what} took longer than ${ms} ms`, ms));
      }, ms);
    }
  }

  /** The typed error for an abort this scope caused, or undefined if the call was not aborted. */
  abortError(what: string, cause?: unknown): LlmError | undefined {
    if (this._timedOut) {
      return new LlmTimeoutError(
        `${what} took longer than its ${this._timeoutMs} ms deadline. Retry with a longer timeoutMs, fewer tokens or a faster model.`,
        this._timeoutMs,
        { cause },
      );
    }
    if (this._userSignal?.aborted) {
      return new LlmCancelledError(
        `${what} was cancelled by the caller's AbortSignal; nothing to do unless that was unexpected.`,
        { cause },
      );
    }
    return undefined;
  }

  dispose(): void {
    if (this._timer) clearTimeout(this._timer);
    this._timer = undefined;
    this._userSignal?.removeEventListener('abort', this._onAbort);
  }
}

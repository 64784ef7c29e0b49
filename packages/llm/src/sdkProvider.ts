import { CallScope } from './callScope.js';
import { type LlmError } from './errors.js';
import { type LlmCallOptions } from './llmTypes.js';
import { type Transport } from './providerOptions.js';
import { mapSdkError } from './sdkErrors.js';

/**
 * What the SDK-backed providers (OpenAI, Anthropic, Google) share: their name, API key and HTTP transport,
 * one call's CallScope (caller's signal + deadline) with every error mapped to a typed LlmError (API keys
 * redacted), and the keep-alive pool's sizing and closing.
 */
export abstract class SdkProvider {
  readonly name: string;
  /** The HTTP path of the SDK: an @hp/pool keep-alive pool per origin, or your dispatcher / fetch. */
  readonly transport: Transport;
  protected readonly _apiKey: string;

  protected constructor(name: string, apiKey: string, transport: Transport) {
    this.name = name;
    this._apiKey = apiKey;
    this.transport = transport;
  }

  /** `name (base URL)`, the subject of error messages. */
  protected abstract get _what(): string;

  /** Runs one non-streaming call `what` in its own CallScope; any error it throws becomes a typed LlmError. */
  protected async _call<R>(
    options: LlmCallOptions | undefined,
    what: string,
    fn: (scope: CallScope) => Promise<R>,
  ): Promise<R> {
    const scope = new CallScope(options, `${this._what} ${what}`);
    try {
      return await fn(scope);
    } catch (err) {
      throw this.mapError(err, scope, what);
    } finally {
      scope.dispose();
    }
  }

  /** Any error of a call to a typed LlmError (API keys redacted). */
  mapError(err: unknown, scope: CallScope | undefined, what: string): LlmError {
    return mapSdkError(err, { where: `${this._what} ${what}`, scope, secrets: [this._apiKey] });
  }

  /** See LlmProvider.usePool: sizes the keep-alive pool for a client's concurrency; call the result to release. */
  usePool(connections: number): () => Promise<void> {
    return this.transport.use(connections);
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
}

export {
  LlmError,
  LlmRateLimitedError,
  LlmTimeoutError,
  LlmProviderError,
  LlmInvalidResponseError,
  LlmCancelledError,
  LlmOptionsError,
  isRetryableStatus,
  redactSecrets,
} from './errors.js';
export type { LlmErrorCode } from './errors.js';

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
export type {
  LlmRole,
  LlmMessage,
  LlmTool,
  LlmToolCall,
  LlmToolChoice,
  LlmResponseFormat,
  LlmRequest,
  LlmFinishReason,
  LlmChoice,
  LlmUsage,
  RateLimitInfo,
  LlmResponse,
  LlmPromptBatchRequest,
  LlmPromptBatchResponse,
  LlmEmbeddingRequest,
  LlmEmbeddingResponse,
  LlmStreamEvent,
  LlmCallOptions,
  LlmProvider,
} from './llmTypes.js';
export { rateLimitInfoFromHeaders, retryAfterFromHeaders } from './rateLimitHeaders.js';
export type { HeaderSource } from './rateLimitHeaders.js';
export { OpenAiProvider, openaiProvider } from './openaiProvider.js';
export type { OpenAiProviderOptions } from './openaiProvider.js';
export { AnthropicProvider, anthropicProvider } from './anthropicProvider.js';
export type { AnthropicProviderOptions } from './anthropicProvider.js';
export { GoogleProvider, googleProvider } from './googleProvider.js';
export type { GoogleProviderOptions } from './googleProvider.js';
export { mapSdkError } from './sdkErrors.js';
export { Transport } from './providerOptions.js';
export type { FetchLike, TransportStats } from './providerOptions.js';
export { LlmClient, createLlmClient, toLlmError } from './llmClient.js';
export type {
  LlmClientOptions,
  LlmCallSettings,
  LlmClientResponse,
  LlmTextRequest,
  LlmTextResponse,
  LlmEmbedSettings,
  LlmClientStats,
  LlmPrices,
} from './llmClient.js';
export { LlmMetrics, defaultLlmMetrics } from './llmMetrics.js';
export type { LlmClientCounters, ModelUsage } from './llmMetrics.js';
export { startEmulator } from './emulator/emulatorServer.js';
export type { Emulator, EmulatorStats } from './emulator/emulatorServer.js';
export type { EmulatorOptions } from './emulator/emulatorOptions.js';

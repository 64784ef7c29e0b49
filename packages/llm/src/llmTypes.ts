/** The provider-neutral request and response shapes of @hp/llm. */

export type LlmRole = 'system' | 'user' | 'assistant' | 'tool';

export interface LlmToolCall {
  id: string;
  name: string;
  /** JSON text, as the model produced it (may be invalid when finishReason is 'length'). */
  arguments: string;
}

export interface LlmMessage {
  role: LlmRole;
  content: string;
  name?: string;
  /** For role 'tool': the id of the call this message answers. */
  toolCallId?: string;
  /** For role 'assistant': the calls it made. */
  toolCalls?: LlmToolCall[];
}

export interface LlmTool {
  name: string;
  description?: string;
  /** JSON schema of the arguments. */
  parameters?: Record<string, unknown>;
}

export type LlmToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type LlmResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean };

export interface LlmRequest {
  model: string;
  messages: LlmMessage[];
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
  /** Number of samples (OpenAI `n`, Google `candidateCount`; Anthropic supports 1 only). */
  n?: number;
  tools?: LlmTool[];
  toolChoice?: LlmToolChoice;
  responseFormat?: LlmResponseFormat;
}

export type LlmFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';

export interface LlmChoice {
  index: number;
  content: string | null;
  toolCalls?: LlmToolCall[];
  finishReason: LlmFinishReason;
}

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
}

/** What the provider said about its limits, read from response headers (all optional). */
export interface RateLimitInfo {
  limitRequests?: number;
  remainingRequests?: number;
  /** ms until the request budget is full again. */
  resetRequestsMs?: number;
  limitTokens?: number;
  remainingTokens?: number;
  resetTokensMs?: number;
  /** ms the provider asked to wait (retry-after-ms / retry-after). */
  retryAfterMs?: number;
}

export interface LlmResponse {
  id: string;
  provider: string;
  model: string;
  choices: LlmChoice[];
  usage: LlmUsage;
  rateLimit?: RateLimitInfo;
}

/** Several independent prompts sent as one request where the API allows it (OpenAI `/v1/completions`). */
export interface LlmPromptBatchRequest {
  model: string;
  prompts: string[];
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
}

export interface LlmPromptBatchResponse {
  id: string;
  provider: string;
  model: string;
  /** One per prompt, in prompt order. */
  results: { text: string; finishReason: LlmFinishReason }[];
  usage: LlmUsage;
  rateLimit?: RateLimitInfo;
}

export interface LlmEmbeddingRequest {
  model: string;
  inputs: string[];
  dimensions?: number;
}

export interface LlmEmbeddingResponse {
  provider: string;
  model: string;
  /** One per input, in input order. */
  vectors: Float32Array[];
  usage: LlmUsage;
  rateLimit?: RateLimitInfo;
}

export type LlmStreamEvent =
  { type: 'delta'; index: number; content: string } | { type: 'done'; response: LlmResponse };

export interface LlmCallOptions {
  signal?: AbortSignal;
  /** Deadline for this call; exceeded -> LlmTimeoutError. */
  timeoutMs?: number;
}

/** One LLM API behind its official SDK, with the SDK's own retries off. Errors are always LlmError subclasses. */
export interface LlmProvider {
  readonly name: string;
  complete(request: LlmRequest, options?: LlmCallOptions): Promise<LlmResponse>;
  stream(request: LlmRequest, options?: LlmCallOptions): AsyncIterable<LlmStreamEvent>;
  /** Present when the API takes several prompts in one request. */
  completeBatch?(request: LlmPromptBatchRequest, options?: LlmCallOptions): Promise<LlmPromptBatchResponse>;
  embed?(request: LlmEmbeddingRequest, options?: LlmCallOptions): Promise<LlmEmbeddingResponse>;
  /**
   * An LlmClient with `connections` concurrent requests starts using the provider: the keep-alive pool the
   * provider creates gets at least that many connections. The returned function releases it; the pool closes
   * when its last client releases it (and reopens on a later request).
   */
  usePool?(connections: number): () => Promise<void>;
  /** Releases the HTTP connections the provider created (not the ones it was given). */
  close(): Promise<void>;
}

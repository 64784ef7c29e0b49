import OpenAI from 'openai';
import { z } from 'zod';
import { CallScope } from './callScope.js';
import { LlmInvalidResponseError, LlmOptionsError } from './errors.js';
import {
  type LlmCallOptions,
  type LlmChoice,
  type LlmEmbeddingRequest,
  type LlmEmbeddingResponse,
  type LlmFinishReason,
  type LlmPromptBatchRequest,
  type LlmPromptBatchResponse,
  type LlmProvider,
  type LlmRequest,
  type LlmResponse,
  type LlmStreamEvent,
  type LlmToolCall,
} from './llmTypes.js';
import { rateLimitInfoFromHeaders } from './rateLimitHeaders.js';
import { SdkProvider } from './sdkProvider.js';
import { parseProviderOptions, Transport, transportOptionShape } from './providerOptions.js';

const optionsSchema = z
  .object({
    /** Defaults to OPENAI_API_KEY; any string for servers without auth (the emulator, Ollama). */
    apiKey: z.string().optional(),
    /** Any OpenAI-compatible server: `http://127.0.0.1:8080/v1` (emulator), vLLM, Ollama, LM Studio, Azure, ... */
    baseURL: z.string().url().optional(),
    organization: z.string().optional(),
    project: z.string().optional(),
    /** Name used in errors, spans and responses; default 'openai'. */
    name: z.string().min(1).default('openai'),
    ...transportOptionShape,
    /** Which body field carries maxTokens: OpenAI's newer models want max_completion_tokens. */
    maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).default('max_tokens'),
    defaultHeaders: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export type OpenAiProviderOptions = z.input<typeof optionsSchema>;

function finishReason(reason: string | null | undefined): LlmFinishReason {
  switch (reason) {
    case 'stop':
    case 'length':
    case 'tool_calls':
    case 'content_filter':
      return reason;
    case 'function_call':
      return 'tool_calls';
    default:
      return 'other';
  }
}

type ChatParams = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;

/**
 * OpenAI and any OpenAI-compatible server through the official `openai` SDK, with the SDK's retries off
 * (@hp/async owns retries) and HTTP through an @hp/pool keep-alive pool (or the `fetch`/`dispatcher` you pass).
 */
export class OpenAiProvider extends SdkProvider implements LlmProvider {
  readonly client: OpenAI;
  private readonly _options: z.output<typeof optionsSchema>;

  constructor(options: OpenAiProviderOptions = {}) {
    const o = parseProviderOptions(optionsSchema, options);
    const apiKey = o.apiKey ?? process.env.OPENAI_API_KEY ?? '';
    if (!apiKey) {
      throw new LlmOptionsError(
        'apiKey',
        'no API key: pass apiKey or set OPENAI_API_KEY (any string for servers without auth)',
      );
    }
    const transport = new Transport(o);
    super(o.name, apiKey, transport);
    this._options = o;
    this.client = new OpenAI({
      apiKey: this._apiKey,
      maxRetries: 0,
      // deadlines are the caller's (LlmCallOptions.timeoutMs / AbortSignal); this is only a backstop
      timeout: 10 * 60_000,
      fetch: transport.fetch as typeof globalThis.fetch,
      ...(o.baseURL ? { baseURL: o.baseURL } : {}),
      ...(o.organization ? { organization: o.organization } : {}),
      ...(o.project ? { project: o.project } : {}),
      ...(o.defaultHeaders ? { defaultHeaders: o.defaultHeaders } : {}),
    });
  }

  protected override get _what(): string {
    return `${this.name} (${this.client.baseURL})`;
  }

  chatParams(request: LlmRequest): ChatParams {
    const messages = request.messages.map((m): OpenAI.Chat.ChatCompletionMessageParam => {
      if (m.role === 'tool') return { role: 'tool', content: m.content, tool_call_id: m.toolCallId ?? '' };
      if (m.role === 'assistant') {
        return {
          role: 'assistant',
          content: m.content,
          ...(m.name ? { name: m.name } : {}),
          ...(m.toolCalls?.length
            ? {
                tool_calls: m.toolCalls.map((t) => ({
                  id: t.id,
                  type: 'function' as const,
                  function: { name: t.name, arguments: t.arguments },
                })),
              }
            : {}),
        };
      }
      return { role: m.role, content: m.content, ...(m.name ? { name: m.name } : {}) };
    });
    const params: ChatParams = { model: request.model, messages };
    if (request.temperature !== undefined) params.temperature = request.temperature;
    if (request.topP !== undefined) params.top_p = request.topP;
    if (request.maxTokens !== undefined) params[this._options.maxTokensField] = request.maxTokens;
    if (request.stop?.length) params.stop = request.stop;
    if (request.seed !== undefined) params.seed = request.seed;
    if (request.n !== undefined && request.n !== 1) params.n = request.n;
    if (request.tools?.length) {
      params.tools = request.tools.map((t) => ({
        type: 'function',
        function: {
          name: t.name,
          ...(t.description ? { description: t.description } : {}),
          ...(t.parameters ? { parameters: t.parameters } : {}),
        },
      }));
    }
    if (request.toolChoice !== undefined) {
      params.tool_choice =
        typeof request.toolChoice === 'string'
          ? request.toolChoice
          : { type: 'function', function: { name: request.toolChoice.name } };
    }
    const rf = request.responseFormat;
    if (rf?.type === 'json_object') params.response_format = { type: 'json_object' };
    if (rf?.type === 'json_schema') {
      params.response_format = {
        type: 'json_schema',
        json_schema: {
          name: rf.name,
          schema: rf.schema,
          ...(rf.strict !== undefined ? { strict: rf.strict } : {}),
        },
      };
    }
    return params;
  }

  async complete(request: LlmRequest, options?: LlmCallOptions): Promise<LlmResponse> {
    return this._call(options, 'chat completion', async (scope) => {
      const { data, response } = await this.client.chat.completions
        .create(this.chatParams(request), { signal: scope.signal })
        .withResponse();
      if (!data || typeof data !== 'object' || !Array.isArray(data.choices)) {
        throw new LlmInvalidResponseError(
          `${this._what} answered a chat completion without a choices array. Check that baseURL points at an OpenAI-compatible /v1 endpoint; the request may be retried.`,
        );
      }
      return {
        id: String(data.id ?? ''),
        provider: this.name,
        model: String(data.model ?? request.model),
        choices: data.choices.map((c, i): LlmChoice => {
          const toolCalls: LlmToolCall[] = (c.message?.tool_calls ?? []).flatMap((t) =>
            t.type === 'function'
              ? [{ id: t.id, name: t.function.name, arguments: t.function.arguments }]
              : [],
          );
          return {
            index: c.index ?? i,
            content: c.message?.content ?? null,
            ...(toolCalls.length > 0 ? { toolCalls } : {}),
            finishReason: finishReason(c.finish_reason),
          };
        }),
        usage: {
          inputTokens: data.usage?.prompt_tokens ?? 0,
          outputTokens: data.usage?.completion_tokens ?? 0,
        },
        rateLimit: rateLimitInfoFromHeaders(response.headers),
      };
    });
  }

  async *stream(request: LlmRequest, options?: LlmCallOptions): AsyncGenerator<LlmStreamEvent> {
    const scope = new CallScope(options, `${this._what} streamed chat completion`);
    try {
      const { data: stream, response } = await this.client.chat.completions
        .create(
          { ...this.chatParams(request), stream: true, stream_options: { include_usage: true } },
          { signal: scope.signal },
        )
        .withResponse();
      const texts = new Map<number, string>();
      const finishes = new Map<number, LlmFinishReason>();
      const calls = new Map<number, Map<number, LlmToolCall>>();
      let id = '';
      let model = request.model;
      let usage = { inputTokens: 0, outputTokens: 0 };
      for await (const chunk of stream) {
        id ||= chunk.id;
        model = chunk.model || model;
        if (chunk.usage)
          usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
        for (const c of chunk.choices ?? []) {
          const delta = c.delta?.content;
          if (delta) {
            texts.set(c.index, (texts.get(c.index) ?? '') + delta);
            yield { type: 'delta', index: c.index, content: delta };
          } else if (!texts.has(c.index)) {
            texts.set(c.index, '');
          }
          for (const t of c.delta?.tool_calls ?? []) {
            const byIndex = calls.get(c.index) ?? new Map<number, LlmToolCall>();
            calls.set(c.index, byIndex);
            const prev = byIndex.get(t.index) ?? { id: '', name: '', arguments: '' };
            byIndex.set(t.index, {
              id: t.id ?? prev.id,
              name: t.function?.name ?? prev.name,
              arguments: prev.arguments + (t.function?.arguments ?? ''),
            });
          }
          if (c.finish_reason) finishes.set(c.index, finishReason(c.finish_reason));
        }
      }
      const indexes = [...new Set([...texts.keys(), ...finishes.keys(), ...calls.keys()])].sort(
        (a, b) => a - b,
      );
      yield {
        type: 'done',
        response: {
          id,
          provider: this.name,
          model,
          choices: indexes.map((index) => {
            const toolCalls = [...(calls.get(index)?.values() ?? [])];
            const text = texts.get(index) ?? '';
            return {
              index,
              content: text === '' && toolCalls.length > 0 ? null : text,
              ...(toolCalls.length > 0 ? { toolCalls } : {}),
              finishReason: finishes.get(index) ?? 'other',
            };
          }),
          usage,
          rateLimit: rateLimitInfoFromHeaders(response.headers),
        },
      };
    } catch (err) {
      throw this.mapError(err, scope, 'streamed chat completion');
    } finally {
      scope.dispose();
    }
  }

  /** Several prompts in one `/v1/completions` request (`prompt` array); results in prompt order. */
  async completeBatch(
    request: LlmPromptBatchRequest,
    options?: LlmCallOptions,
  ): Promise<LlmPromptBatchResponse> {
    return this._call(options, 'completion batch', async (scope) => {
      const params: OpenAI.CompletionCreateParamsNonStreaming = {
        model: request.model,
        prompt: request.prompts,
      };
      if (request.temperature !== undefined) params.temperature = request.temperature;
      if (request.topP !== undefined) params.top_p = request.topP;
      if (request.maxTokens !== undefined) params.max_tokens = request.maxTokens;
      if (request.stop?.length) params.stop = request.stop;
      if (request.seed !== undefined) params.seed = request.seed;
      const { data, response } = await this.client.completions
        .create(params, { signal: scope.signal })
        .withResponse();
      if (!data || !Array.isArray(data.choices)) {
        throw new LlmInvalidResponseError(
          `${this._what} answered a completion without a choices array; the request may be retried.`,
        );
      }
      const results: LlmPromptBatchResponse['results'] = new Array(request.prompts.length);
      for (const c of data.choices) {
        if (typeof c.index === 'number' && c.index < results.length) {
          results[c.index] = { text: c.text ?? '', finishReason: finishReason(c.finish_reason) };
        }
      }
      for (let i = 0; i < results.length; i++) {
        if (!results[i]) {
          throw new LlmInvalidResponseError(
            `${this._what} returned no choice for prompt ${i} of ${results.length}; the request may be retried.`,
          );
        }
      }
      return {
        id: String(data.id ?? ''),
        provider: this.name,
        model: String(data.model ?? request.model),
        results,
        usage: {
          inputTokens: data.usage?.prompt_tokens ?? 0,
          outputTokens: data.usage?.completion_tokens ?? 0,
        },
        rateLimit: rateLimitInfoFromHeaders(response.headers),
      };
    });
  }

  async embed(request: LlmEmbeddingRequest, options?: LlmCallOptions): Promise<LlmEmbeddingResponse> {
    return this._call(options, 'embeddings', async (scope) => {
      const { data, response } = await this.client.embeddings
        .create(
          {
            model: request.model,
            input: request.inputs,
            ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
          },
          { signal: scope.signal },
        )
        .withResponse();
      if (!data || !Array.isArray(data.data) || data.data.length !== request.inputs.length) {
        throw new LlmInvalidResponseError(
          `${this._what} returned a different number of embeddings than inputs; the request may be retried.`,
        );
      }
      const vectors: Float32Array[] = new Array(request.inputs.length);
      for (const d of data.data) {
        const e = d.embedding as unknown;
        vectors[d.index] = e instanceof Float32Array ? e : Float32Array.from(e as number[]);
      }
      return {
        provider: this.name,
        model: String(data.model ?? request.model),
        vectors,
        usage: { inputTokens: data.usage?.prompt_tokens ?? 0, outputTokens: 0 },
        rateLimit: rateLimitInfoFromHeaders(response.headers),
      };
    });
  }
}

/** An OpenAI (or OpenAI-compatible) provider; see OpenAiProviderOptions. */
export function openaiProvider(options: OpenAiProviderOptions = {}): OpenAiProvider {
  return new OpenAiProvider(options);
}

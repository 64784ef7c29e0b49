import {
  type Content,
  FunctionCallingConfigMode,
  type GenerateContentConfig,
  type GenerateContentResponse,
  GoogleGenAI,
  type Part,
} from '@google/genai';
import { z } from 'zod';
import { CallScope } from './callScope.js';
import { LlmInvalidResponseError, LlmOptionsError } from './errors.js';
import {
  type LlmCallOptions,
  type LlmChoice,
  type LlmEmbeddingRequest,
  type LlmEmbeddingResponse,
  type LlmFinishReason,
  type LlmProvider,
  type LlmRequest,
  type LlmResponse,
  type LlmStreamEvent,
  type LlmToolCall,
} from './llmTypes.js';
import { parseProviderOptions, Transport, transportOptionShape } from './providerOptions.js';
import { rateLimitInfoFromHeaders } from './rateLimitHeaders.js';
import { SdkProvider } from './sdkProvider.js';

const optionsSchema = z
  .object({
    /** Defaults to GEMINI_API_KEY or GOOGLE_API_KEY. */
    apiKey: z.string().optional(),
    /** Gemini API base URL (a local server in tests). */
    baseURL: z.string().url().optional(),
    apiVersion: z.string().optional(),
    name: z.string().min(1).default('google'),
    defaultHeaders: z.record(z.string(), z.string()).optional(),
    ...transportOptionShape,
  })
  .strict();

export type GoogleProviderOptions = z.input<typeof optionsSchema>;

function finishReason(reason: string | undefined, hasCalls: boolean): LlmFinishReason {
  if (hasCalls) return 'tool_calls';
  switch (reason) {
    case 'STOP':
      return 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
      return 'content_filter';
    default:
      return 'other';
  }
}

/**
 * Google Gemini through the official `@google/genai` SDK, retries off (`retryOptions.attempts: 1`).
 * System messages become `systemInstruction`, tool calls/results become functionCall/functionResponse parts,
 * JSON response formats become `responseMimeType` (+ `responseJsonSchema`), `n` becomes `candidateCount`.
 */
export class GoogleProvider extends SdkProvider implements LlmProvider {
  readonly client: GoogleGenAI;
  private readonly _baseURL: string;

  constructor(options: GoogleProviderOptions = {}) {
    const o = parseProviderOptions(optionsSchema, options);
    const apiKey = o.apiKey ?? process.env.GEMINI_API_KEY ?? process.env.GOOGLE_API_KEY ?? '';
    if (!apiKey) throw new LlmOptionsError('apiKey', 'no API key: pass apiKey or set GEMINI_API_KEY');
    const transport = new Transport(o);
    super(o.name, apiKey, transport);
    this._baseURL = o.baseURL ?? 'https://generativelanguage.googleapis.com';
    this.client = new GoogleGenAI({
      apiKey: this._apiKey,
      ...(o.apiVersion ? { apiVersion: o.apiVersion } : {}),
      httpOptions: {
        ...(o.baseURL ? { baseUrl: o.baseURL } : {}),
        ...(o.defaultHeaders ? { headers: o.defaultHeaders } : {}),
        retryOptions: { attempts: 1 },
        fetch: transport.fetch as typeof globalThis.fetch,
      },
    });
  }

  protected override get _what(): string {
    return `${this.name} (${this._baseURL})`;
  }

  contents(request: LlmRequest): { contents: Content[]; system: string | undefined } {
    const system: string[] = [];
    const contents: Content[] = [];
    const toolNames = new Map<string, string>();
    const push = (role: 'user' | 'model', part: Part): void => {
      const last = contents[contents.length - 1];
      if (last && last.role === role) last.parts!.push(part);
      else contents.push({ role, parts: [part] });
    };
    for (const m of request.messages) {
      if (m.role === 'system') system.push(m.content);
      else if (m.role === 'assistant') {
        if (m.content) push('model', { text: m.content });
        for (const t of m.toolCalls ?? []) {
          toolNames.set(t.id, t.name);
          let args: Record<string, unknown>;
          try {
            args = JSON.parse(t.arguments || '{}') as Record<string, unknown>;
          } catch {
            args = {};
          }
          push('model', { functionCall: { id: t.id, name: t.name, args } });
        }
      } else if (m.role === 'tool') {
        let response: Record<string, unknown>;
        try {
          const parsed: unknown = JSON.parse(m.content);
          response =
            parsed && typeof parsed === 'object' && !Array.isArray(parsed)
              ? (parsed as Record<string, unknown>)
              : { result: parsed };
        } catch {
          response = { result: m.content };
        }
        const name = toolNames.get(m.toolCallId ?? '') ?? m.name ?? 'tool';
        push('user', { functionResponse: { ...(m.toolCallId ? { id: m.toolCallId } : {}), name, response } });
      } else push('user', { text: m.content });
    }
    return { contents, system: system.length > 0 ? system.join('\n\n') : undefined };
  }

  config(request: LlmRequest, signal: AbortSignal, system: string | undefined): GenerateContentConfig {
    const config: GenerateContentConfig = { abortSignal: signal };
    if (system) config.systemInstruction = system;
    if (request.temperature !== undefined) config.temperature = request.temperature;
    if (request.topP !== undefined) config.topP = request.topP;
    if (request.maxTokens !== undefined) config.maxOutputTokens = request.maxTokens;
    if (request.stop?.length) config.stopSequences = request.stop;
    if (request.seed !== undefined) config.seed = request.seed;
    if (request.n !== undefined && request.n !== 1) config.candidateCount = request.n;
    const rf = request.responseFormat;
    if (rf?.type === 'json_object' || rf?.type === 'json_schema')
      config.responseMimeType = 'application/json';
    if (rf?.type === 'json_schema') config.responseJsonSchema = rf.schema;
    if (request.tools?.length) {
      config.tools = [
        {
          functionDeclarations: request.tools.map((t) => ({
            name: t.name,
            ...(t.description ? { description: t.description } : {}),
            ...(t.parameters ? { parametersJsonSchema: t.parameters } : {}),
          })),
        },
      ];
    }
    const tc = request.toolChoice;
    if (tc !== undefined) {
      config.toolConfig = {
        functionCallingConfig:
          tc === 'auto'
            ? { mode: FunctionCallingConfigMode.AUTO }
            : tc === 'none'
              ? { mode: FunctionCallingConfigMode.NONE }
              : tc === 'required'
                ? { mode: FunctionCallingConfigMode.ANY }
                : { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: [tc.name] },
      };
    }
    return config;
  }

  private _choices(res: GenerateContentResponse): LlmChoice[] {
    return (res.candidates ?? []).map((c, i) => {
      let text = '';
      const toolCalls: LlmToolCall[] = [];
      for (const part of c.content?.parts ?? []) {
        if (typeof part.text === 'string' && !part.thought) text += part.text;
        if (part.functionCall) {
          toolCalls.push({
            id: part.functionCall.id ?? `call_${i}_${toolCalls.length}`,
            name: part.functionCall.name ?? '',
            arguments: JSON.stringify(part.functionCall.args ?? {}),
          });
        }
      }
      return {
        index: c.index ?? i,
        content: text === '' && toolCalls.length > 0 ? null : text,
        ...(toolCalls.length > 0 ? { toolCalls } : {}),
        finishReason: finishReason(c.finishReason, toolCalls.length > 0),
      };
    });
  }

  async complete(request: LlmRequest, options?: LlmCallOptions): Promise<LlmResponse> {
    return this._call(options, 'generateContent', async (scope) => {
      const { contents, system } = this.contents(request);
      const res = await this.client.models.generateContent({
        model: request.model,
        contents,
        config: this.config(request, scope.signal, system),
      });
      if (!res || !Array.isArray(res.candidates)) {
        throw new LlmInvalidResponseError(
          `${this._what} answered generateContent without candidates; the request may be retried.`,
        );
      }
      return {
        id: res.responseId ?? '',
        provider: this.name,
        model: res.modelVersion ?? request.model,
        choices: this._choices(res),
        usage: {
          inputTokens: res.usageMetadata?.promptTokenCount ?? 0,
          outputTokens:
            (res.usageMetadata?.candidatesTokenCount ?? 0) + (res.usageMetadata?.thoughtsTokenCount ?? 0),
        },
        rateLimit: rateLimitInfoFromHeaders(res.sdkHttpResponse?.headers),
      };
    });
  }

  async *stream(request: LlmRequest, options?: LlmCallOptions): AsyncGenerator<LlmStreamEvent> {
    const scope = new CallScope(options, `${this._what} streamGenerateContent`);
    try {
      const { contents, system } = this.contents(request);
      const stream = await this.client.models.generateContentStream({
        model: request.model,
        contents,
        config: this.config(request, scope.signal, system),
      });
      const texts = new Map<number, string>();
      const calls = new Map<number, LlmToolCall[]>();
      const finishes = new Map<number, string | undefined>();
      let id = '';
      let model = request.model;
      let usage = { inputTokens: 0, outputTokens: 0 };
      let headers: Record<string, string> | undefined;
      for await (const chunk of stream) {
        id ||= chunk.responseId ?? '';
        model = chunk.modelVersion ?? model;
        headers ??= chunk.sdkHttpResponse?.headers;
        if (chunk.usageMetadata) {
          usage = {
            inputTokens: chunk.usageMetadata.promptTokenCount ?? 0,
            outputTokens:
              (chunk.usageMetadata.candidatesTokenCount ?? 0) + (chunk.usageMetadata.thoughtsTokenCount ?? 0),
          };
        }
        for (const choice of this._choices(chunk)) {
          if (choice.content) {
            texts.set(choice.index, (texts.get(choice.index) ?? '') + choice.content);
            yield { type: 'delta', index: choice.index, content: choice.content };
          } else if (!texts.has(choice.index)) texts.set(choice.index, '');
          if (choice.toolCalls)
            calls.set(choice.index, [...(calls.get(choice.index) ?? []), ...choice.toolCalls]);
        }
        for (const [i, c] of (chunk.candidates ?? []).entries())
          if (c.finishReason) finishes.set(c.index ?? i, c.finishReason);
      }
      const indexes = [...texts.keys()].sort((a, b) => a - b);
      yield {
        type: 'done',
        response: {
          id,
          provider: this.name,
          model,
          choices: indexes.map((index) => {
            const toolCalls = calls.get(index) ?? [];
            const text = texts.get(index) ?? '';
            return {
              index,
              content: text === '' && toolCalls.length > 0 ? null : text,
              ...(toolCalls.length > 0 ? { toolCalls } : {}),
              finishReason: finishReason(finishes.get(index), toolCalls.length > 0),
            };
          }),
          usage,
          rateLimit: rateLimitInfoFromHeaders(headers),
        },
      };
    } catch (err) {
      throw this.mapError(err, scope, 'streamGenerateContent');
    } finally {
      scope.dispose();
    }
  }

  async embed(request: LlmEmbeddingRequest, options?: LlmCallOptions): Promise<LlmEmbeddingResponse> {
    return this._call(options, 'embedContent', async (scope) => {
      const res = await this.client.models.embedContent({
        model: request.model,
        contents: request.inputs,
        config: {
          abortSignal: scope.signal,
          ...(request.dimensions !== undefined ? { outputDimensionality: request.dimensions } : {}),
        },
      });
      const embeddings = res?.embeddings ?? [];
      if (embeddings.length !== request.inputs.length) {
        throw new LlmInvalidResponseError(
          `${this._what} returned ${embeddings.length} embeddings for ${request.inputs.length} inputs; the request may be retried.`,
        );
      }
      return {
        provider: this.name,
        model: request.model,
        vectors: embeddings.map((e) => Float32Array.from(e.values ?? [])),
        usage: { inputTokens: 0, outputTokens: 0 },
        rateLimit: rateLimitInfoFromHeaders(res.sdkHttpResponse?.headers),
      };
    });
  }
}

/** A Google Gemini provider; see GoogleProviderOptions. */
export function googleProvider(options: GoogleProviderOptions = {}): GoogleProvider {
  return new GoogleProvider(options);
}

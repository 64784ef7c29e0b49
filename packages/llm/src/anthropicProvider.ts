import Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { CallScope } from './callScope.js';
import { LlmInvalidResponseError, LlmOptionsError } from './errors.js';
import {
  type LlmCallOptions,
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
    /** Defaults to ANTHROPIC_API_KEY. */
    apiKey: z.string().optional(),
    baseURL: z.string().url().optional(),
    name: z.string().min(1).default('anthropic'),
    /** Anthropic requires max_tokens: used when the request sets none. */
    defaultMaxTokens: z.number().int().positive().default(1024),
    defaultHeaders: z.record(z.string(), z.string()).optional(),
    ...transportOptionShape,
  })
  .strict();

export type AnthropicProviderOptions = z.input<typeof optionsSchema>;

type MessageParams = Anthropic.MessageCreateParamsNonStreaming;

function finishReason(reason: string | null | undefined): LlmFinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}

/**
 * Anthropic's Messages API through the official `@anthropic-ai/sdk`, retries off. System messages become the
 * `system` parameter, tool calls/results become tool_use/tool_result blocks, `json_schema` response formats
 * become `output_config.format`; `n` must be 1 (the API has no samples parameter) and there is no prompt-batch
 * or embeddings endpoint.
 */
export class AnthropicProvider extends SdkProvider implements LlmProvider {
  readonly client: Anthropic;
  private readonly _options: z.output<typeof optionsSchema>;

  constructor(options: AnthropicProviderOptions = {}) {
    const o = parseProviderOptions(optionsSchema, options);
    const apiKey = o.apiKey ?? process.env.ANTHROPIC_API_KEY ?? '';
    if (!apiKey) throw new LlmOptionsError('apiKey', 'no API key: pass apiKey or set ANTHROPIC_API_KEY');
    const transport = new Transport(o);
    super(o.name, apiKey, transport);
    this._options = o;
    this.client = new Anthropic({
      apiKey: this._apiKey,
      maxRetries: 0,
      timeout: 10 * 60_000,
      fetch: transport.fetch as typeof globalThis.fetch,
      ...(o.baseURL ? { baseURL: o.baseURL } : {}),
      ...(o.defaultHeaders ? { defaultHeaders: o.defaultHeaders } : {}),
    });
  }

  protected override get _what(): string {
    return `${this.name} (${this.client.baseURL})`;
  }

  messageParams(request: LlmRequest): MessageParams {
    if (request.n !== undefined && request.n !== 1) {
      throw new LlmOptionsError(
        'n',
        `${this.name} returns one sample per request; send n separate requests instead`,
      );
    }
    const system: string[] = [];
    const messages: Anthropic.MessageParam[] = [];
    const push = (role: 'user' | 'assistant', block: Anthropic.ContentBlockParam): void => {
      const last = messages[messages.length - 1];
      if (last && last.role === role && Array.isArray(last.content)) last.content.push(block);
      else messages.push({ role, content: [block] });
    };
    for (const m of request.messages) {
      if (m.role === 'system') system.push(m.content);
      else if (m.role === 'tool') {
        push('user', { type: 'tool_result', tool_use_id: m.toolCallId ?? '', content: m.content });
      } else if (m.role === 'assistant') {
        if (m.content) push('assistant', { type: 'text', text: m.content });
        for (const t of m.toolCalls ?? []) {
          let input: unknown;
          try {
            input = JSON.parse(t.arguments || '{}');
          } catch {
            input = {};
          }
          push('assistant', { type: 'tool_use', id: t.id, name: t.name, input });
        }
      } else push('user', { type: 'text', text: m.content });
    }
    const rf = request.responseFormat;
    if (rf?.type === 'json_object') system.push('Answer with a single JSON object and nothing else.');
    const params: MessageParams = {
      model: request.model,
      messages,
      max_tokens: request.maxTokens ?? this._options.defaultMaxTokens,
    };
    if (system.length > 0) params.system = system.join('\n\n');
    // SDK 1.x types no longer list sampling parameters (newer models fix them); older models still accept them
    const extra = params as unknown as Record<string, unknown>;
    if (request.temperature !== undefined) extra.temperature = Math.min(1, request.temperature);
    if (request.topP !== undefined) extra.top_p = request.topP;
    if (request.stop?.length) params.stop_sequences = request.stop;
    if (rf?.type === 'json_schema')
      params.output_config = { format: { type: 'json_schema', schema: rf.schema } };
    if (request.tools?.length) {
      params.tools = request.tools.map((t) => ({
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        input_schema: (t.parameters ?? { type: 'object', properties: {} }) as Anthropic.Tool.InputSchema,
      }));
    }
    const tc = request.toolChoice;
    if (tc !== undefined) {
      params.tool_choice =
        tc === 'auto'
          ? { type: 'auto' }
          : tc === 'required'
            ? { type: 'any' }
            : tc === 'none'
              ? { type: 'none' }
              : { type: 'tool', name: tc.name };
    }
    return params;
  }

  async complete(request: LlmRequest, options?: LlmCallOptions): Promise<LlmResponse> {
    const params = this.messageParams(request);
    return this._call(options, 'message', async (scope) => {
      const { data, response } = await this.client.messages
        .create(params, { signal: scope.signal })
        .withResponse();
      if (!data || !Array.isArray(data.content)) {
        throw new LlmInvalidResponseError(
          `${this._what} answered a message without a content array; the request may be retried.`,
        );
      }
      let text = '';
      const toolCalls: LlmToolCall[] = [];
      for (const block of data.content) {
        if (block.type === 'text') text += block.text;
        else if (block.type === 'tool_use') {
          toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
        }
      }
      return {
        id: data.id,
        provider: this.name,
        model: data.model ?? request.model,
        choices: [
          {
            index: 0,
            content: text === '' && toolCalls.length > 0 ? null : text,
            ...(toolCalls.length > 0 ? { toolCalls } : {}),
            finishReason: finishReason(data.stop_reason),
          },
        ],
        usage: { inputTokens: data.usage?.input_tokens ?? 0, outputTokens: data.usage?.output_tokens ?? 0 },
        rateLimit: rateLimitInfoFromHeaders(response.headers),
      };
    });
  }

  async *stream(request: LlmRequest, options?: LlmCallOptions): AsyncGenerator<LlmStreamEvent> {
    const params = this.messageParams(request);
    const scope = new CallScope(options, `${this._what} streamed message`);
    try {
      const { data: stream, response } = await this.client.messages
        .create({ ...params, stream: true }, { signal: scope.signal })
        .withResponse();
      let id = '';
      let model = request.model;
      let text = '';
      let stop: string | null | undefined;
      const usage = { inputTokens: 0, outputTokens: 0 };
      const tools = new Map<number, LlmToolCall>();
      for await (const event of stream) {
        if (event.type === 'message_start') {
          id = event.message.id;
          model = event.message.model ?? model;
          usage.inputTokens = event.message.usage?.input_tokens ?? 0;
          usage.outputTokens = event.message.usage?.output_tokens ?? 0;
        } else if (event.type === 'content_block_start' && event.content_block.type === 'tool_use') {
          tools.set(event.index, {
            id: event.content_block.id,
            name: event.content_block.name,
            arguments: '',
          });
        } else if (event.type === 'content_block_delta') {
          if (event.delta.type === 'text_delta') {
            text += event.delta.text;
            yield { type: 'delta', index: 0, content: event.delta.text };
          } else if (event.delta.type === 'input_json_delta') {
            const call = tools.get(event.index);
            if (call) call.arguments += event.delta.partial_json;
          }
        } else if (event.type === 'message_delta') {
          stop = event.delta.stop_reason ?? stop;
          if (event.usage?.output_tokens != null) usage.outputTokens = event.usage.output_tokens;
        }
      }
      const toolCalls = [...tools.values()].map((t) => ({ ...t, arguments: t.arguments || '{}' }));
      yield {
        type: 'done',
        response: {
          id,
          provider: this.name,
          model,
          choices: [
            {
              index: 0,
              content: text === '' && toolCalls.length > 0 ? null : text,
              ...(toolCalls.length > 0 ? { toolCalls } : {}),
              finishReason: finishReason(stop),
            },
          ],
          usage,
          rateLimit: rateLimitInfoFromHeaders(response.headers),
        },
      };
    } catch (err) {
      throw this.mapError(err, scope, 'streamed message');
    } finally {
      scope.dispose();
    }
  }
}

/** An Anthropic provider; see AnthropicProviderOptions. */
export function anthropicProvider(options: AnthropicProviderOptions = {}): AnthropicProvider {
  return new AnthropicProvider(options);
}

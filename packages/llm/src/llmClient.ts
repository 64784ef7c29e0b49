import {
  Batcher,
  type RateLimit,
  type RateLimiterOptions,
  type RetryOptions,
  RetryPolicy,
  TaskRunner,
} from '@hp/async';
import {
  llmCacheKey,
  type LlmRequest as CacheableRequest,
  LlmResponseCache,
  TieredCache,
  type TieredCacheOptions,
} from '@hp/cache';
import { type Attributes, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { z } from 'zod';
import { countTokens } from './emulator/tokenizer.js';
import {
  LlmCancelledError,
  LlmError,
  LlmOptionsError,
  LlmProviderError,
  LlmRateLimitedError,
  LlmTimeoutError,
} from './errors.js';
import { defaultLlmMetrics, type LlmClientCounters, type LlmMetrics, type ModelUsage } from './llmMetrics.js';
import {
  type LlmFinishReason,
  type LlmProvider,
  type LlmRequest,
  type LlmResponse,
  type LlmStreamEvent,
  type LlmUsage,
  type RateLimitInfo,
} from './llmTypes.js';
import { parseProviderOptions } from './providerOptions.js';

/** A price list: USD per 1M input and output tokens, by model id. */
export type LlmPrices = Record<string, { input: number; output: number }>;

const batchSchema = z
  .object({
    /** Prompts (or embedding inputs) per provider request. */
    batchSize: z.number().int().positive().default(8),
    /**
     * Longest wait of a batch's first item, ms, while every concurrency slot is busy. With a free slot and an
     * empty queue a batch goes at the end of the event-loop turn (no wait), see LlmClient._kickBatches.
     */
    timeoutMs: z.number().min(0).default(10),
    /** Bound on items waiting for a batch. */
    maxPending: z.number().int().positive().default(10_000),
  })
  .strict();

const optionsSchema = z
  .object({
    provider: z.custom<LlmProvider>(
      (v) => typeof v === 'object' && v !== null && typeof (v as LlmProvider).complete === 'function',
      { message: 'expected an LlmProvider (openaiProvider(), anthropicProvider(), googleProvider(), ...)' },
    ),
    /** A TieredCache to share, TieredCache options, or false for no cache. Default: an in-process TieredCache. */
    cache: z
      .union([
        z.literal(false),
        z.custom<TieredCache<unknown> | TieredCacheOptions>((v) => typeof v === 'object' && v !== null),
      ])
      .optional(),
    /** TTL of cached responses, ms (the sketch's LLM response cache: 300 s). */
    cacheTtlMs: z.number().int().min(0).default(300_000),
    /**
     * Samples kept per request with temperature > 0 (@hp/cache LlmResponseCache): the first `samples` identical
     * calls each get a new answer (sent with a seed derived from `seed`, the key and the sample number), later
     * calls replay a stored one picked by a PRNG seeded with `seed`, so a rerun replays the same answers.
     * 1 = always the same answer.
     */
    samples: z.number().int().min(1).max(64).default(3),
    seed: z.number().int().default(0),
    /** Bound on distinct keys whose sample counters are remembered. */
    maxSampleKeys: z.number().int().positive().default(100_000),
    /** Concurrent provider requests (the sketch's LLM request pool: 20). */
    concurrency: z.number().int().positive().default(20),
    queueSizeLimit: z.number().int().positive().default(1000),
    whenFull: z.enum(['reject', 'wait']).default('wait'),
    priorityLevels: z.number().int().min(1).max(64).default(3),
    /**
     * Request/token limits: a RateLimit to share (e.g. a DistributedRateLimiter), RateLimiter options, or false.
     * Default: unknown limits, learned from the provider's headers, over a 60 s window (`interval`), with 5% of
     * each burst kept unused (`headroom: 0.05`) so that jitter on the way does not cause 429s.
     */
    rateLimit: z
      .union([
        z.literal(false),
        z.custom<RateLimit | RateLimiterOptions>((v) => typeof v === 'object' && v !== null),
      ])
      .default({}),
    /** Retry policy options (RetryPolicy of @hp/async) or false. Default: 4 attempts in all. */
    retry: z
      .union([z.literal(false), z.custom<RetryOptions>((v) => typeof v === 'object' && v !== null)])
      .default({}),
    /** Deadline of one call (queue wait and all attempts), ms. */
    timeoutMs: z.number().int().positive().default(120_000),
    /** Deadline of one provider attempt, ms (a timed-out attempt is retried). */
    attemptTimeoutMs: z.number().int().positive().optional(),
    /** Batching of completeText() prompts (one /v1/completions request) and embed() inputs; false = none. */
    batch: z.union([z.literal(false), batchSchema]).default(batchSchema.parse({})),
    embedBatch: z
      .union([z.literal(false), batchSchema])
      .default(batchSchema.parse({ batchSize: 256, timeoutMs: 5 })),
    /** USD per 1M tokens by model, for usage accounting. */
    prices: z
      .record(z.string(), z.object({ input: z.number().min(0), output: z.number().min(0) }))
      .default({}),
    /** Record prompts and completions on spans (off by default: they may hold personal data). */
    recordContent: z.boolean().default(false),
    /** Output tokens assumed for the rate-limit reservation when a request sets no maxTokens. */
    defaultOutputTokens: z.number().int().positive().default(256),
    metrics: z.custom<LlmMetrics>((v) => typeof v === 'object' && v !== null).optional(),
  })
  .strict();

export type LlmClientOptions = z.input<typeof optionsSchema>;

export interface LlmCallSettings {
  /** 0 is the highest of `priorityLevels` levels (default 1). */
  priority?: number;
  signal?: AbortSignal;
  /** Fairness key (e.g. the agent id). */
  key?: string;
  /** false = skip the cache for this call (neither read nor written). */
  cache?: boolean;
  /** Overrides the client's timeoutMs. */
  timeoutMs?: number;
}

export interface LlmClientResponse extends LlmResponse {
  /** True when this call did not send its own request (cache hit, or joined an identical in-flight call). */
  cached: boolean;
}

export interface LlmTextRequest {
  model: string;
  prompt: string;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
}

export interface LlmTextResponse {
  text: string;
  finishReason: LlmFinishReason;
  /** This prompt's share of the batch's usage (split by prompt and answer length). */
  usage: LlmUsage;
  cached: boolean;
}

export interface LlmEmbedSettings extends LlmCallSettings {
  model: string;
  dimensions?: number;
}

export interface LlmClientStats extends LlmClientCounters {
  usage: Record<string, ModelUsage>;
  totalCostUsd: number;
}

interface TextItem {
  request: LlmTextRequest;
  tokens: number;
}

interface EmbedItem {
  model: string;
  dimensions: number | undefined;
  input: string;
}

function rateLimitHeaders(info: RateLimitInfo | undefined): Record<string, string> {
  const h: Record<string, string> = {};
  if (!info) return h;
  if (info.limitRequests !== undefined) h['x-ratelimit-limit-requests'] = String(info.limitRequests);
  if (info.remainingRequests !== undefined)
    h['x-ratelimit-remaining-requests'] = String(info.remainingRequests);
  if (info.resetRequestsMs !== undefined)
    h['x-ratelimit-reset-requests'] = `${Math.ceil(info.resetRequestsMs)}ms`;
  if (info.limitTokens !== undefined) h['x-ratelimit-limit-tokens'] = String(info.limitTokens);
  if (info.remainingTokens !== undefined) h['x-ratelimit-remaining-tokens'] = String(info.remainingTokens);
  if (info.resetTokensMs !== undefined) h['x-ratelimit-reset-tokens'] = `${Math.ceil(info.resetTokensMs)}ms`;
  return h;
}

/** What a task returns to the TaskRunner: the limiter settles with `usage` and learns from `headers`. */
interface Attempt<T> {
  value: T;
  usage: LlmUsage;
  headers: Record<string, string>;
}

function errorCodeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Errors from @hp/async and @hp/cache (queue, limiter, deadlines, close) to typed LlmErrors. */
export function toLlmError(err: unknown, what: string): LlmError {
  if (err instanceof LlmError) return err;
  const cause = (err as { cause?: unknown } | null)?.cause;
  if (cause instanceof LlmError) return cause;
  const message = err instanceof Error ? err.message : String(err);
  switch (errorCodeOf(err)) {
    case 'ABORTED':
    case 'CLEARED':
      return new LlmCancelledError(`${what} was cancelled (${message}).`, { cause: err });
    case 'TIMEOUT':
      return new LlmTimeoutError(
        `${what} did not finish in time (${message}). Raise timeoutMs or lighten the load.`,
        undefined,
        {
          cause: err,
        },
      );
    case 'RATE_LIMITED': {
      const ms = (err as { retryAfterMs?: unknown }).retryAfterMs;
      return new LlmRateLimitedError(
        `${what} would wait too long for the rate limit (${message}).`,
        typeof ms === 'number' ? ms : undefined,
        {
          cause: err,
        },
      );
    }
    case 'QUEUE_FULL':
      return new LlmError(
        'QUEUE_FULL',
        `${what} was refused: the request queue is full (${message}). Slow down or raise queueSizeLimit.`,
        true,
        {
          cause: err,
        },
      );
    case 'CLOSED':
      return new LlmError('CLOSED', `${what} failed: the LLM client is closed. Create a new client.`, false, {
        cause: err,
      });
    case 'TOKENS_EXCEED_LIMIT':
      return new LlmProviderError(
        `${what} can never pass the token limit (${message}). Send fewer tokens per request.`,
        undefined,
        {
          cause: err,
          retryable: false,
        },
      );
    default:
      return new LlmProviderError(`${what} failed: ${message}`, undefined, { cause: err, retryable: false });
  }
}

/**
 * One call path for LLM requests: cache (canonical key, single-flight, sample replay) -> batcher (prompt and
 * embedding batches) -> priority queue -> request and token rate limits (learned from headers) -> concurrency
 * limit -> retries -> provider (official SDK over a keep-alive pool). A batch is one provider request: it takes one
 * request of the rate limit and one concurrency slot, which is why batching comes before the queue.
 */
export class LlmClient {
  readonly provider: LlmProvider;
  readonly runner: TaskRunner;
  readonly cache: TieredCache<unknown> | undefined;
  private readonly _o: z.output<typeof optionsSchema>;
  private readonly _ownsCache: boolean;
  private readonly _textBatcher: Batcher<TextItem, LlmTextResponse> | undefined;
  private readonly _embedBatcher: Batcher<EmbedItem, number[]> | undefined;
  private readonly _responses: LlmResponseCache<unknown> | undefined;
  /** Misses per key: the sample number of the next computed sample, for its seed. */
  private readonly _computed = new Map<string, number>();
  private readonly _counters: LlmClientCounters = {
    calls: 0,
    cacheHits: 0,
    cacheMisses: 0,
    providerCalls: 0,
    batches: 0,
    batchedItems: 0,
    errors: {},
  };
  private readonly _usage: Record<string, ModelUsage> = {};
  private readonly _metrics: LlmMetrics;
  private readonly _unregister: () => void;
  private readonly _releasePool: (() => Promise<void>) | undefined;
  private _kick: NodeJS.Immediate | undefined;
  private readonly _tracer = trace.getTracer('@hp/llm');
  private _closed = false;

  constructor(options: LlmClientOptions) {
    const o = parseProviderOptions(optionsSchema, options);
    this._o = o;
    this.provider = o.provider;
    if (o.cache === false) {
      this.cache = undefined;
      this._ownsCache = false;
    } else if (o.cache instanceof TieredCache) {
      this.cache = o.cache;
      this._ownsCache = false;
    } else {
      this.cache = new TieredCache<unknown>({
        loaderTimeoutMs: o.timeoutMs,
        ...(o.cache as TieredCacheOptions | undefined),
      });
      this._ownsCache = true;
    }
    this._responses = this.cache
      ? new LlmResponseCache<unknown>({
          cache: this.cache as TieredCache,
          samples: o.samples,
          seed: o.seed,
          ttl: o.cacheTtlMs,
          maxKeys: o.maxSampleKeys,
        })
      : undefined;
    this.runner = new TaskRunner({
      name: `llm:${o.provider.name}`,
      concurrency: o.concurrency,
      queueSizeLimit: o.queueSizeLimit,
      whenFull: o.whenFull,
      priorityLevels: o.priorityLevels,
      fairness: 'key',
      timeout: o.timeoutMs,
      ...(o.attemptTimeoutMs !== undefined ? { attemptTimeout: o.attemptTimeoutMs } : {}),
      ...(o.rateLimit === false
        ? {}
        : {
            rateLimit:
              typeof (o.rateLimit as RateLimit).acquire === 'function'
                ? (o.rateLimit as RateLimit)
                : // 5% of each burst kept unused: requests granted together may reach the provider closer together
                  { headroom: 0.05, ...(o.rateLimit as RateLimiterOptions) },
          }),
      retry:
        o.retry === false
          ? false
          : o.retry instanceof RetryPolicy
            ? o.retry
            : { maxAttempts: 4, ...(o.retry as RetryOptions) },
    });
    const batch = o.batch;
    if (batch !== false) {
      this._textBatcher = new Batcher<TextItem, LlmTextResponse>({
        name: `llm:${o.provider.name}:prompts`,
        batchSize: batch.batchSize,
        timeout: batch.timeoutMs,
        maxPending: batch.maxPending,
        priorityLevels: o.priorityLevels,
        key: (item) =>
          JSON.stringify([
            item.request.model,
            item.request.maxTokens,
            item.request.temperature,
            item.request.topP,
            item.request.stop,
            item.request.seed,
          ]),
        process: (items, ctx) => this._processTexts(items, ctx.priority),
      });
    }
    const embedBatch = o.embedBatch;
    if (embedBatch !== false) {
      this._embedBatcher = new Batcher<EmbedItem, number[]>({
        name: `llm:${o.provider.name}:embeddings`,
        batchSize: embedBatch.batchSize,
        timeout: embedBatch.timeoutMs,
        maxPending: embedBatch.maxPending,
        priorityLevels: o.priorityLevels,
        key: (item) => `${item.model}\u0000${item.dimensions ?? ''}`,
        process: (items, ctx) => this._processEmbeddings(items, ctx.priority),
      });
    }
    // the provider's @hp/pool keep-alive pool gets a connection per concurrent request; released on close()
    this._releasePool = o.provider.usePool?.(o.concurrency);
    this._metrics = o.metrics ?? defaultLlmMetrics();
    this._unregister = this._metrics.register(this._counters, { 'gen_ai.provider.name': o.provider.name });
  }

  // --- chat --------------------------------------------------------------------------------------------------

  /** A chat completion through the whole path; a cache hit answers without a request. */
  async complete(request: LlmRequest, settings: LlmCallSettings = {}): Promise<LlmClientResponse> {
    this._checkOpen();
    this._counters.calls++;
    try {
      this._checkRequest(request);
      const { value, cached } = await this._cached(
        this._cacheable('chat', request),
        request,
        settings,
        async (signal, seed) => {
          const { rateLimit: _drop, ...response } = await this._chat(
            seed === undefined ? request : { ...request, seed },
            settings,
            signal,
          );
          return response as LlmResponse;
        },
      );
      return { ...value, cached };
    } catch (err) {
      throw this._fail(err, `${this.provider.name} chat ${request.model}`);
    }
  }

  /**
   * A streamed chat completion. A miss streams from the provider (and caches the final response); a cache hit,
   * or a call that joined an identical one in flight, replays the answer as a stream (16 characters per delta).
   * A stream abandoned by its consumer still completes in the background and fills the cache.
   */
  async *stream(
    request: LlmRequest,
    settings: LlmCallSettings = {},
  ): AsyncGenerator<LlmStreamEvent & { cached?: boolean }> {
    this._checkOpen();
    this._counters.calls++;
    this._checkRequest(request);
    const what = `${this.provider.name} streamed chat ${request.model}`;
    const channel = new Channel<LlmStreamEvent>();
    let live = false;
    const done = this._cached(this._cacheable('chat', request), request, settings, async (signal, seed) => {
      live = true;
      const sent = seed === undefined ? request : { ...request, seed };
      let emitted = false;
      const response = await this._run(
        'chat',
        sent.model,
        async (s) => {
          if (emitted) {
            throw new LlmProviderError(
              `${what} broke after part of the answer was delivered; it is not retried. Retry the whole call.`,
              undefined,
              {
                retryable: false,
              },
            );
          }
          let final: LlmResponse | undefined;
          for await (const ev of this.provider.stream(sent, { signal: s })) {
            if (ev.type === 'done') final = ev.response;
            else {
              emitted = true;
              channel.push(ev);
            }
          }
          if (!final)
            throw new LlmProviderError(`${what} ended without a final response; retry the call.`, undefined);
          return { value: final, usage: final.usage, headers: rateLimitHeaders(final.rateLimit) };
        },
        this._estimate(sent),
        settings,
        signal,
        sent,
      );
      const { rateLimit: _drop, ...stored } = response;
      return stored as LlmResponse;
    });
    done.then(
      ({ value }) => channel.end(value),
      (err: unknown) => channel.fail(this._fail(err, what)),
    );
    for (;;) {
      const next = await channel.next();
      if (!next.done) {
        yield next.value;
        continue;
      }
      const response = next.value;
      if (!live) {
        for (const choice of response.choices) {
          const text = choice.content ?? '';
          for (let i = 0; i < text.length; i += 16)
            yield { type: 'delta', index: choice.index, content: text.slice(i, i + 16) };
        }
      }
      yield { type: 'done', response, cached: !live };
      return;
    }
  }

  // --- prompt batches (/v1/completions) ------------------------------------------------------------------------

  /**
   * A plain-text completion. Misses with the same model and sampling parameters are batched into one
   * multi-prompt request when the provider has one (`completeBatch`, e.g. OpenAI `/v1/completions`).
   */
  async completeText(request: LlmTextRequest, settings: LlmCallSettings = {}): Promise<LlmTextResponse> {
    this._checkOpen();
    this._counters.calls++;
    try {
      const { prompt, ...params } = request;
      const cacheable: CacheableRequest = {
        provider: this.provider.name,
        op: 'text',
        ...params,
        messages: [{ role: 'user', content: prompt }],
      };
      const { value, cached } = await this._cached(cacheable, request, settings, async (signal, seed) => {
        const sent: LlmTextRequest = seed === undefined ? request : { ...request, seed };
        const item: TextItem = {
          request: sent,
          tokens: countTokens(sent.prompt) + (sent.maxTokens ?? this._o.defaultOutputTokens),
        };
        const result = this._textBatcher
          ? await this._batch(this._textBatcher, item, settings.priority ?? 1, signal)
          : (await this._processTexts([item], settings.priority ?? 1))[0]!;
        if (result instanceof Error) throw result;
        const { cached: _c, ...rest } = result;
        return rest;
      });
      return { ...value, cached };
    } catch (err) {
      throw this._fail(err, `${this.provider.name} text completion ${request.model}`);
    }
  }

  private async _processTexts(items: TextItem[], priority: number): Promise<(LlmTextResponse | Error)[]> {
    const first = items[0]!.request;
    const tokens = items.reduce((s, i) => s + i.tokens, 0);
    const provider = this.provider;
    if (!provider.completeBatch) {
      // no multi-prompt endpoint: one chat request per prompt
      return Promise.all(
        items.map(async (item) => {
          try {
            const r = await this._chat(
              {
                model: item.request.model,
                messages: [{ role: 'user', content: item.request.prompt }],
                ...(item.request.maxTokens !== undefined ? { maxTokens: item.request.maxTokens } : {}),
                ...(item.request.temperature !== undefined ? { temperature: item.request.temperature } : {}),
                ...(item.request.seed !== undefined ? { seed: item.request.seed } : {}),
                ...(item.request.stop ? { stop: item.request.stop } : {}),
              },
              { priority },
              undefined,
            );
            const c = r.choices[0];
            return {
              text: c?.content ?? '',
              finishReason: c?.finishReason ?? 'other',
              usage: r.usage,
              cached: false,
            };
          } catch (err) {
            return err instanceof Error ? err : new Error(String(err));
          }
        }),
      );
    }
    const response = await this._run(
      'text_completion',
      first.model,
      async (signal) => {
        const r = await provider.completeBatch!(
          {
            model: first.model,
            prompts: items.map((i) => i.request.prompt),
            ...(first.maxTokens !== undefined ? { maxTokens: first.maxTokens } : {}),
            ...(first.temperature !== undefined ? { temperature: first.temperature } : {}),
            ...(first.topP !== undefined ? { topP: first.topP } : {}),
            ...(first.stop ? { stop: first.stop } : {}),
            ...(first.seed !== undefined ? { seed: first.seed } : {}),
          },
          { signal },
        );
        return { value: r, usage: r.usage, headers: rateLimitHeaders(r.rateLimit) };
      },
      tokens,
      { priority },
      undefined,
      undefined,
    );
    if (items.length > 1) {
      this._counters.batches++;
      this._counters.batchedItems += items.length;
    }
    const promptChars = items.reduce((s, i) => s + i.request.prompt.length, 0) || 1;
    const textChars = response.results.reduce((s, r) => s + r.text.length, 0) || 1;
    return items.map((item, i) => {
      const r = response.results[i]!;
      return {
        text: r.text,
        finishReason: r.finishReason,
        usage: {
          inputTokens: Math.round((response.usage.inputTokens * item.request.prompt.length) / promptChars),
          outputTokens: Math.round((response.usage.outputTokens * r.text.length) / textChars),
        },
        cached: false,
      };
    });
  }

  // --- embeddings ----------------------------------------------------------------------------------------------

  /** Embeddings of `inputs` (one vector per input, in order); each input is cached, misses go in batches. */
  async embed(inputs: readonly string[], settings: LlmEmbedSettings): Promise<Float32Array[]> {
    this._checkOpen();
    this._counters.calls++;
    const provider = this.provider;
    if (!provider.embed) {
      throw new LlmOptionsError(
        'provider',
        `${provider.name} has no embeddings endpoint in @hp/llm; use an OpenAI-compatible or Google provider`,
      );
    }
    const one = async (input: string): Promise<number[]> => {
      const item: EmbedItem = { model: settings.model, dimensions: settings.dimensions, input };
      const load = async (signal?: AbortSignal): Promise<number[]> => {
        this._counters.cacheMisses++;
        const r = this._embedBatcher
          ? await this._batch(this._embedBatcher, item, settings.priority ?? 1, signal)
          : (await this._processEmbeddings([item], settings.priority ?? 1))[0]!;
        if (r instanceof Error) throw r;
        return r;
      };
      if (settings.cache === false || !this.cache) return load(settings.signal);
      let loaded = false;
      const key = llmCacheKey(
        {
          provider: provider.name,
          model: settings.model,
          dimensions: settings.dimensions,
          messages: [input],
        },
        { prefix: 'llm_embedding' },
      );
      const v = (await this.cache.getOrCompute(
        key,
        (signal) => {
          loaded = true;
          return load(signal);
        },
        { ttl: this._o.cacheTtlMs, ...(settings.signal ? { signal: settings.signal } : {}) },
      )) as number[];
      if (!loaded) this._counters.cacheHits++;
      return v;
    };
    try {
      const vectors = await Promise.all(inputs.map(one));
      return vectors.map((v) => Float32Array.from(v));
    } catch (err) {
      throw this._fail(err, `${provider.name} embeddings ${settings.model}`);
    }
  }

  private async _processEmbeddings(items: EmbedItem[], priority: number): Promise<number[][]> {
    const first = items[0]!;
    const tokens = items.reduce((s, i) => s + countTokens(i.input), 0);
    const response = await this._run(
      'embeddings',
      first.model,
      async (signal) => {
        const r = await this.provider.embed!(
          {
            model: first.model,
            inputs: items.map((i) => i.input),
            ...(first.dimensions !== undefined ? { dimensions: first.dimensions } : {}),
          },
          { signal },
        );
        return { value: r, usage: r.usage, headers: rateLimitHeaders(r.rateLimit) };
      },
      tokens,
      { priority },
      undefined,
      undefined,
    );
    if (items.length > 1) {
      this._counters.batches++;
      this._counters.batchedItems += items.length;
    }
    return response.vectors.map((v) => Array.from(v));
  }

  // --- adaptive batching -------------------------------------------------------------------------------------

  private _batch<I, O>(
    batcher: Batcher<I, O>,
    item: I,
    priority: number,
    signal: AbortSignal | undefined,
  ): Promise<O> {
    const p = batcher.add(item, { priority, ...(signal ? { signal } : {}) });
    this._kickBatches();
    return p;
  }

  /**
   * Batches form only while they would wait anyway. At the end of the current event-loop turn (so that the
   * items of one burst, e.g. a Promise.all, have all joined), if a concurrency slot is free and nothing waits in
   * the queue (rate limit or concurrency), the open batches go at once instead of waiting for `timeoutMs`: a lone
   * prompt pays no batching delay. While every slot is busy, batches keep filling until full, their timeout, or
   * the next free slot (a finished provider call kicks again).
   */
  private _kickBatches(): void {
    if (this._kick !== undefined || this._closed) return;
    if (!this._textBatcher?.pending && !this._embedBatcher?.pending) return;
    this._kick = setImmediate(() => {
      this._kick = undefined;
      const q = this.runner.queue;
      if (this._closed || q.size > 0 || q.pending >= q.concurrency) return;
      this._textBatcher?.flush();
      this._embedBatcher?.flush();
    });
  }

  // --- the shared path -----------------------------------------------------------------------------------------

  private _checkRequest(request: LlmRequest): void {
    if (!request || typeof request.model !== 'string' || !Array.isArray(request.messages)) {
      throw new LlmOptionsError('request', 'expected { model: string, messages: LlmMessage[] }');
    }
  }

  /** What the cache key is made of: provider name, operation and every request field (never the API key). */
  private _cacheable(op: string, request: LlmRequest): CacheableRequest {
    return { provider: this.provider.name, op, ...request } as unknown as CacheableRequest;
  }

  /**
   * `load` through the response cache (single-flight, sample replay), or directly when the cache is off.
   * `load` gets the seed of the sample it computes when the request samples without a seed of its own.
   */
  private async _cached<T>(
    cacheable: CacheableRequest,
    request: { temperature?: number | undefined; seed?: number | undefined },
    settings: LlmCallSettings,
    load: (signal: AbortSignal | undefined, seed: number | undefined) => Promise<T>,
  ): Promise<{ value: T; cached: boolean }> {
    const responses = this._responses;
    if (settings.cache === false || !responses) {
      this._counters.cacheMisses++;
      return { value: await load(settings.signal, undefined), cached: false };
    }
    const seeded = request.seed === undefined && responses.isSampling(cacheable);
    let loaded = false;
    const value = await responses.getOrCompute(
      cacheable,
      (signal) => {
        loaded = true;
        this._counters.cacheMisses++;
        return load(signal, seeded ? this._sampleSeed(responses.key(cacheable)) : undefined);
      },
      {
        ...(settings.signal ? { signal: settings.signal } : {}),
        timeoutMs: settings.timeoutMs ?? this._o.timeoutMs,
      },
    );
    if (!loaded) this._counters.cacheHits++;
    return { value: value as T, cached: !loaded };
  }

  /** Seed of the next computed sample of `key`: a hash of (seed, key, sample number). */
  private _sampleSeed(key: string): number {
    const n = this._computed.get(key) ?? 0;
    this._computed.delete(key);
    if (this._computed.size >= this._o.maxSampleKeys) {
      const oldest = this._computed.keys().next().value;
      if (oldest !== undefined) this._computed.delete(oldest);
    }
    this._computed.set(key, n + 1);
    let h = (this._o.seed ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
    return h & 0x7fffffff;
  }

  private _estimate(request: LlmRequest): number {
    let n = 3;
    for (const m of request.messages) n += 4 + countTokens(m.content);
    return n + (request.maxTokens ?? this._o.defaultOutputTokens);
  }

  private async _chat(
    request: LlmRequest,
    settings: LlmCallSettings,
    signal: AbortSignal | undefined,
  ): Promise<LlmResponse> {
    return this._run(
      'chat',
      request.model,
      async (s) => {
        const r = await this.provider.complete(request, { signal: s });
        return { value: r, usage: r.usage, headers: rateLimitHeaders(r.rateLimit) };
      },
      this._estimate(request),
      settings,
      signal,
      request,
    );
  }

  /** queue -> rate limits -> concurrency -> attempts, inside one GenAI client span. */
  private async _run<T extends { usage: LlmUsage; model?: string; id?: string }>(
    operation: 'chat' | 'text_completion' | 'embeddings',
    model: string,
    attempt: (signal: AbortSignal) => Promise<Attempt<T>>,
    tokens: number,
    settings: LlmCallSettings,
    signal: AbortSignal | undefined,
    request: LlmRequest | undefined,
  ): Promise<T> {
    const attributes: Attributes = {
      'gen_ai.operation.name': operation,
      'gen_ai.provider.name': this.provider.name,
      'gen_ai.request.model': model,
    };
    if (request) {
      if (request.temperature !== undefined) attributes['gen_ai.request.temperature'] = request.temperature;
      if (request.topP !== undefined) attributes['gen_ai.request.top_p'] = request.topP;
      if (request.maxTokens !== undefined) attributes['gen_ai.request.max_tokens'] = request.maxTokens;
      if (request.seed !== undefined) attributes['gen_ai.request.seed'] = request.seed;
      if (request.n !== undefined) attributes['gen_ai.request.choice.count'] = request.n;
    }
    const span: Span = this._tracer.startSpan(`${operation} ${model}`, { kind: SpanKind.CLIENT, attributes });
    if (this._o.recordContent && request) {
      span.setAttribute('gen_ai.input.messages', JSON.stringify(request.messages));
    }
    const started = performance.now();
    let attempts = 0;
    try {
      const result = await this.runner.run(
        async (ctx) => {
          attempts = ctx.attempt;
          this._counters.providerCalls++;
          return attempt(ctx.signal);
        },
        {
          priority: settings.priority ?? 1,
          tokens,
          ...(settings.key !== undefined ? { key: settings.key } : {}),
          ...(signal ? { signal } : {}),
          ...(settings.timeoutMs !== undefined ? { timeout: settings.timeoutMs } : {}),
        },
      );
      const value = result.value;
      const usage = value.usage;
      const u = (this._usage[model] ??= { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
      u.calls++;
      u.inputTokens += usage.inputTokens;
      u.outputTokens += usage.outputTokens;
      const price = this._o.prices[model];
      if (price) u.costUsd += (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1e6;
      span.setAttributes({
        'gen_ai.usage.input_tokens': usage.inputTokens,
        'gen_ai.usage.output_tokens': usage.outputTokens,
        'hp.llm.attempts': attempts,
      });
      if (value.model) span.setAttribute('gen_ai.response.model', value.model);
      if (value.id) span.setAttribute('gen_ai.response.id', value.id);
      const choices = (value as unknown as Partial<LlmResponse>).choices;
      if (choices) {
        span.setAttribute(
          'gen_ai.response.finish_reasons',
          choices.map((c) => c.finishReason),
        );
        if (this._o.recordContent) span.setAttribute('gen_ai.output.messages', JSON.stringify(choices));
      }
      const metricAttributes: Attributes = { ...attributes };
      if (value.model) metricAttributes['gen_ai.response.model'] = value.model;
      this._metrics.duration.record((performance.now() - started) / 1000, metricAttributes);
      this._metrics.tokenUsage.record(usage.inputTokens, {
        ...metricAttributes,
        'gen_ai.token.type': 'input',
      });
      this._metrics.tokenUsage.record(usage.outputTokens, {
        ...metricAttributes,
        'gen_ai.token.type': 'output',
      });
      return value;
    } catch (err) {
      const e = toLlmError(err, `${this.provider.name} ${operation} ${model}`);
      span.setAttribute('error.type', e.code);
      span.setAttribute('hp.llm.attempts', attempts);
      span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
      this._metrics.duration.record((performance.now() - started) / 1000, {
        ...attributes,
        'error.type': e.code,
      });
      throw e;
    } finally {
      span.end();
      this._kickBatches();
    }
  }

  private _fail(err: unknown, what: string): LlmError {
    const e = toLlmError(err, what);
    this._counters.errors[e.code] = (this._counters.errors[e.code] ?? 0) + 1;
    return e;
  }

  private _checkOpen(): void {
    if (this._closed) throw new LlmError('CLOSED', 'The LLM client is closed. Create a new client.', false);
  }

  /** Counters, usage and cost per model. */
  stats(): LlmClientStats {
    const usage: Record<string, ModelUsage> = {};
    let total = 0;
    for (const [model, u] of Object.entries(this._usage)) {
      usage[model] = { ...u };
      total += u.costUsd;
    }
    return { ...this._counters, errors: { ...this._counters.errors }, usage, totalCostUsd: total };
  }

  /**
   * Settles every pending call (CLOSED / cancelled), clears every timer, closes the cache it created and
   * releases the provider's keep-alive pool (closed when no other client uses it). The provider itself stays
   * usable (it may be shared); `client.provider.close()` closes it for good.
   */
  async close(): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    if (this._kick !== undefined) clearImmediate(this._kick);
    this._kick = undefined;
    this._textBatcher?.close();
    this._embedBatcher?.close();
    await this.runner.close();
    if (this._ownsCache) await this.cache?.close();
    await this._releasePool?.();
    this._unregister();
  }
}

/** A single-consumer async channel (bounded by the provider's stream, which it mirrors). */
class Channel<T> {
  private readonly _items: T[] = [];
  private _waiter: ((v: IteratorResult<T, LlmResponse>) => void) | undefined;
  private _failWaiter: ((e: unknown) => void) | undefined;
  private _end: LlmResponse | undefined;
  private _error: unknown;
  finished = false;

  push(item: T): void {
    if (this._waiter) {
      const w = this._waiter;
      this._waiter = this._failWaiter = undefined;
      w({ done: false, value: item });
    } else this._items.push(item);
  }

  end(response: LlmResponse): void {
    this._end = response;
    this.finished = true;
    this._wake();
  }

  fail(error: unknown): void {
    this._error = error;
    this.finished = true;
    this._wake();
  }

  private _wake(): void {
    if (!this._waiter) return;
    if (this._items.length > 0) return;
    const w = this._waiter;
    const f = this._failWaiter!;
    this._waiter = this._failWaiter = undefined;
    if (this._error !== undefined) f(this._error);
    else w({ done: true, value: this._end! });
  }

  next(): Promise<IteratorResult<T, LlmResponse>> {
    if (this._items.length > 0) return Promise.resolve({ done: false, value: this._items.shift()! });
    if (this._error !== undefined) return Promise.reject(this._error);
    if (this._end) return Promise.resolve({ done: true, value: this._end });
    return new Promise((resolve, reject) => {
      this._waiter = resolve;
      this._failWaiter = reject;
    });
  }
}

/** An LlmClient; see LlmClientOptions. */
export function createLlmClient(options: LlmClientOptions): LlmClient {
  return new LlmClient(options);
}

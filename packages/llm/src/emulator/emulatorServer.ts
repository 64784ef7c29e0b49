/**
 * An OpenAI-compatible HTTP server for development, tests and benchmarks (no API key, no network).
 * Hand-written on node:http: the point is full control over latency, limits and faults, which no mock library
 * offers, and the wire format is small (JSON bodies and server-sent events).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';
import {
  type Answer,
  type AnswerMessage,
  type AnswerTool,
  type AnswerToolChoice,
  generateAnswer,
} from './answer.js';
import { embeddingVector } from './embeddingVector.js';
import {
  type EmulatorOptions,
  type EmulatorReconfiguration,
  FAULT_KINDS,
  type FaultKind,
  type LatencyOptions,
  parseEmulatorOptions,
  parseEmulatorReconfiguration,
  type ResolvedEmulatorOptions,
} from './emulatorOptions.js';
import { DueScheduler } from './dueScheduler.js';
import { FaultInjector } from './faultInjector.js';
import { LatenessHistogram, type LatenessSummary } from './latenessHistogram.js';
import { PreciseWaker } from './preciseWaker.js';
import { type LatencyPlan, LatencyModel } from './latencyModel.js';
import { hashParts } from './random.js';
import { type Clock, EmulatorRateLimiter } from './rateLimiter.js';
import { countChatTokens, countTokens, splitTokens, truncateToTokens } from './tokenizer.js';

/** Counters of everything the emulator served. */
export interface EmulatorStats {
  /** Requests received (every route). */
  requests: number;
  /** Requests by route, e.g. `{ 'POST /v1/chat/completions': 12 }`. */
  byRoute: Record<string, number>;
  /** Responses by HTTP status, e.g. `{ '200': 10, '429': 2 }` (resets have no status: see `faults.reset`). */
  byStatus: Record<string, number>;
  /** Prompts or embedding inputs carried by the requests (a batch of 8 counts 8). */
  prompts: number;
  inputTokens: number;
  outputTokens: number;
  /** 429s from the rate limits (not counting injected ones, which are in `faults.http429`). */
  rateLimited: number;
  faults: Record<FaultKind, number>;
  inFlight: number;
  maxInFlight: number;
  /** TCP connections accepted (keep-alive reuse shows as connections much lower than requests). */
  connections: number;
  /** Connections open now, and the most open at once. */
  openConnections: number;
  maxOpenConnections: number;
  /**
   * How late answers, first tokens, stream steps and injected faults were released past their modelled due
   * time (never early). With `preciseTimers` a fraction of a millisecond; with plain timers 0.5-1 ms.
   */
  lateness: LatenessSummary;
}

export interface Emulator {
  /** Base URL to give an OpenAI client, e.g. `http://127.0.0.1:43123/v1`. */
  readonly url: string;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly port: number;
  readonly options: Readonly<ResolvedEmulatorOptions>;
  /** Number of requests received so far (request numbers are 1-based; with the seed they replay faults). */
  readonly requestCount: number;
  stats(): EmulatorStats;
  resetStats(): void;
  /**
   * Changes latency and rate limits while the emulator runs (to emulate a provider whose conditions shift):
   * requests accepted from then on use the new latency; the rate-limit buckets keep their fill fraction.
   * `options` shows the new values. Throws LlmOptionsError on an invalid change (nothing is changed then).
   */
  reconfigure(changes: EmulatorReconfiguration): void;
  /** Stops listening, destroys every connection and clears every timer. */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly param: string | null = null,
    readonly errorCode: string | null = null,
  ) {
    super(message);
  }
}

interface RequestContext {
  number: number;
  req: IncomingMessage;
  res: ServerResponse;
  closed: boolean;
  headers: Record<string, string>;
  startedAt: number;
  /** performance.now() when the request arrived: modelled latency counts from here. */
  arrivedAt: number;
}

interface ChoiceOut {
  index: number;
  content: string | null;
  toolCalls?: { id: string; name: string; arguments: string }[] | undefined;
  finishReason: 'stop' | 'length' | 'tool_calls';
  completionTokens: number;
}

interface Job {
  kind: 'chat' | 'completion' | 'embedding';
  model: string;
  stream: boolean;
  includeUsage: boolean;
  promptTokens: number;
  prompts: number;
  choices: ChoiceOut[];
  /** Embeddings only. */
  body?: unknown;
}

const SYSTEM_FINGERPRINT = 'fp_hp_emulator';

function newStats(): EmulatorStats {
  return {
    requests: 0,
    byRoute: {},
    byStatus: {},
    prompts: 0,
    inputTokens: 0,
    outputTokens: 0,
    rateLimited: 0,
    faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
    inFlight: 0,
    maxInFlight: 0,
    connections: 0,
    openConnections: 0,
    maxOpenConnections: 0,
    lateness: { releases: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, maxMs: 0 },
  };
}

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => {
        if (typeof part === 'string') return part;
        if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') {
          return (part as { text: string }).text;
        }
        return '';
      })
      .join('\n');
  }
  return '';
}

function asInt(value: unknown, param: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new HttpError(
      400,
      `Invalid '${param}': expected an integer between ${min} and ${max}.`,
      undefined,
      param,
    );
  }
  return value;
}

function applyStop(text: string, stop: unknown): { text: string; stopped: boolean } {
  const stops =
    typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop.filter((s) => typeof s === 'string') : [];
  let cut = -1;
  for (const s of stops as string[]) {
    if (!s) continue;
    const i = text.indexOf(s);
    if (i >= 0 && (cut < 0 || i < cut)) cut = i;
  }
  return cut >= 0 ? { text: text.slice(0, cut), stopped: true } : { text, stopped: false };
}

function finishAnswer(
  answer: Answer,
  index: number,
  maxTokens: number | undefined,
  stop: unknown,
): ChoiceOut {
  if (answer.toolCalls && answer.toolCalls.length > 0) {
    const call = answer.toolCalls[0]!;
    const nameTokens = countTokens(call.name);
    let args = call.arguments;
    let finishReason: ChoiceOut['finishReason'] = 'tool_calls';
    if (maxTokens !== undefined && nameTokens + countTokens(args) > maxTokens) {
      args = truncateToTokens(args, Math.max(0, maxTokens - nameTokens)).text;
      finishReason = 'length';
    }
    return {
      index,
      content: null,
      toolCalls: [{ ...call, arguments: args }],
      finishReason,
      completionTokens: nameTokens + countTokens(args),
    };
  }
  let text = answer.content ?? '';
  let finishReason: ChoiceOut['finishReason'] = 'stop';
  if (maxTokens !== undefined) {
    const cut = truncateToTokens(text, maxTokens);
    if (cut.truncated) {
      text = cut.text;
      finishReason = 'length';
    }
  }
  const stopped = applyStop(text, stop);
  if (stopped.stopped) {
    text = stopped.text;
    finishReason = 'stop';
  }
  return { index, content: text, finishReason, completionTokens: countTokens(text) };
}

function normalizeMessages(raw: unknown): AnswerMessage[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new HttpError(
      400,
      "Invalid 'messages': expected a non-empty array of messages.",
      undefined,
      'messages',
    );
  }
  return raw.map((m: unknown, i) => {
    if (!m || typeof m !== 'object' || typeof (m as { role?: unknown }).role !== 'string') {
      throw new HttpError(
        400,
        `Invalid 'messages[${i}]': expected an object with a role.`,
        undefined,
        `messages[${i}]`,
      );
    }
    const msg = m as { role: string; content?: unknown; name?: unknown; tool_calls?: unknown };
    let content = messageText(msg.content);
    if (!content && msg.tool_calls) content = JSON.stringify(msg.tool_calls);
    const out: AnswerMessage = { role: msg.role, content };
    if (typeof msg.name === 'string') out.name = msg.name;
    return out;
  });
}

function normalizeTools(raw: unknown): AnswerTool[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  return raw
    .map((t: unknown) => {
      const fn = (t as { function?: { name?: unknown; description?: unknown; parameters?: unknown } })
        .function;
      if (!fn || typeof fn.name !== 'string') return undefined;
      const tool: AnswerTool = { name: fn.name };
      if (typeof fn.description === 'string') tool.description = fn.description;
      if (fn.parameters !== undefined) tool.parameters = fn.parameters;
      return tool;
    })
    .filter((t): t is AnswerTool => t !== undefined);
}

function normalizeToolChoice(raw: unknown): AnswerToolChoice | undefined {
  if (raw === 'none' || raw === 'auto' || raw === 'required') return raw;
  if (raw && typeof raw === 'object') {
    const name = (raw as { function?: { name?: unknown } }).function?.name;
    if (typeof name === 'string') return { name };
  }
  return undefined;
}

function normalizeResponseFormat(
  raw: unknown,
): { type: 'text' | 'json_object' | 'json_schema'; schema?: unknown } | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const f = raw as { type?: unknown; json_schema?: { schema?: unknown } };
  if (f.type === 'json_object') return { type: 'json_object' };
  if (f.type === 'json_schema') return { type: 'json_schema', schema: f.json_schema?.schema };
  return undefined;
}

function promptList(raw: unknown, param: string): { text: string; tokens: number }[] {
  if (typeof raw === 'string') return [{ text: raw, tokens: countTokens(raw) }];
  if (Array.isArray(raw) && raw.length > 0) {
    if (raw.every((x) => typeof x === 'number')) return [{ text: raw.join(' '), tokens: raw.length }];
    return raw.map((p: unknown) => {
      if (typeof p === 'string') return { text: p, tokens: countTokens(p) };
      if (Array.isArray(p) && p.every((x) => typeof x === 'number'))
        return { text: p.join(' '), tokens: p.length };
      throw new HttpError(
        400,
        `Invalid '${param}': expected strings or arrays of token ids.`,
        undefined,
        param,
      );
    });
  }
  throw new HttpError(400, `Invalid '${param}': expected a string or a non-empty array.`, undefined, param);
}

class EmulatorServer implements Emulator {
  options: ResolvedEmulatorOptions;
  private readonly _server: Server;
  private readonly _clock: Clock;
  private readonly _latency: LatencyModel;
  private readonly _limiter: EmulatorRateLimiter;
  private readonly _faults: FaultInjector;
  private readonly _live = new Set<RequestContext>();
  private readonly _scheduler: DueScheduler;
  private readonly _waker: PreciseWaker | undefined;
  private readonly _lateness = new LatenessHistogram();
  private _stats = newStats();
  private _counter = 0;
  private _port = 0;
  private _closing: Promise<void> | undefined;

  constructor(options: ResolvedEmulatorOptions) {
    this.options = options;
    this._clock = options.clock ?? { now: () => Date.now() };
    this._latency = new LatencyModel(options.latency, options.seed, options.timeScale);
    this._limiter = new EmulatorRateLimiter(
      { rpm: options.rpm, tpm: options.tpm },
      60_000 * options.timeScale,
      this._clock,
    );
    this._faults = new FaultInjector(options.faults, options.seed);
    this._waker = options.preciseTimers ? new PreciseWaker() : undefined;
    // the waker is set 0.25 ms early: its thread's wake-up and message take ~0.3 ms (see DueScheduler)
    this._scheduler = this._waker ? new DueScheduler(0.25, this._waker.host()) : new DueScheduler(0);
    this._server = createServer((req, res) => this._handle(req, res));
    this._server.keepAliveTimeout = 30_000;
    this._server.headersTimeout = 35_000;
    this._server.on('connection', (socket: Socket) => {
      const s = this._stats;
      s.connections++;
      s.openConnections++;
      if (s.openConnections > s.maxOpenConnections) s.maxOpenConnections = s.openConnections;
      // counted on the stats object of its time: a reset keeps the open ones (carried over below)
      socket.once('close', () => this._stats.openConnections--);
    });
  }

  reconfigure(changes: EmulatorReconfiguration): void {
    const c = parseEmulatorReconfiguration(changes);
    const latency = { ...this.options.latency };
    for (const [key, value] of Object.entries(c.latency ?? {})) {
      if (value !== undefined) latency[key as keyof LatencyOptions] = value;
    }
    const next: ResolvedEmulatorOptions = { ...this.options, latency };
    if (c.rpm !== undefined) next.rpm = c.rpm ?? undefined;
    if (c.tpm !== undefined) next.tpm = c.tpm ?? undefined;
    this._latency.setOptions(latency);
    this._limiter.setLimits({ rpm: c.rpm, tpm: c.tpm }, c.rateLimitFill);
    this.options = next;
  }

  get url(): string {
    return `${this.origin}/v1`;
  }

  get origin(): string {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `http://${host}:${this._port}`;
  }

  get port(): number {
    return this._port;
  }

  get requestCount(): number {
    return this._counter;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this._server.once('error', onError);
      this._server.listen(this.options.port, this.options.host, () => {
        this._server.off('error', onError);
        resolve();
      });
    });
    this._port = (this._server.address() as AddressInfo).port;
    // with modelled latency, the waker's thread is started now, not on the first answer (which would be late
    // by its start-up)
    if (this._waker && this.options.timeScale > 0) await this._waker.start();
  }

  stats(): EmulatorStats {
    const stats = structuredClone(this._stats);
    stats.lateness = this._lateness.summary();
    return stats;
  }

  resetStats(): void {
    const { inFlight, maxInFlight, openConnections } = this._stats;
    this._stats = newStats();
    this._stats.inFlight = inFlight;
    this._stats.maxInFlight = maxInFlight;
    this._stats.openConnections = openConnections;
    this._stats.maxOpenConnections = openConnections;
    this._lateness.reset();
  }

  close(): Promise<void> {
    this._closing ??= new Promise<void>((resolve) => {
      for (const ctx of this._live) this._finish(ctx);
      this._scheduler.clear();
      const stopped = this._waker?.close();
      this._server.close(() => void Promise.resolve(stopped).then(() => resolve()));
      this._server.closeAllConnections();
    });
    return this._closing;
  }

  // ---------------------------------------------------------------------------------------------------------

  private _handle(req: IncomingMessage, res: ServerResponse): void {
    const number = ++this._counter;
    const ctx: RequestContext = {
      number,
      req,
      res,
      closed: false,
      headers: {
        'x-request-id': `req_emu_${this.options.seed}_${number}`,
        'x-emulator-request-number': String(number),
      },
      startedAt: this._clock.now(),
      arrivedAt: performance.now(),
    };
    this._live.add(ctx);
    const s = this._stats;
    s.requests++;
    s.inFlight++;
    if (s.inFlight > s.maxInFlight) s.maxInFlight = s.inFlight;
    res.on('close', () => this._finish(ctx));

    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    const route = `${req.method ?? 'GET'} ${path.startsWith('/v1/models/') ? '/v1/models/:id' : path}`;
    s.byRoute[route] = (s.byRoute[route] ?? 0) + 1;

    try {
      if (req.method === 'GET') {
        if (path === '/v1/models') return this._sendJson(ctx, 200, this._modelList());
        if (path.startsWith('/v1/models/')) {
          const id = decodeURIComponent(path.slice('/v1/models/'.length));
          return this._sendJson(ctx, 200, this._model(id));
        }
        if (path === '/emulator/stats') return this._sendJson(ctx, 200, this.stats());
        if (path === '' || path === '/health' || path === '/v1')
          return this._sendJson(ctx, 200, { ok: true });
      }
      if (req.method === 'POST') {
        if (path === '/v1/chat/completions') return this._readBody(ctx, (b) => this._chatJob(b));
        if (path === '/v1/completions') return this._readBody(ctx, (b) => this._completionJob(b));
        if (path === '/v1/embeddings') return this._readBody(ctx, (b) => this._embeddingJob(b));
      }
      throw new HttpError(
        404,
        `Unknown route ${req.method} ${path}. The emulator serves GET /v1/models, POST /v1/chat/completions, /v1/completions and /v1/embeddings.`,
        'invalid_request_error',
        null,
        'unknown_url',
      );
    } catch (err) {
      this._sendError(ctx, err);
    }
  }

  private _finish(ctx: RequestContext): void {
    if (ctx.closed) return;
    ctx.closed = true;
    this._live.delete(ctx);
    this._stats.inFlight--;
    if (!ctx.res.writableEnded) ctx.res.destroy();
  }

  /**
   * Runs `fn` `ms` after the request arrived, never sooner: the time spent reading and parsing the request is
   * part of the modelled latency, not added to it (ms <= 0: now, synchronously).
   */
  private _afterArrival(ctx: RequestContext, ms: number, fn: () => void): void {
    if (ms <= 0) {
      if (!ctx.closed) fn();
      return;
    }
    this._at(ctx, ctx.arrivedAt + ms, fn);
  }

  /** Runs `fn` when performance.now() reaches `due` (never sooner; see DueScheduler), unless ctx closed. */
  private _at(ctx: RequestContext, due: number, fn: () => void): void {
    if (ctx.closed) return;
    this._scheduler.at(due, (lateMs) => {
      if (ctx.closed) return;
      this._lateness.record(lateMs);
      fn();
    });
  }

  private _readBody(ctx: RequestContext, makeJob: (body: Record<string, unknown>) => Job): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    ctx.req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > this.options.maxBodyBytes) {
        tooLarge = true;
        this._sendError(
          ctx,
          new HttpError(
            413,
            `Request body larger than ${this.options.maxBodyBytes} bytes; send fewer or shorter prompts.`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    ctx.req.on('end', () => {
      if (tooLarge || ctx.closed) return;
      try {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          throw new HttpError(400, 'The request body is not valid JSON.');
        }
        if (!body || typeof body !== 'object' || Array.isArray(body)) {
          throw new HttpError(400, 'The request body must be a JSON object.');
        }
        const job = makeJob(body as Record<string, unknown>);
        this._run(ctx, job);
      } catch (err) {
        this._sendError(ctx, err);
      }
    });
    ctx.req.on('error', () => this._finish(ctx));
  }

  // --- jobs ----------------------------------------------------------------------------------------------------

  private _model(id: string): Record<string, unknown> {
    return { id, object: 'model', created: 1_700_000_000, owned_by: 'hp-emulator' };
  }

  private _modelList(): Record<string, unknown> {
    return { object: 'list', data: this.options.models.map((id) => this._model(id)) };
  }

  private _commonSampling(body: Record<string, unknown>): {
    model: string;
    n: number;
    seed: number;
    temperature: number;
  } {
    if (typeof body.model !== 'string' || body.model.length === 0) {
      throw new HttpError(400, 'You must provide a model parameter.', undefined, 'model');
    }
    const n = asInt(body.n, 'n', 1, this.options.maxBatch) ?? 1;
    const seed =
      asInt(body.seed, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) ?? this.options.seed;
    const temperature = body.temperature ?? 1;
    if (typeof temperature !== 'number' || temperature < 0 || temperature > 2) {
      throw new HttpError(
        400,
        "Invalid 'temperature': expected a number between 0 and 2.",
        undefined,
        'temperature',
      );
    }
    return { model: body.model, n, seed, temperature };
  }

  private _chatJob(body: Record<string, unknown>): Job {
    const { model, n, seed, temperature } = this._commonSampling(body);
    const messages = normalizeMessages(body.messages);
    const tools = normalizeTools(body.tools);
    const toolChoice = normalizeToolChoice(body.tool_choice);
    const responseFormat = normalizeResponseFormat(body.response_format);
    const maxTokens = asInt(body.max_completion_tokens ?? body.max_tokens, 'max_tokens', 1, 1_000_000);
    let promptTokens = countChatTokens(messages);
    if (tools) promptTokens += countTokens(JSON.stringify(body.tools));
    if (responseFormat?.schema) promptTokens += countTokens(JSON.stringify(responseFormat.schema));
    const choices: ChoiceOut[] = [];
    for (let i = 0; i < n; i++) {
      const answer = generateAnswer({
        model,
        messages,
        seed,
        temperature,
        sampleIndex: i,
        ...(responseFormat ? { responseFormat } : {}),
        ...(tools ? { tools } : {}),
        ...(toolChoice ? { toolChoice } : {}),
      });
      choices.push(finishAnswer(answer, i, maxTokens, body.stop));
    }
    const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
    return {
      kind: 'chat',
      model,
      stream: body.stream === true,
      includeUsage: streamOptions?.include_usage === true,
      promptTokens,
      prompts: 1,
      choices,
    };
  }

  private _completionJob(body: Record<string, unknown>): Job {
    const { model, n, seed, temperature } = this._commonSampling(body);
    const prompts = promptList(body.prompt, 'prompt');
    if (prompts.length * n > this.options.maxBatch) {
      throw new HttpError(
        400,
        `Too many prompts: at most ${this.options.maxBatch} prompts x n per request.`,
        undefined,
        'prompt',
      );
    }
    const maxTokens =
      asInt(body.max_tokens, 'max_tokens', 1, 1_000_000) ?? this.options.completionsDefaultMaxTokens;
    const choices: ChoiceOut[] = [];
    let promptTokens = 0;
    prompts.forEach((prompt, p) => {
      promptTokens += prompt.tokens;
      for (let i = 0; i < n; i++) {
        const answer = generateAnswer({
          model,
          messages: [{ role: 'user', content: prompt.text }],
          seed,
          temperature,
          sampleIndex: i,
        });
        const choice = finishAnswer(answer, p * n + i, maxTokens, body.stop);
        if (body.echo === true) choice.content = prompt.text + (choice.content ?? '');
        choices.push(choice);
      }
    });
    const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
    return {
      kind: 'completion',
      model,
      stream: body.stream === true,
      includeUsage: streamOptions?.include_usage === true,
      promptTokens,
      prompts: prompts.length,
      choices,
    };
  }

  private _embeddingJob(body: Record<string, unknown>): Job {
    if (typeof body.model !== 'string' || body.model.length === 0) {
      throw new HttpError(400, 'You must provide a model parameter.', undefined, 'model');
    }
    const model = body.model;
    const inputs = promptList(body.input, 'input');
    if (inputs.length > this.options.maxBatch) {
      throw new HttpError(
        400,
        `Too many inputs: at most ${this.options.maxBatch} per request.`,
        undefined,
        'input',
      );
    }
    const defaultDims = /large/.test(model) ? 3072 : this.options.embeddingDimensions;
    const dimensions = asInt(body.dimensions, 'dimensions', 1, 8192) ?? defaultDims;
    const base64 = body.encoding_format === 'base64';
    let promptTokens = 0;
    const data = inputs.map((input, index) => {
      promptTokens += input.tokens;
      const vector = embeddingVector(model, input.text, dimensions);
      const embedding = base64
        ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64')
        : Array.from(vector);
      return { object: 'embedding', index, embedding };
    });
    return {
      kind: 'embedding',
      model,
      stream: false,
      includeUsage: false,
      promptTokens,
      prompts: inputs.length,
      choices: [],
      body: {
        object: 'list',
        data,
        model,
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      },
    };
  }

  // --- running a job: limits, faults, latency ------------------------------------------------------------------

  private _run(ctx: RequestContext, job: Job): void {
    const completionTokens = job.choices.reduce((sum, c) => sum + c.completionTokens, 0);
    const decision = this._limiter.admit(job.promptTokens + completionTokens);
    Object.assign(ctx.headers, decision.headers);
    if (!decision.ok) {
      this._stats.rateLimited++;
      const kind = decision.limit ?? 'requests';
      if (decision.tooLarge) {
        return this._sendError(
          ctx,
          new HttpError(
            429,
            `Request too large for ${job.model} on tokens per min (TPM): Limit ${this.options.tpm}, Requested ${job.promptTokens + completionTokens}. Send fewer tokens per request.`,
            'tokens',
            null,
            'rate_limit_exceeded',
          ),
        );
      }
      this._setRetryAfter(ctx, decision.retryAfterMs);
      const seconds = Math.max(0.001, decision.retryAfterMs / 1000).toFixed(3);
      return this._sendError(
        ctx,
        new HttpError(
          429,
          `Rate limit reached for ${job.model} on ${kind} per min. Limit: ${kind === 'requests' ? this.options.rpm : this.options.tpm}. Please try again in ${seconds}s.`,
          kind,
          null,
          'rate_limit_exceeded',
        ),
      );
    }

    const fault = this._faults.decide(ctx.number, ctx.req.headers['x-emulator-fault'] as string | undefined);
    if (fault) {
      this._stats.faults[fault]++;
      ctx.headers['x-emulator-fault'] = fault;
    }
    const longest = job.choices.reduce((m, c) => Math.max(m, c.completionTokens), 0);
    const plan = this._latency.plan(
      ctx.number,
      job.promptTokens,
      longest,
      fault === 'slow' ? this.options.faults.slowFactor : 1,
    );

    if (fault === 'http500' || fault === 'http503' || fault === 'http429' || fault === 'reset') {
      return this._afterArrival(ctx, plan.ttftMs, () => {
        if (fault === 'reset') {
          ctx.req.socket.destroy();
          return;
        }
        if (fault === 'http429') {
          this._setRetryAfter(ctx, this.options.faults.retryAfterMs * this.options.timeScale);
          return this._sendError(
            ctx,
            new HttpError(
              429,
              'Rate limit reached (injected by the emulator). Please try again later.',
              'requests',
              null,
              'rate_limit_exceeded',
            ),
          );
        }
        const status = fault === 'http500' ? 500 : 503;
        this._sendError(
          ctx,
          new HttpError(
            status,
            status === 500
              ? 'The server had an error while processing your request (injected by the emulator). Retry your request.'
              : 'The engine is currently overloaded (injected by the emulator), please try again later.',
            status === 500 ? 'server_error' : 'service_unavailable',
            null,
            null,
          ),
        );
      });
    }

    this._stats.prompts += job.prompts;
    this._stats.inputTokens += job.promptTokens;
    this._stats.outputTokens += completionTokens;
    if (job.stream) return this._stream(ctx, job, plan, fault);
    // the answer is serialized before the wait, so that only writing it is left when it is due
    const text = JSON.stringify(
      job.kind === 'embedding' ? job.body : this._responseBody(ctx, job, completionTokens),
    );
    this._afterArrival(ctx, plan.totalMs, () => {
      ctx.headers['openai-processing-ms'] = String(Math.round(this._clock.now() - ctx.startedAt));
      if (fault === 'truncated' || fault === 'malformed') return this._sendBroken(ctx, text, fault);
      this._sendText(ctx, 200, text);
    });
  }

  private _setRetryAfter(ctx: RequestContext, ms: number): void {
    const wait = Math.max(0, Math.ceil(ms));
    ctx.headers['retry-after-ms'] = String(wait);
    ctx.headers['retry-after'] = String(Math.max(1, Math.ceil(wait / 1000)));
  }

  private _id(ctx: RequestContext, prefix: string): string {
    return `${prefix}-${hashParts(this.options.seed, ctx.number).toString(36)}${ctx.number.toString(36)}`;
  }

  private _responseBody(ctx: RequestContext, job: Job, completionTokens: number): Record<string, unknown> {
    const usage = {
      prompt_tokens: job.promptTokens,
      completion_tokens: completionTokens,
      total_tokens: job.promptTokens + completionTokens,
    };
    const created = Math.floor(this._clock.now() / 1000);
    if (job.kind === 'completion') {
      return {
        id: this._id(ctx, 'cmpl'),
        object: 'text_completion',
        created,
        model: job.model,
        system_fingerprint: SYSTEM_FINGERPRINT,
        choices: job.choices.map((c) => ({
          text: c.content ?? '',
          index: c.index,
          logprobs: null,
          finish_reason: c.finishReason,
        })),
        usage,
      };
    }
    return {
      id: this._id(ctx, 'chatcmpl'),
      object: 'chat.completion',
      created,
      model: job.model,
      system_fingerprint: SYSTEM_FINGERPRINT,
      choices: job.choices.map((c) => ({
        index: c.index,
        message: {
          role: 'assistant',
          content: c.content,
          refusal: null,
          ...(c.toolCalls
            ? {
                tool_calls: c.toolCalls.map((t) => ({
                  id: t.id,
                  type: 'function',
                  function: { name: t.name, arguments: t.arguments },
                })),
              }
            : {}),
        },
        logprobs: null,
        finish_reason: c.finishReason,
      })),
      usage,
    };
  }

  /** Server-sent events: the first token at ttft, then one token per choice every perTokenMs. */
  private _stream(ctx: RequestContext, job: Job, plan: LatencyPlan, fault: FaultKind | undefined): void {
    const id = this._id(ctx, job.kind === 'chat' ? 'chatcmpl' : 'cmpl');
    const created = Math.floor(this._clock.now() / 1000);
    const usageField = job.includeUsage ? { usage: null } : {};
    const chunk = (choices: unknown[]): string =>
      job.kind === 'chat'
        ? JSON.stringify({
            id,
            object: 'chat.completion.chunk',
            created,
            model: job.model,
            system_fingerprint: SYSTEM_FINGERPRINT,
            choices,
            ...usageField,
          })
        : JSON.stringify({
            id,
            object: 'text_completion',
            created,
            model: job.model,
            system_fingerprint: SYSTEM_FINGERPRINT,
            choices,
            ...usageField,
          });

    // steps[k] holds the events due at time(k)
    const steps: string[][] = [];
    const tokensByChoice = job.choices.map((c) => (c.toolCalls ? [] : splitTokens(c.content ?? '')));
    if (job.kind === 'chat') {
      steps.push(
        job.choices.map((c) =>
          chunk([
            {
              index: c.index,
              delta: c.toolCalls
                ? {
                    role: 'assistant',
                    content: null,
                    tool_calls: c.toolCalls.map((t, i) => ({
                      index: i,
                      id: t.id,
                      type: 'function',
                      function: { name: t.name, arguments: t.arguments },
                    })),
                  }
                : { role: 'assistant', content: '', refusal: null },
              logprobs: null,
              finish_reason: null,
            },
          ]),
        ),
      );
    } else {
      steps.push([]);
    }
    const longest = tokensByChoice.reduce((m, t) => Math.max(m, t.length), 0);
    for (let k = 0; k < longest; k++) {
      const events: string[] = [];
      job.choices.forEach((c, i) => {
        const token = tokensByChoice[i]![k];
        if (token === undefined) return;
        events.push(
          job.kind === 'chat'
            ? chunk([{ index: c.index, delta: { content: token }, logprobs: null, finish_reason: null }])
            : chunk([{ text: token, index: c.index, logprobs: null, finish_reason: null }]),
        );
      });
      steps.push(events);
    }
    const final = job.choices.map((c) =>
      job.kind === 'chat'
        ? chunk([{ index: c.index, delta: {}, logprobs: null, finish_reason: c.finishReason }])
        : chunk([{ text: '', index: c.index, logprobs: null, finish_reason: c.finishReason }]),
    );
    if (job.includeUsage) {
      const completionTokens = job.choices.reduce((s, c) => s + c.completionTokens, 0);
      const usage = {
        prompt_tokens: job.promptTokens,
        completion_tokens: completionTokens,
        total_tokens: job.promptTokens + completionTokens,
      };
      final.push(
        JSON.stringify({
          id,
          object: job.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion',
          created,
          model: job.model,
          system_fingerprint: SYSTEM_FINGERPRINT,
          choices: [],
          usage,
        }),
      );
    }
    steps.push(final);
    const lines = steps.map((events) => events.map((e) => `data: ${e}\n\n`).join(''));
    lines[lines.length - 1] += 'data: [DONE]\n\n';
    const breakAt =
      fault === 'truncated' || fault === 'malformed' ? Math.max(1, Math.floor(lines.length / 2)) : -1;
    const timeOf = (k: number): number => plan.ttftMs + Math.max(0, k - 1) * plan.perTokenMs;

    let next = 0;
    // step k is due timeOf(k) after the request arrived, like the first token
    const pump = (): void => {
      if (ctx.closed) return;
      if (next === 0) {
        ctx.headers['openai-processing-ms'] = String(Math.round(plan.ttftMs));
        this._count(200);
        ctx.res.writeHead(200, {
          ...ctx.headers,
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
        });
      }
      const elapsed = performance.now() - ctx.arrivedAt;
      let out = '';
      while (next < lines.length && (next === 0 || timeOf(next) <= elapsed)) {
        if (next === breakAt) {
          if (fault === 'truncated') {
            ctx.res.write(out + lines[next]!.slice(0, Math.floor(lines[next]!.length / 2)), () =>
              ctx.req.socket.destroy(),
            );
            return;
          }
          out += 'data: {"id": "malformed-by-emulator", "choices": [\n\n';
        }
        out += lines[next]!;
        next++;
      }
      if (out) ctx.res.write(out);
      if (next >= lines.length) {
        ctx.res.end();
        return;
      }
      this._at(ctx, ctx.arrivedAt + timeOf(next), pump);
    };
    this._afterArrival(ctx, plan.ttftMs, pump);
  }

  // --- writing -------------------------------------------------------------------------------------------------

  private _count(status: number): void {
    const key = String(status);
    this._stats.byStatus[key] = (this._stats.byStatus[key] ?? 0) + 1;
  }

  private _sendJson(ctx: RequestContext, status: number, body: unknown): void {
    if (ctx.closed || ctx.res.headersSent) return;
    this._sendText(ctx, status, JSON.stringify(body));
  }

  private _sendText(ctx: RequestContext, status: number, text: string): void {
    if (ctx.closed || ctx.res.headersSent) return;
    this._count(status);
    ctx.res.writeHead(status, {
      ...ctx.headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    ctx.res.end(text);
  }

  private _sendBroken(ctx: RequestContext, text: string, fault: 'truncated' | 'malformed'): void {
    if (ctx.closed) return;
    this._count(200);
    if (fault === 'malformed') {
      const broken = text.slice(0, Math.floor(text.length / 2)) + '<<malformed by emulator>>';
      ctx.res.writeHead(200, {
        ...ctx.headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(broken),
      });
      ctx.res.end(broken);
      return;
    }
    ctx.res.writeHead(200, {
      ...ctx.headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    ctx.res.write(text.slice(0, Math.floor(text.length / 2)), () => ctx.req.socket.destroy());
  }

  private _sendError(ctx: RequestContext, err: unknown): void {
    const e =
      err instanceof HttpError
        ? err
        : new HttpError(500, `Emulator error: ${(err as Error)?.message ?? String(err)}`, 'server_error');
    this._sendJson(ctx, e.status, {
      error: { message: e.message, type: e.type, param: e.param, code: e.errorCode },
    });
  }
}

/** Starts an emulator (port 0 picks a free port). Close it with `await emu.close()`. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const server = new EmulatorServer(parseEmulatorOptions(options));
  await server.listen();
  return server;
}

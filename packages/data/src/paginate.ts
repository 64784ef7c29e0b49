import { z } from 'zod';
import { AdaptiveChunkSize, adaptiveChunkSizeSchema } from './adaptiveChunkSize.js';
import { type Codec } from './codec.js';
import { checkAborted } from './compressor.js';
import { DataFormatError } from './dataFormatError.js';
import { parseOptions } from './options.js';
import { type CodecName, getCodec, codecChoice } from './registry.js';

/** A cursor-based source: returns up to `limit` items after `cursor` and the cursor after them (null at the end). */
export type CursorFetch<T, C> = (
  cursor: C | undefined,
  limit: number,
  signal: AbortSignal | undefined,
) => Promise<{ items: T[]; nextCursor?: C | null | undefined }>;

export interface PaginateOptions<C = unknown> {
  /** Aim for pages whose encoded size is about this many bytes. Default (when no target is set): 1 MiB. */
  targetBytes?: number;
  /** Aim for page fetches that take about this long (clock below). */
  targetLatencyMs?: number;
  /** First page size; default 100. */
  initialChunk?: number;
  minChunk?: number;
  maxChunk?: number;
  /** Largest change of the page size per page, as a factor; default 2. */
  maxStep?: number;
  /** Resume after this cursor (for iterables: the number of items already consumed). */
  cursor?: C;
  /** Codec that measures (and produces `page.encoded`) in the byte budget; default 'cbor'. */
  codec?: CodecName | Codec;
  /** Clock for the latency budget, in ms; default performance.now. Inject a fake one in tests. */
  clock?: () => number;
  signal?: AbortSignal;
}

export interface Page<T, C> {
  items: T[];
  /** 0-based page number in this run. */
  index: number;
  /** Page size asked for. */
  chunkSize: number;
  /** Pass as `options.cursor` to resume after this page; undefined once done. */
  cursor: C | undefined;
  /** True on the last page. */
  done: boolean;
  /** The items encoded with the codec (byte budget only) and their size (0 without a byte budget). */
  encoded: Uint8Array | undefined;
  bytes: number;
  /** How long fetching the page took, ms. */
  latencyMs: number;
}

const schema = adaptiveChunkSizeSchema.omit({ initial: true }).extend({
  initialChunk: z.number().int().min(1).default(100),
  cursor: z.unknown().optional(),
  codec: codecChoice.default('cbor'),
  clock: z
    .custom<() => number>((v) => typeof v === 'function', 'a function returning ms')
    .default(() => () => performance.now()),
  signal: z.instanceof(AbortSignal).optional(),
});

type Source<T, C> = AsyncIterable<T> | Iterable<T> | CursorFetch<T, C>;

/**
 * Turns an (async) iterable or a cursor-based fetch function into pages whose encoded size tracks
 * `targetBytes` and/or whose fetch latency tracks `targetLatencyMs`, adapting the page size as it goes
 * (see AdaptiveChunkSize). Holds one page (plus one look-ahead item for iterables); every page carries
 * the cursor to resume after it.
 */
export function paginate<T>(
  source: AsyncIterable<T> | Iterable<T>,
  options?: PaginateOptions<number>,
): AsyncGenerator<Page<T, number>, void, undefined>;
export function paginate<T, C>(
  source: CursorFetch<T, C>,
  options?: PaginateOptions<C>,
): AsyncGenerator<Page<T, C>, void, undefined>;
export async function* paginate<T, C>(
  source: Source<T, C>,
  options: PaginateOptions<C> = {},
): AsyncGenerator<Page<T, C | number>, void, undefined> {
  const opts = parseOptions('paginate', schema, options);
  const targetBytes = opts.targetBytes ?? (opts.targetLatencyMs === undefined ? 1024 * 1024 : undefined);
  const controller = new AdaptiveChunkSize({
    initial: opts.initialChunk,
    minChunk: opts.minChunk,
    maxChunk: opts.maxChunk,
    maxStep: opts.maxStep,
    targetBytes,
    targetLatencyMs: opts.targetLatencyMs,
  });
  const codec = getCodec(opts.codec);
  const { clock, signal } = opts;
  const pull =
    typeof source === 'function'
      ? fromFetch(source, opts.cursor as C | undefined)
      : fromIterable(source, opts.cursor);
  try {
    for (let index = 0; ; index++) {
      checkAborted(signal);
      const chunkSize = controller.size;
      const started = clock();
      const { items, cursor, done } = await pull.next(chunkSize, signal);
      const latencyMs = Math.max(0, clock() - started);
      if (items.length === 0) return;
      const encoded = targetBytes === undefined ? undefined : codec.encode(items);
      const bytes = encoded?.length ?? 0;
      controller.observe({ items: items.length, bytes, latencyMs });
      yield { items, index, chunkSize, cursor: done ? undefined : cursor, done, encoded, bytes, latencyMs };
      if (done) return;
    }
  } finally {
    await pull.close();
  }
}

interface Puller<T, C> {
  next(
    limit: number,
    signal: AbortSignal | undefined,
  ): Promise<{ items: T[]; cursor: C | undefined; done: boolean }>;
  close(): Promise<void>;
}

function fromFetch<T, C>(fetch: CursorFetch<T, C>, start: C | undefined): Puller<T, C> {
  let cursor = start;
  return {
    async next(limit, signal) {
      const result = await fetch(cursor, limit, signal);
      if (!result || !Array.isArray(result.items)) {
        throw new DataFormatError(
          'DECODE_FAILED',
          'paginate: the fetch function must resolve to { items: [], nextCursor }',
        );
      }
      if (result.items.length > limit) {
        throw new DataFormatError(
          'TOO_LARGE',
          `paginate: the fetch function returned ${result.items.length} items when asked for ${limit}; honour the limit`,
        );
      }
      cursor = result.nextCursor ?? undefined;
      return { items: result.items, cursor, done: result.nextCursor == null };
    },
    async close() {},
  };
}

function fromIterable<T>(iterable: AsyncIterable<T> | Iterable<T>, start: unknown): Puller<T, number> {
  const skip = start === undefined ? 0 : Number(start);
  if (!Number.isSafeInteger(skip) || skip < 0) {
    throw new DataFormatError(
      'INVALID_OPTIONS',
      'paginate: invalid option "cursor": for an iterable, the count of items to skip',
    );
  }
  const iterator: AsyncIterator<T> | Iterator<T> =
    Symbol.asyncIterator in iterable ? iterable[Symbol.asyncIterator]() : iterable[Symbol.iterator]();
  let consumed = 0;
  let skipped = false;
  let finished = false;
  let lookahead: { value: T } | undefined;
  const read = async (): Promise<{ value: T } | undefined> => {
    if (lookahead) {
      const held = lookahead;
      lookahead = undefined;
      return held;
    }
    if (finished) return undefined;
    const r = await iterator.next();
    if (r.done) {
      finished = true;
      return undefined;
    }
    return { value: r.value };
  };
  return {
    async next(limit, signal) {
      if (!skipped) {
        for (; consumed < skip; consumed++) if (!(await read())) break;
        skipped = true;
      }
      const items: T[] = [];
      while (items.length < limit) {
        const r = await read();
        if (!r) break;
        items.push(r.value);
        if (items.length % 1024 === 0) checkAborted(signal);
      }
      consumed += items.length;
      if (items.length === limit) lookahead = await read();
      return { items, cursor: consumed, done: lookahead === undefined };
    },
    async close() {
      if (!finished) {
        finished = true;
        await iterator.return?.();
      }
    },
  };
}

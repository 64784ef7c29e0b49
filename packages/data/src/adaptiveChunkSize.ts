import { z } from 'zod';
import { parseOptions } from './options.js';

export interface AdaptiveChunkSizeOptions {
  /** First chunk size; default 100. */
  initial?: number;
  /** Bounds of the chunk size; defaults 1 and 10,000. */
  minChunk?: number;
  maxChunk?: number;
  /** Aim for pages whose encoded size is about this many bytes. */
  targetBytes?: number;
  /** Aim for fetches that take about this long. */
  targetLatencyMs?: number;
  /** Largest change per observation, as a factor (x or /); default 2. Damps oscillation. */
  maxStep?: number;
}

export const adaptiveChunkSizeSchema = z.object({
  initial: z.number().int().min(1).default(100),
  minChunk: z.number().int().min(1).default(1),
  maxChunk: z.number().int().min(1).max(10_000_000).default(10_000),
  targetBytes: z.number().int().positive().optional(),
  targetLatencyMs: z.number().positive().optional(),
  maxStep: z.number().min(1.01).max(100).default(2),
});

export interface ChunkObservation {
  /** Items the chunk held (may be fewer than asked). */
  items: number;
  /** Its encoded size, in bytes (byte budget). */
  bytes?: number;
  /** How long fetching it took, in ms (latency budget). */
  latencyMs?: number;
}

/**
 * The "smart pagination, adaptive chunk size" controller: after each chunk it estimates the size
 * that would have met each budget (bytes: target / smoothed bytes per item; latency: items x target /
 * observed latency, a proportional step), takes the smaller (both budgets hold), limits the change to
 * `maxStep` per chunk and clamps to [minChunk, maxChunk].
 */
export class AdaptiveChunkSize {
  private _size: number;
  private _bytesPerItem: number | undefined;
  private readonly _opts: z.output<typeof adaptiveChunkSizeSchema>;

  constructor(options: AdaptiveChunkSizeOptions = {}) {
    this._opts = parseOptions('AdaptiveChunkSize', adaptiveChunkSizeSchema, options);
    if (this._opts.minChunk > this._opts.maxChunk) {
      parseOptions('AdaptiveChunkSize', z.object({ minChunk: z.number().max(this._opts.maxChunk) }), {
        minChunk: this._opts.minChunk,
      });
    }
    this._size = this._clamp(this._opts.initial);
  }

  /** The chunk size to ask for next. */
  get size(): number {
    return this._size;
  }

  /** Feeds one chunk's measurements; returns the next chunk size. */
  observe(observation: ChunkObservation): number {
    const { items, bytes, latencyMs } = observation;
    if (!(items > 0)) return this._size;
    const { targetBytes, targetLatencyMs, maxStep } = this._opts;
    let wanted = Infinity;
    if (targetBytes !== undefined && bytes !== undefined && bytes > 0) {
      const perItem = bytes / items;
      this._bytesPerItem =
        this._bytesPerItem === undefined ? perItem : 0.5 * this._bytesPerItem + 0.5 * perItem;
      wanted = Math.min(wanted, targetBytes / this._bytesPerItem);
    }
    if (targetLatencyMs !== undefined && latencyMs !== undefined) {
      wanted = Math.min(wanted, (items * targetLatencyMs) / Math.max(latencyMs, 0.001));
    }
    if (wanted === Infinity) return this._size;
    const stepped = Math.min(Math.max(wanted, this._size / maxStep), this._size * maxStep);
    this._size = this._clamp(Math.round(stepped));
    return this._size;
  }

  private _clamp(size: number): number {
    return Math.min(Math.max(size, this._opts.minChunk), this._opts.maxChunk);
  }
}

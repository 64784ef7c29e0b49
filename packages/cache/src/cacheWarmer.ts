import { decodeEnvelope, encodeEnvelope } from '@hp/data';
import { CacheError } from './cacheError.js';
import { type Level } from './levelRules.js';
import { type TieredCache } from './tieredCache.js';

/** The design sketch's warming strategies, each with the key marker of its entries. */
export const BUILTIN_WARMERS = {
  llm_responses: 'llm_response',
  agent_memories: 'agent_memory',
  state_snapshots: 'state_snapshot',
} as const;
export type BuiltinWarmer = keyof typeof BUILTIN_WARMERS;

export interface WarmContext {
  cache: TieredCache;
  signal: AbortSignal;
}
/** A warmer loads entries into the cache and returns how many. */
export type Warmer = (ctx: WarmContext) => Promise<number>;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface CacheWarmerOptions {
  cache: TieredCache;
  /** Milliseconds clock (default Date.now) used by schedules. */
  clock?: () => number;
  /** Timer functions (default: the global ones, unref'd). */
  timers?: Timers;
}

interface SnapshotEntry {
  k: string;
  v: unknown;
  /** remaining ttl in ms, 0 = none */
  t: number;
  l: Level;
}

interface Snapshot {
  format: 'hp-cache-snapshot';
  version: 1;
  entries: SnapshotEntry[];
}

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Parses a 5-field cron expression (minute hour day-of-month month day-of-week; `*`, `*\/n`, `a-b`,
 * lists) and returns the next matching minute after `from` (UTC), searching up to a year ahead.
 */
export function nextCronTime(expr: string, from: number): number {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new CacheError(
      'INVALID_OPTION',
      `cron "${expr}" must have 5 fields: minute hour day month weekday`,
    );
  }
  const ranges: Array<[number, number]> = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 6],
  ];
  const sets = fields.map((f, i) => {
    const [lo, hi] = ranges[i]!;
    const allowed = new Set<number>();
    for (const part of f.split(',')) {
      const m = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
      if (!m) throw new CacheError('INVALID_OPTION', `cron "${expr}": cannot read field "${f}"`);
      const step = m[2] ? Number(m[2]) : 1;
      let a = lo;
      let b = hi;
      if (m[1] !== '*') {
        const [x, y] = m[1]!.split('-').map(Number);
        a = x!;
        b = y ?? (m[2] ? hi : x!);
      }
      if (a < lo || b > hi || step < 1)
        throw new CacheError('INVALID_OPTION', `cron "${expr}": "${part}" is out of range`);
      for (let v = a; v <= b; v += step) allowed.add(v);
    }
    return allowed;
  });
  let t = Math.floor(from / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 366 * 24 * 60; i++, t += 60_000) {
    const d = new Date(t);
    if (
      sets[0]!.has(d.getUTCMinutes()) &&
      sets[1]!.has(d.getUTCHours()) &&
      sets[2]!.has(d.getUTCDate()) &&
      sets[3]!.has(d.getUTCMonth() + 1) &&
      sets[4]!.has(d.getUTCDay())
    ) {
      return t;
    }
  }
  throw new CacheError('INVALID_OPTION', `cron "${expr}" never fires`);
}

/**
 * Warms a TieredCache: named warmers (the sketch's three plus your own), snapshots (dump/load
 * through the @hp/data envelope: CBOR, checksummed, compressed), key lists with a loader, and
 * optional schedules (every N ms or a cron expression) on an injected clock and timers.
 */
export class CacheWarmer {
  private readonly _cache: TieredCache;
  private readonly _clock: () => number;
  private readonly _timers: Timers;
  private readonly _warmers = new Map<string, Warmer>();
  private readonly _schedules = new Set<{ handle: unknown; controller: AbortController }>();
  private _closed = false;
  /** Runs and entries warmed per warmer name; failures per name. */
  readonly runs = new Map<string, { runs: number; entries: number; failures: number }>();

  constructor(options: CacheWarmerOptions) {
    this._cache = options.cache;
    this._clock = options.clock ?? Date.now;
    this._timers = options.timers ?? defaultTimers;
  }

  /** Registers (or replaces) a named warmer, e.g. `llm_responses`. */
  register(name: string, warmer: Warmer): this {
    this._warmers.set(name, warmer);
    return this;
  }

  get names(): string[] {
    return [...this._warmers.keys()];
  }

  /** Runs one named warmer. */
  async warm(name: string, options: { signal?: AbortSignal } = {}): Promise<number> {
    const warmer = this._warmers.get(name);
    if (!warmer) {
      throw new CacheError(
        'INVALID_OPTION',
        `no warmer named "${name}"; register it first (known: ${this.names.join(', ') || 'none'})`,
      );
    }
    const stat = this.runs.get(name) ?? { runs: 0, entries: 0, failures: 0 };
    this.runs.set(name, stat);
    try {
      const n = await warmer({ cache: this._cache, signal: options.signal ?? new AbortController().signal });
      stat.runs++;
      stat.entries += n;
      return n;
    } catch (error) {
      stat.failures++;
      throw error;
    }
  }

  /** Loads the given keys through `loader` (single-flight, `concurrency` at a time); returns how many were loaded. */
  async warmFromKeys<V>(
    keys: Iterable<string>,
    loader: (key: string, signal: AbortSignal) => Promise<V>,
    options: { concurrency?: number; ttl?: number; signal?: AbortSignal } = {},
  ): Promise<number> {
    const queue = [...keys];
    let done = 0;
    const worker = async (): Promise<void> => {
      for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
        options.signal?.throwIfAborted();
        const v = await this._cache.getOrCompute(key, (signal) => loader(key, signal), {
          ttl: options.ttl,
          signal: options.signal,
        });
        if (v !== undefined && v !== null) done++;
      }
    };
    const n = Math.max(1, Math.min(options.concurrency ?? 8, 64));
    await Promise.all(Array.from({ length: n }, worker));
    return done;
  }

  /** Snapshot of the in-process tiers (optionally only one built-in warmer's keys) as an @hp/data envelope. */
  dump(options: { only?: BuiltinWarmer; filter?: (key: string) => boolean } = {}): Uint8Array {
    const marker = options.only ? BUILTIN_WARMERS[options.only] : undefined;
    const entries: SnapshotEntry[] = [];
    for (const e of this._cache.localEntries()) {
      if (marker !== undefined && !e.key.includes(marker)) continue;
      if (options.filter && !options.filter(e.key)) continue;
      entries.push({ k: e.key, v: e.value, t: Math.max(0, Math.round(e.ttl)), l: e.level });
    }
    const snapshot: Snapshot = { format: 'hp-cache-snapshot', version: 1, entries };
    return encodeEnvelope(snapshot);
  }

  /** Loads a snapshot made by dump(): entries keep their level and remaining TTL. Returns how many. */
  async load(
    bytes: Uint8Array,
    options: { signal?: AbortSignal; only?: BuiltinWarmer } = {},
  ): Promise<number> {
    let snapshot: Snapshot;
    try {
      snapshot = decodeEnvelope<Snapshot>(bytes);
    } catch (error) {
      throw new CacheError('INVALID_SNAPSHOT', 'not a cache snapshot made by CacheWarmer.dump()', {
        cause: error,
      });
    }
    if (snapshot?.format !== 'hp-cache-snapshot' || !Array.isArray(snapshot.entries)) {
      throw new CacheError('INVALID_SNAPSHOT', 'not a cache snapshot made by CacheWarmer.dump()');
    }
    const marker = options.only ? BUILTIN_WARMERS[options.only] : undefined;
    let n = 0;
    for (const e of snapshot.entries) {
      options.signal?.throwIfAborted();
      if (marker !== undefined && !e.k.includes(marker)) continue;
      await this._cache.set(e.k, e.v, { ttl: e.t, level: e.l, signal: options.signal });
      n++;
    }
    return n;
  }

  /** Registers a warmer for a built-in name that loads that name's part of a snapshot. */
  registerSnapshot(name: BuiltinWarmer, snapshot: () => Promise<Uint8Array> | Uint8Array): this {
    return this.register(name, async ({ signal }) => this.load(await snapshot(), { signal, only: name }));
  }

  /** Runs a warmer every `everyMs` or at each minute matching `cron` (UTC); returns a cancel function. */
  schedule(name: string, when: { everyMs: number } | { cron: string }): () => void {
    if (this._closed) throw new CacheError('CLOSED', 'this CacheWarmer was closed');
    if ('cron' in when) nextCronTime(when.cron, this._clock()); // validate now
    if ('everyMs' in when && !(when.everyMs > 0))
      throw new CacheError('INVALID_OPTION', 'everyMs must be > 0');
    const entry = { handle: undefined as unknown, controller: new AbortController() };
    const arm = (): void => {
      if (entry.controller.signal.aborted) return;
      const now = this._clock();
      const delay = 'everyMs' in when ? when.everyMs : nextCronTime(when.cron, now) - now;
      entry.handle = this._timers.setTimeout(() => {
        this.warm(name, { signal: entry.controller.signal })
          .catch(() => undefined)
          .finally(arm);
      }, delay);
    };
    arm();
    this._schedules.add(entry);
    return () => {
      entry.controller.abort();
      this._timers.clearTimeout(entry.handle);
      this._schedules.delete(entry);
    };
  }

  /** Cancels every schedule. */
  close(): void {
    this._closed = true;
    for (const s of this._schedules) {
      s.controller.abort();
      this._timers.clearTimeout(s.handle);
    }
    this._schedules.clear();
  }
}

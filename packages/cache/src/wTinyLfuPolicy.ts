/**
 * W-TinyLFU (Einziger, Friedman, Manes), following Caffeine's BoundedLocalCache:
 * - an admission window (LRU) in front of a segmented LRU main area (probation 20% / protected 80%);
 * - entries leaving the window are admitted into main only if the count-min sketch says they are
 *   more popular than main's victim (TinyLFU admission), with Caffeine's hash-flooding guard: a
 *   warm candidate (frequency >= 6) that loses is still admitted with probability 1/128;
 * - a hill climber resizes the window every sample period in the direction that raised the hit
 *   ratio, with a decaying step.
 *
 * Departures from Caffeine's constants, chosen by replaying the ARC traces (benchmark/RESULTS.md
 * has the table, `npm run simulate` reproduces it):
 * - the window starts at 20% (Caffeine: 1%) and the climber's step (6.25% of the maximum) decays
 *   by 2% per sample without Caffeine's restart on a 5% hit-ratio change: on real traces
 *   consecutive samples differ by more than 5% from workload noise alone, and those restarts made
 *   the window wander (OLTP moved by +-0.7 points with the hash seed);
 * - the sample period is 10 x maximum accesses capped at 30,000, so large caches adapt within a
 *   trace of a few million accesses (P3 at 131,072 entries got 3 samples otherwise);
 * - a tie in estimated frequency admits the candidate when both are warm (>= 3): loops a little
 *   larger than the window then behave as in LRU instead of being rejected forever.
 * Hand-written because no JavaScript library implements W-TinyLFU; the structure is typed arrays so
 * one object serves both the cache and the trace simulator.
 */
import { type EvictionPolicy, type PolicyContext } from './evictionPolicy.js';
import { FrequencySketch } from './frequencySketch.js';

/**
 * Hot-path constants are `const enum` members: the compiler (esbuild in tsup and tsx) writes them
 * as literals. Plain module-level `const`s stay context-slot loads with a Smi check in V8's
 * optimized code (and a shift by such a constant becomes a shift by a register).
 */
const enum Region {
  WINDOW = 0,
  PROBATION = 1,
  PROTECTED = 2,
}

const PERCENT_MAIN = 0.8;
const PERCENT_MAIN_PROTECTED = 0.8;
const CLIMBER_MAX_SAMPLE = 30_000;
const HILL_CLIMBER_STEP_PERCENT = 0.0625;
const HILL_CLIMBER_STEP_DECAY_RATE = 0.98;
const enum Limit {
  ADMIT_TIE_THRESHOLD = 3,
  QUEUE_TRANSFER_THRESHOLD = 1000,
  ADMIT_HASHDOS_THRESHOLD = 6,
  READ_BUFFER_SIZE = 64,
}
/**
 * Hits held back from the sketch, counted in bits 5-7 of a record's counter hash (bits the sketch
 * never reads). A hit only needs to reach the sketch before the sketch is asked about that entry
 * or ages its counters. The held-back hits are added (`_flush`, one `addSpread`: what that many
 * single conservative increments do) when the entry leaves the window, leaves the cache (its
 * history stays for when it comes back), when `frequency()` reads it, at every eighth hit, and for
 * every entry just before the sketch halves its counters (`_flushAll`), so every hit is aged like
 * the rest. An admission reads the estimate plus the held-back count, which is exactly the
 * estimate a flush would leave (k conservative increments raise the item's minimum by k), without
 * writing: so an entry demoted from protected to probation keeps its hits in its record instead
 * of writing a random sketch line (get hits ~20% faster, benchmark/RESULTS.md). A hit then costs a
 * write to the record its move already touches instead of four counter updates in the sketch. What
 * differs from counting each hit when it happens: colliding items see the held-back hits later
 * (and conservative update then treats the shared counters differently). On the ARC traces this
 * moves W-TinyLFU's hit ratio by -1.1 to +1.9 points (RESULTS.md), still above Caffeine's on OLTP
 * and above LRU on every row.
 */
const enum Pending {
  ONE = 0x20,
  MASK = 0xe0,
  SHIFT = 5,
  /** a full field plus the hit that overflows it */
  FLUSH = 8,
}
/**
 * Hits recorded before they are applied. Like Caffeine's read buffer, a hit only appends the slot
 * here; the segment moves run in one batch when the buffer is full or before anything that
 * depends on them (an insert, a removal, an eviction, a resize, a read of the order).
 */
/**
 * Opt-in lossy reads (`lossyReads`), as Caffeine's read buffer is lossy when full: in a stretch of
 * hits with no write in between, once a full buffer has been drained the next READ_DROP hits are
 * not recorded (they still count for the hill climber). A write ends the stretch. A read-only burst
 * then applies 1 hit in (1 + READ_DROP / READ_BUFFER_SIZE). Off by default: on the ARC traces with
 * long read bursts (P3, P6 at 131,072 entries) it costs about 2 points of hit ratio.
 */
const READ_DROP = 3 * Limit.READ_BUFFER_SIZE;

export interface WTinyLfuState {
  windowMaximum: number;
  protectedMaximum: number;
  windowSize: number;
  probationSize: number;
  protectedSize: number;
  stepSize: number;
  sketchResets: number;
}

/**
 * Per-slot record in one Int32Array (4 words = 16 bytes, so a hit touches one cache line for all
 * of its slot data): links, the sketch position (`spread` with the region in its low 2 bits, which
 * the sketch ignores: it only uses bits 4 and up to pick a block) and the counter hash. The two
 * list sentinels are the records after the last slot.
 *
 * Main area: probation and protected are one circular list, probation's LRU .. MRU then
 * protected's LRU .. MRU, split at `_boundary` (protected's LRU entry, or the main sentinel when
 * protected is empty). Both orders are exactly those of two separate lists; what changes is the
 * cost of Caffeine's demotion (protected's LRU entry to probation's MRU end), which every
 * probation hit of a full main area triggers: it is now a boundary step and a region write
 * instead of an unlink and an append.
 */
const enum Rec {
  NEXT = 0,
  PREV = 1,
  TAG = 2,
  COUNTER = 3,
}
const enum Bits {
  /** log2 of the record size in words */
  SHIFT = 2,
  /** the region in a tag's low bits */
  REGION = 3,
}

/**
 * An entry's sketch estimate with its held-back hits: exactly the estimate a flush would leave
 * (k conservative increments raise the item's minimum counter by k, capped at 15), without writing.
 */
function heldBackFrequency(sketch: FrequencySketch, spread: number, c: number): number {
  const f = sketch.frequencySpread(spread, c) + ((c & Pending.MASK) >>> Pending.SHIFT);
  return f < 15 ? f : 15;
}

export class WTinyLfuPolicy implements EvictionPolicy {
  readonly name = 'w-tinylfu' as const;
  readonly needsHash = true;
  readonly sketch: FrequencySketch;
  /** Records: next, prev, tag (spread | region), counter hash; sentinels at base, base + 1. */
  private _node: Int32Array;
  /** Sentinels: capacity (window), capacity+1 (main: probation then protected). */
  private _base: number;
  /** First protected slot (protected's LRU end), or the main sentinel when protected is empty. */
  private _boundary = 0;
  private _maximum = 0;
  private _windowMax = 0;
  private _protectedMax = 0;
  private _windowSize = 0;
  private _protectedSize = 0;
  private _count = 0;
  private _hitsInSample = 0;
  private _missesInSample = 0;
  private _previousHitRate = 0;
  private _stepSize = 0;
  private _adjustment = 0;
  private _samplePeriod = 10;
  private readonly _readBuffer = new Int32Array(Limit.READ_BUFFER_SIZE);
  private _readCount = 0;
  private _skip = 0;
  private readonly _dropAfterFull: number;
  /** Hits not applied to the sketch and segments (lossy read buffer). */
  droppedReads = 0;
  private readonly _evict: (slot: number) => void;
  private readonly _random: () => number;

  constructor(ctx: PolicyContext) {
    this._evict = ctx.evict;
    this._random = ctx.random;
    this._dropAfterFull = ctx.lossyReads === true ? READ_DROP : 0;
    this._base = ctx.capacity;
    this._node = new Int32Array((ctx.capacity + 2) << Bits.SHIFT);
    this.sketch = new FrequencySketch(ctx.maximum, ctx.seed);
    this.sketch.beforeHalving = () => this._flushAll();
    this.clear();
    this._setMaximum(ctx.maximum);
  }

  private _setMaximum(maximum: number): void {
    this._maximum = maximum;
    const window = maximum - Math.floor(PERCENT_MAIN * maximum);
    this._windowMax = window;
    this._protectedMax = Math.floor(PERCENT_MAIN_PROTECTED * (maximum - window));
    this._stepSize = -HILL_CLIMBER_STEP_PERCENT * maximum;
    this._samplePeriod = Math.max(10, Math.min(10 * maximum, CLIMBER_MAX_SAMPLE));
    this._adjustment = 0;
    this._hitsInSample = 0;
    this._missesInSample = 0;
    this._previousHitRate = 0;
  }

  private _region(s: number): number {
    return this._node[(s << Bits.SHIFT) | Rec.TAG]! & Bits.REGION;
  }

  // --- list helpers (circular lists: window, and main = probation + protected split at _boundary) ---
  private _unlink(s: number): void {
    const node = this._node;
    const s4 = s << Bits.SHIFT;
    const p = node[s4 | Rec.PREV]!;
    const n = node[s4 | Rec.NEXT]!;
    if (s === this._boundary) this._boundary = n;
    node[(p << Bits.SHIFT) | Rec.NEXT] = n;
    node[(n << Bits.SHIFT) | Rec.PREV] = p;
  }

  /** Links s at the MRU end of a region (and sets its region). */
  private _append(region: number, s: number): void {
    const node = this._node;
    const main = this._base + 1;
    // window: before its sentinel; probation: before the boundary; protected: before main's sentinel
    const at = region === Region.WINDOW ? this._base : region === Region.PROBATION ? this._boundary : main;
    const a4 = at << Bits.SHIFT;
    const s4 = s << Bits.SHIFT;
    const last = node[a4 | Rec.PREV]!;
    node[(last << Bits.SHIFT) | Rec.NEXT] = s;
    node[s4 | Rec.PREV] = last;
    node[s4 | Rec.NEXT] = at;
    node[a4 | Rec.PREV] = s;
    node[s4 | Rec.TAG] = (node[s4 | Rec.TAG]! & ~Bits.REGION) | region;
    if (region === Region.PROBATION) this._flush(node, s4);
    else if (region === Region.PROTECTED && this._boundary === main) this._boundary = s;
  }

  /** Least recently used slot of a region, or -1. */
  private _first(region: number): number {
    if (region === Region.WINDOW) {
      const h = this._base;
      const s = this._node[(h << Bits.SHIFT) | Rec.NEXT]!;
      return s === h ? -1 : s;
    }
    const b = this._boundary;
    if (region === Region.PROTECTED) return b === this._base + 1 ? -1 : b;
    const s = this._node[((this._base + 1) << Bits.SHIFT) | Rec.NEXT]!;
    return s === b ? -1 : s;
  }

  /** The next slot towards the MRU end of s's region, or -1 (a probation slot's list ends at the boundary). */
  private _after(s: number): number {
    const n = this._node[(s << Bits.SHIFT) | Rec.NEXT]!;
    return n >= this._base || n === this._boundary ? -1 : n;
  }

  /** Records a hit (applied in order by the next drain). */
  onHit(slot: number): void {
    if (this._skip !== 0) {
      this._skip--;
      this.droppedReads++;
      this._hitsInSample++;
      return;
    }
    const n = this._readCount;
    this._readBuffer[n] = slot;
    this._readCount = n + 1;
    if (n + 1 === Limit.READ_BUFFER_SIZE) {
      this._drain();
      this._skip = this._dropAfterFull;
    }
  }

  /**
   * Applies the recorded hits in order, exactly as if each had been applied when it happened: each
   * counts toward the sketch's aging sample at once and is held back in its record (`Pending`),
   * then moves its entry.
   */
  private _drain(): void {
    const n = this._readCount;
    const buf = this._readBuffer;
    const node = this._node;
    this._readCount = 0;
    const sketch = this.sketch;
    sketch.countSamples(n);
    const base = this._base;
    const main = base + 1;
    const m4 = main << Bits.SHIFT;
    // quiet: no climber step is due within this batch (the usual case), so the loop only counts
    const quiet =
      this._adjustment === 0 && this._hitsInSample + this._missesInSample + n < this._samplePeriod;
    let b = this._boundary;
    let protectedSize = this._protectedSize;
    let protectedMax = this._protectedMax;
    for (let i = 0; i < n; i++) {
      const slot = buf[i]!;
      const s4 = slot << Bits.SHIFT;
      const tag = node[s4 | Rec.TAG]!;
      const from = tag & Bits.REGION;
      const c = node[s4 | Rec.COUNTER]!;
      if ((c & Pending.MASK) !== Pending.MASK) node[s4 | Rec.COUNTER] = c + Pending.ONE;
      else {
        node[s4 | Rec.COUNTER] = c & ~Pending.MASK;
        sketch.addSpread(tag, c, Pending.FLUSH);
      }
      // a hit moves the entry to the MRU end of its region; probation hits go to protected
      if (from === Region.WINDOW) {
        const h4 = base << Bits.SHIFT;
        const last = node[h4 | Rec.PREV]!;
        if (last !== slot) {
          const p = node[s4 | Rec.PREV]!;
          const nx = node[s4 | Rec.NEXT]!;
          node[(p << Bits.SHIFT) | Rec.NEXT] = nx;
          node[(nx << Bits.SHIFT) | Rec.PREV] = p;
          node[(last << Bits.SHIFT) | Rec.NEXT] = slot;
          node[s4 | Rec.PREV] = last;
          node[s4 | Rec.NEXT] = base;
          node[h4 | Rec.PREV] = slot;
        }
      } else {
        // protected's MRU end is main's tail; the boundary moves on when protected's LRU entry is hit
        const nx = node[s4 | Rec.NEXT]!;
        if (slot === b) b = nx;
        const last = node[m4 | Rec.PREV]!;
        if (last !== slot) {
          const p = node[s4 | Rec.PREV]!;
          node[(p << Bits.SHIFT) | Rec.NEXT] = nx;
          node[(nx << Bits.SHIFT) | Rec.PREV] = p;
          node[(last << Bits.SHIFT) | Rec.NEXT] = slot;
          node[s4 | Rec.PREV] = last;
          node[s4 | Rec.NEXT] = main;
          node[m4 | Rec.PREV] = slot;
        }
        if (b === main) b = slot;
        if (from === Region.PROBATION) {
          node[s4 | Rec.TAG] = (tag & ~Bits.REGION) | Region.PROTECTED;
          // then what _climb() would do after this hit, in its order: the protected overflow (the
          // sample check before it only sets the adjustment) moves protected's LRU entries to
          // probation's MRU end (Caffeine's demoteFromMainProtected): the boundary steps over them
          if (++protectedSize > protectedMax) {
            for (let k = 0; k < Limit.QUEUE_TRANSFER_THRESHOLD && protectedSize > protectedMax; k++) {
              if (b === main) break;
              const d4 = b << Bits.SHIFT;
              node[d4 | Rec.TAG] = (node[d4 | Rec.TAG]! & ~Bits.REGION) | Region.PROBATION;
              b = node[d4 | Rec.NEXT]!;
              protectedSize--;
            }
          }
        }
      }
      if (
        !quiet &&
        (++this._hitsInSample + this._missesInSample >= this._samplePeriod || this._adjustment !== 0)
      ) {
        this._boundary = b;
        this._protectedSize = protectedSize;
        this._climb();
        b = this._boundary;
        protectedSize = this._protectedSize;
        protectedMax = this._protectedMax;
      }
    }
    this._boundary = b;
    this._protectedSize = protectedSize;
    if (quiet) this._hitsInSample += n;
  }

  /**
   * Moves protected's LRU entries to probation's MRU end while protected is over its maximum (at
   * most QUEUE_TRANSFER_THRESHOLD per call), as Caffeine's demoteFromMainProtected: in the merged
   * main list, the boundary steps over them.
   */
  private _demote(node: Int32Array, base: number): void {
    const main = base + 1;
    let b = this._boundary;
    let size = this._protectedSize;
    const max = this._protectedMax;
    for (let k = 0; k < Limit.QUEUE_TRANSFER_THRESHOLD && size > max; k++) {
      if (b === main) break;
      const d4 = b << Bits.SHIFT;
      node[d4 | Rec.TAG] = (node[d4 | Rec.TAG]! & ~Bits.REGION) | Region.PROBATION;
      b = node[d4 | Rec.NEXT]!;
      size--;
    }
    this._boundary = b;
    this._protectedSize = size;
  }

  onInsert(slot: number, hash: number): void {
    if (this._readCount !== 0) this._drain();
    this._skip = 0;
    const sketch = this.sketch;
    const spread = sketch.spread(hash);
    const counter = sketch.counterHash(hash);
    const node = this._node;
    const base = this._base;
    const s4 = slot << Bits.SHIFT;
    node[s4 | Rec.TAG] = spread & ~Bits.REGION; // region: window
    node[s4 | Rec.COUNTER] = counter & ~Pending.MASK; // no hits held back yet
    const wh4 = base << Bits.SHIFT; // window sentinel
    const last = node[wh4 | Rec.PREV]!;
    node[(last << Bits.SHIFT) | Rec.NEXT] = slot;
    node[s4 | Rec.PREV] = last;
    node[s4 | Rec.NEXT] = base;
    node[wh4 | Rec.PREV] = slot;
    const windowSize = ++this._windowSize;
    const count = ++this._count;
    sketch.incrementSpread(spread, counter);
    this._missesInSample++;
    if (windowSize === this._windowMax + 1 && count === this._maximum + 1) {
      // the steady state of a full cache, as _evictEntries() does it: the window's LRU entry is the
      // candidate against probation's LRU entry (the victim) and the loser leaves, with its
      // held-back hits added to the sketch (its history stays). _evictEntries() moves the candidate
      // to probation's MRU end first; a candidate that loses leaves from the window instead, which
      // changes nothing else (probation's LRU entry is the same either way, or the candidate itself
      // when probation is empty)
      const candidate = node[wh4 | Rec.NEXT]!;
      const c4 = candidate << Bits.SHIFT;
      const cn = node[c4 | Rec.NEXT]!;
      node[wh4 | Rec.NEXT] = cn;
      node[(cn << Bits.SHIFT) | Rec.PREV] = base;
      this._flush(node, c4);
      this._windowSize = windowSize - 1;
      this._count = count - 1;
      // probation's LRU entry: main's head, unless that is already the boundary (probation empty)
      const victim = node[((base + 1) << Bits.SHIFT) | Rec.NEXT]!;
      if (victim !== this._boundary && this._admit(candidate, victim)) {
        // the candidate goes to probation's MRU end, the victim leaves
        this._append(Region.PROBATION, candidate);
        this._flush(node, victim << Bits.SHIFT);
        this._unlink(victim);
        this._evict(victim);
      } else {
        this._evict(candidate); // already unlinked from the window
      }
    } else {
      this._evictEntries();
    }
    if (
      this._protectedSize > this._protectedMax ||
      this._adjustment !== 0 ||
      this._hitsInSample + this._missesInSample >= this._samplePeriod
    ) {
      this._climb(); // only when it has something to do
    }
  }

  onRemove(slot: number): void {
    if (this._readCount !== 0) this._drain();
    this._skip = 0;
    this._flush(this._node, slot << Bits.SHIFT);
    this._unlink(slot);
    const region = this._region(slot);
    if (region === Region.WINDOW) this._windowSize--;
    else if (region === Region.PROTECTED) this._protectedSize--;
    this._count--;
  }

  private _drop(slot: number): void {
    this.onRemove(slot);
    this._evict(slot);
  }

  evictOne(): boolean {
    if (this._readCount !== 0) this._drain();
    if (this._count === 0) return false;
    let victim = this._first(Region.PROBATION);
    if (victim < 0) victim = this._first(Region.PROTECTED);
    if (victim < 0) victim = this._first(Region.WINDOW);
    this._drop(victim);
    return true;
  }

  private _evictEntries(): void {
    this._evictFromMain(this._evictFromWindow());
  }

  /** Moves window overflow to probation's MRU end; returns the first moved slot (the first candidate). */
  private _evictFromWindow(): number {
    let first = -1;
    let node = this._first(Region.WINDOW);
    while (this._windowSize > this._windowMax && node >= 0) {
      const next = this._after(node);
      this._unlink(node);
      this._append(Region.PROBATION, node);
      if (first < 0) first = node;
      this._windowSize--;
      node = next;
    }
    return first;
  }

  private _evictFromMain(candidateStart: number): void {
    let victimQueue = Region.PROBATION;
    let candidateQueue = Region.PROBATION;
    let candidate = candidateStart;
    let victim = this._first(Region.PROBATION);
    while (this._count > this._maximum) {
      if (candidate < 0 && candidateQueue === Region.PROBATION) {
        candidate = this._first(Region.WINDOW);
        candidateQueue = Region.WINDOW;
      }
      if (candidate < 0 && victim < 0) {
        if (victimQueue === Region.PROBATION) {
          victim = this._first(Region.PROTECTED);
          victimQueue = Region.PROTECTED;
          continue;
        } else if (victimQueue === Region.PROTECTED) {
          victim = this._first(Region.WINDOW);
          victimQueue = Region.WINDOW;
          continue;
        }
        break;
      }
      if (victim < 0) {
        const evicted = candidate;
        candidate = this._after(candidate);
        this._drop(evicted);
        continue;
      } else if (candidate < 0) {
        const evicted = victim;
        victim = this._after(victim);
        this._drop(evicted);
        continue;
      }
      if (candidate === victim) {
        victim = this._after(victim);
        this._drop(candidate);
        candidate = -1;
        continue;
      }
      if (this._admit(candidate, victim)) {
        const evicted = victim;
        victim = this._after(victim);
        this._drop(evicted);
        candidate = this._after(candidate);
      } else {
        const evicted = candidate;
        candidate = this._after(candidate);
        this._drop(evicted);
      }
    }
  }

  /** Adds the hits a record holds back (see `_drain`) to the sketch. */
  private _flush(node: Int32Array, r4: number): void {
    const c = node[r4 | Rec.COUNTER]!;
    const k = (c & Pending.MASK) >>> Pending.SHIFT;
    if (k === 0) return;
    node[r4 | Rec.COUNTER] = c & ~Pending.MASK;
    this.sketch.addSpread(node[r4 | Rec.TAG]!, c, k);
  }

  /** Adds every record's held-back hits to the sketch (just before it halves its counters). */
  private _flushAll(): void {
    const node = this._node;
    for (let s = 0; s < this._base; s++) {
      if ((node[(s << Bits.SHIFT) | Rec.COUNTER]! & Pending.MASK) !== 0) this._flush(node, s << Bits.SHIFT);
    }
  }

  private _admit(candidate: number, victim: number): boolean {
    const sketch = this.sketch;
    const node = this._node;
    const v4 = victim << Bits.SHIFT;
    const c4 = candidate << Bits.SHIFT;
    const victimFreq = heldBackFrequency(sketch, node[v4 | Rec.TAG]!, node[v4 | Rec.COUNTER]!);
    const candidateFreq = heldBackFrequency(sketch, node[c4 | Rec.TAG]!, node[c4 | Rec.COUNTER]!);
    if (candidateFreq > victimFreq) return true;
    if (candidateFreq === victimFreq && candidateFreq >= Limit.ADMIT_TIE_THRESHOLD) return true;
    if (candidateFreq >= Limit.ADMIT_HASHDOS_THRESHOLD) return (this._random() & 127) === 0;
    return false;
  }

  // --- hill climbing ---
  private _climb(): void {
    const requests = this._hitsInSample + this._missesInSample;
    if (requests >= this._samplePeriod) this._determineAdjustment(requests);
    if (this._protectedSize > this._protectedMax) this._demoteFromProtected();
    const amount = this._adjustment;
    if (amount === 0) return;
    if (amount > 0) this._increaseWindow();
    else this._decreaseWindow();
  }

  private _determineAdjustment(requests: number): void {
    const hitRate = this._hitsInSample / requests;
    const change = hitRate - this._previousHitRate;
    const amount = change >= 0 ? this._stepSize : -this._stepSize;
    const nextStep = HILL_CLIMBER_STEP_DECAY_RATE * amount;
    this._previousHitRate = hitRate;
    this._adjustment = Math.trunc(amount);
    this._stepSize = nextStep;
    this._hitsInSample = 0;
    this._missesInSample = 0;
  }

  private _demoteFromProtected(): void {
    this._demote(this._node, this._base);
  }

  private _increaseWindow(): void {
    if (this._protectedMax === 0) {
      // nothing can move until the next sample sets a new adjustment: stop retrying on every access
      this._adjustment = 0;
      return;
    }
    let quota = Math.min(this._adjustment, this._protectedMax);
    this._protectedMax -= quota;
    this._windowMax += quota;
    this._demoteFromProtected();
    for (let i = 0; i < Limit.QUEUE_TRANSFER_THRESHOLD && quota > 0; i++) {
      let candidate = this._first(Region.PROBATION);
      let probation = true;
      if (candidate < 0) {
        candidate = this._first(Region.PROTECTED);
        probation = false;
      }
      if (candidate < 0) break;
      quota--;
      this._unlink(candidate);
      if (!probation) this._protectedSize--;
      this._append(Region.WINDOW, candidate);
      this._windowSize++;
    }
    this._protectedMax += quota;
    this._windowMax -= quota;
    this._adjustment = quota;
  }

  private _decreaseWindow(): void {
    if (this._windowMax <= 1) {
      this._adjustment = 0; // as above: the window cannot grow back before the next sample
      return;
    }
    let quota = Math.min(-this._adjustment, Math.max(0, this._windowMax - 1));
    this._protectedMax += quota;
    this._windowMax -= quota;
    for (let i = 0; i < Limit.QUEUE_TRANSFER_THRESHOLD && quota > 0; i++) {
      const candidate = this._first(Region.WINDOW);
      if (candidate < 0) break;
      quota--;
      this._windowSize--;
      this._unlink(candidate);
      this._append(Region.PROBATION, candidate);
    }
    this._protectedMax -= quota;
    this._windowMax += quota;
    this._adjustment = -quota;
  }

  setMaximum(maximum: number): void {
    if (this._readCount !== 0) this._drain();
    this._setMaximum(maximum);
    this.sketch.ensureCapacity(maximum);
    this._evictEntries();
    while (this._count > maximum && this.evictOne());
  }

  grow(capacity: number): void {
    if (this._readCount !== 0) this._drain();
    const oldBase = this._base;
    const old = this._node;
    const node = new Int32Array((capacity + 2) << Bits.SHIFT);
    const map = (v: number): number => (v >= oldBase ? v - oldBase + capacity : v);
    for (let s = 0; s < oldBase + 2; s++) {
      const t = map(s);
      const s4 = s << Bits.SHIFT;
      const t4 = t << Bits.SHIFT;
      node[t4 | Rec.NEXT] = map(old[s4 | Rec.NEXT]!);
      node[t4 | Rec.PREV] = map(old[s4 | Rec.PREV]!);
      node[t4 | Rec.TAG] = old[s4 | Rec.TAG]!;
      node[t4 | Rec.COUNTER] = old[s4 | Rec.COUNTER]!;
    }
    this._boundary = map(this._boundary);
    this._node = node;
    this._base = capacity;
  }

  order(): number[] {
    if (this._readCount !== 0) this._drain();
    const node = this._node;
    const w = this._base;
    const main = w + 1;
    const b = this._boundary;
    const prot: number[] = [];
    const prob: number[] = [];
    let inProtected = b !== main;
    for (
      let s = node[(main << Bits.SHIFT) | Rec.PREV]!;
      s !== main;
      s = node[(s << Bits.SHIFT) | Rec.PREV]!
    ) {
      (inProtected ? prot : prob).push(s);
      if (s === b) inProtected = false;
    }
    const out = prot;
    for (let s = node[(w << Bits.SHIFT) | Rec.PREV]!; s !== w; s = node[(s << Bits.SHIFT) | Rec.PREV]!) {
      out.push(s);
    }
    for (const s of prob) out.push(s);
    return out;
  }

  /** Sketch estimate (0..15) of a resident slot's popularity. */
  frequency(slot: number): number {
    if (this._readCount !== 0) this._drain();
    const s4 = slot << Bits.SHIFT;
    this._flush(this._node, s4);
    return this.sketch.frequencySpread(this._node[s4 | Rec.TAG]!, this._node[s4 | Rec.COUNTER]!);
  }

  state(): WTinyLfuState {
    if (this._readCount !== 0) this._drain();
    return {
      windowMaximum: this._windowMax,
      protectedMaximum: this._protectedMax,
      windowSize: this._windowSize,
      probationSize: this._count - this._windowSize - this._protectedSize,
      protectedSize: this._protectedSize,
      stepSize: this._stepSize,
      sketchResets: this.sketch.resets,
    };
  }

  clear(): void {
    this._readCount = 0;
    this._skip = 0;
    for (let r = 0; r < 2; r++) {
      const h = this._base + r;
      this._node[(h << Bits.SHIFT) | Rec.NEXT] = h;
      this._node[(h << Bits.SHIFT) | Rec.PREV] = h;
    }
    this._boundary = this._base + 1;
    this._windowSize = 0;
    this._protectedSize = 0;
    this._count = 0;
  }
}

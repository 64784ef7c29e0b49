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

const WINDOW = 0;
const PROBATION = 1;
const PROTECTED = 2;

const PERCENT_MAIN = 0.8;
const PERCENT_MAIN_PROTECTED = 0.8;
const CLIMBER_MAX_SAMPLE = 30_000;
const ADMIT_TIE_THRESHOLD = 3;
const HILL_CLIMBER_STEP_PERCENT = 0.0625;
const HILL_CLIMBER_STEP_DECAY_RATE = 0.98;
const QUEUE_TRANSFER_THRESHOLD = 1000;
const ADMIT_HASHDOS_THRESHOLD = 6;
/**
 * Hits recorded before they are applied. Like Caffeine's read buffer, a hit only appends the slot
 * here; the sketch increments and segment moves run in one batch when the buffer is full or before
 * anything that depends on them (an insert, a removal, an eviction, a resize, a read of the order).
 */
const READ_BUFFER_SIZE = 64;
/**
 * Opt-in lossy reads (`lossyReads`), as Caffeine's read buffer is lossy when full: in a stretch of
 * hits with no write in between, once a full buffer has been drained the next READ_DROP hits are
 * not recorded (they still count for the hill climber). A write ends the stretch. A read-only burst
 * then applies 1 hit in (1 + READ_DROP / READ_BUFFER_SIZE). Off by default: on the ARC traces with
 * long read bursts (P3, P6 at 131,072 entries) it costs about 2 points of hit ratio.
 */
const READ_DROP = 3 * READ_BUFFER_SIZE;

export interface WTinyLfuState {
  windowMaximum: number;
  protectedMaximum: number;
  windowSize: number;
  probationSize: number;
  protectedSize: number;
  stepSize: number;
  sketchResets: number;
}

export class WTinyLfuPolicy implements EvictionPolicy {
  readonly name = 'w-tinylfu' as const;
  readonly needsHash = true;
  readonly sketch: FrequencySketch;
  private _next: Int32Array;
  private _prev: Int32Array;
  private _region: Uint8Array;
  /** Sentinels: capacity (window), capacity+1 (probation), capacity+2 (protected). */
  private _base: number;
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
  /** Per slot s: the key's sketch spread at 2s and counter hash at 2s+1 (computed once, on insert). */
  private _sk: Int32Array;
  private readonly _readBuffer = new Int32Array(READ_BUFFER_SIZE);
  private _readCount = 0;
  private _skip = 0;
  private readonly _dropAfterFull: number;
  /** Hits not applied to the sketch and segments (lossy read buffer). */
  droppedReads = 0;
  private readonly _evict: (slot: number) => void;
  private readonly _random: () => number;

  constructor(ctx: PolicyContext) {
    this._sk = new Int32Array(2 * ctx.capacity);
    this._evict = ctx.evict;
    this._random = ctx.random;
    this._dropAfterFull = ctx.lossyReads === true ? READ_DROP : 0;
    this._base = ctx.capacity;
    this._next = new Int32Array(ctx.capacity + 3);
    this._prev = new Int32Array(ctx.capacity + 3);
    this._region = new Uint8Array(ctx.capacity);
    this.sketch = new FrequencySketch(ctx.maximum, ctx.seed);
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

  // --- list helpers (circular lists with one sentinel per region) ---
  private _unlink(s: number): void {
    const p = this._prev[s]!;
    const n = this._next[s]!;
    this._next[p] = n;
    this._prev[n] = p;
  }

  private _append(region: number, s: number): void {
    const h = this._base + region;
    const last = this._prev[h]!;
    this._next[last] = s;
    this._prev[s] = last;
    this._next[s] = h;
    this._prev[h] = s;
    this._region[s] = region;
  }

  /** Least recently used slot of a region, or -1. */
  private _first(region: number): number {
    const h = this._base + region;
    const s = this._next[h]!;
    return s === h ? -1 : s;
  }

  private _after(s: number): number {
    const n = this._next[s]!;
    return n >= this._base ? -1 : n;
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
    if (n + 1 === READ_BUFFER_SIZE) {
      this._drain();
      this._skip = this._dropAfterFull;
    }
  }

  /**
   * Applies the recorded hits in order, exactly as if each had been applied when it happened: all
   * sketch increments first (a short loop whose memory accesses overlap), then the segment moves
   * (which never read the sketch).
   */
  private _drain(): void {
    const n = this._readCount;
    const buf = this._readBuffer;
    const sk = this._sk;
    const sketch = this.sketch;
    this._readCount = 0;
    for (let i = 0; i < n; i++) {
      const s2 = buf[i]! << 1;
      sketch.incrementSpread(sk[s2]!, sk[s2 + 1]!);
    }
    for (let i = 0; i < n; i++) this._applyHit(buf[i]!);
  }

  private _applyHit(slot: number): void {
    const region = this._region[slot]!;
    this._unlink(slot);
    if (region === PROBATION) {
      this._append(PROTECTED, slot);
      this._protectedSize++;
    } else {
      this._append(region, slot);
    }
    this._hitsInSample++;
    this._climb();
  }

  onInsert(slot: number, hash: number): void {
    if (this._readCount !== 0) this._drain();
    this._skip = 0;
    const sketch = this.sketch;
    const spread = sketch.spread(hash);
    const counter = sketch.counterHash(hash);
    this._sk[slot << 1] = spread;
    this._sk[(slot << 1) + 1] = counter;
    this._append(WINDOW, slot);
    this._windowSize++;
    this._count++;
    sketch.incrementSpread(spread, counter);
    this._missesInSample++;
    this._evictEntries();
    this._climb();
  }

  onRemove(slot: number): void {
    if (this._readCount !== 0) this._drain();
    this._skip = 0;
    this._unlink(slot);
    const region = this._region[slot]!;
    if (region === WINDOW) this._windowSize--;
    else if (region === PROTECTED) this._protectedSize--;
    this._count--;
  }

  private _drop(slot: number): void {
    this.onRemove(slot);
    this._evict(slot);
  }

  evictOne(): boolean {
    if (this._readCount !== 0) this._drain();
    if (this._count === 0) return false;
    let victim = this._first(PROBATION);
    if (victim < 0) victim = this._first(PROTECTED);
    if (victim < 0) victim = this._first(WINDOW);
    this._drop(victim);
    return true;
  }

  private _evictEntries(): void {
    this._evictFromMain(this._evictFromWindow());
  }

  /** Moves window overflow to probation's MRU end; returns the first moved slot (the first candidate). */
  private _evictFromWindow(): number {
    let first = -1;
    let node = this._first(WINDOW);
    while (this._windowSize > this._windowMax && node >= 0) {
      const next = this._after(node);
      this._unlink(node);
      this._append(PROBATION, node);
      if (first < 0) first = node;
      this._windowSize--;
      node = next;
    }
    return first;
  }

  private _evictFromMain(candidateStart: number): void {
    let victimQueue = PROBATION;
    let candidateQueue = PROBATION;
    let candidate = candidateStart;
    let victim = this._first(PROBATION);
    while (this._count > this._maximum) {
      if (candidate < 0 && candidateQueue === PROBATION) {
        candidate = this._first(WINDOW);
        candidateQueue = WINDOW;
      }
      if (candidate < 0 && victim < 0) {
        if (victimQueue === PROBATION) {
          victim = this._first(PROTECTED);
          victimQueue = PROTECTED;
          continue;
        } else if (victimQueue === PROTECTED) {
          victim = this._first(WINDOW);
          victimQueue = WINDOW;
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

  private _admit(candidate: number, victim: number): boolean {
    const sketch = this.sketch;
    const sk = this._sk;
    const victimFreq = sketch.frequencySpread(sk[victim << 1]!, sk[(victim << 1) + 1]!);
    const candidateFreq = sketch.frequencySpread(sk[candidate << 1]!, sk[(candidate << 1) + 1]!);
    if (candidateFreq > victimFreq) return true;
    if (candidateFreq === victimFreq && candidateFreq >= ADMIT_TIE_THRESHOLD) return true;
    if (candidateFreq >= ADMIT_HASHDOS_THRESHOLD) return (this._random() & 127) === 0;
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
    for (let i = 0; i < QUEUE_TRANSFER_THRESHOLD && this._protectedSize > this._protectedMax; i++) {
      const demoted = this._first(PROTECTED);
      if (demoted < 0) break;
      this._unlink(demoted);
      this._append(PROBATION, demoted);
      this._protectedSize--;
    }
  }

  private _increaseWindow(): void {
    if (this._protectedMax === 0) return;
    let quota = Math.min(this._adjustment, this._protectedMax);
    this._protectedMax -= quota;
    this._windowMax += quota;
    this._demoteFromProtected();
    for (let i = 0; i < QUEUE_TRANSFER_THRESHOLD && quota > 0; i++) {
      let candidate = this._first(PROBATION);
      let probation = true;
      if (candidate < 0) {
        candidate = this._first(PROTECTED);
        probation = false;
      }
      if (candidate < 0) break;
      quota--;
      this._unlink(candidate);
      if (!probation) this._protectedSize--;
      this._append(WINDOW, candidate);
      this._windowSize++;
    }
    this._protectedMax += quota;
    this._windowMax -= quota;
    this._adjustment = quota;
  }

  private _decreaseWindow(): void {
    if (this._windowMax <= 1) return;
    let quota = Math.min(-this._adjustment, Math.max(0, this._windowMax - 1));
    this._protectedMax += quota;
    this._windowMax -= quota;
    for (let i = 0; i < QUEUE_TRANSFER_THRESHOLD && quota > 0; i++) {
      const candidate = this._first(WINDOW);
      if (candidate < 0) break;
      quota--;
      this._windowSize--;
      this._unlink(candidate);
      this._append(PROBATION, candidate);
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
    const next = new Int32Array(capacity + 3);
    const prev = new Int32Array(capacity + 3);
    const map = (v: number): number => (v >= oldBase ? v - oldBase + capacity : v);
    for (let s = 0; s < oldBase + 3; s++) {
      const t = s >= oldBase ? s - oldBase + capacity : s;
      next[t] = map(this._next[s]!);
      prev[t] = map(this._prev[s]!);
    }
    const region = new Uint8Array(capacity);
    region.set(this._region);
    const sk = new Int32Array(2 * capacity);
    sk.set(this._sk);
    this._sk = sk;
    this._next = next;
    this._prev = prev;
    this._region = region;
    this._base = capacity;
  }

  order(): number[] {
    if (this._readCount !== 0) this._drain();
    const out: number[] = [];
    for (const region of [PROTECTED, WINDOW, PROBATION]) {
      const h = this._base + region;
      for (let s = this._prev[h]!; s !== h; s = this._prev[s]!) out.push(s);
    }
    return out;
  }

  /** Sketch estimate (0..15) of a resident slot's popularity. */
  frequency(slot: number): number {
    if (this._readCount !== 0) this._drain();
    return this.sketch.frequencySpread(this._sk[slot << 1]!, this._sk[(slot << 1) + 1]!);
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
    for (let r = 0; r < 3; r++) {
      this._next[this._base + r] = this._base + r;
      this._prev[this._base + r] = this._base + r;
    }
    this._windowSize = 0;
    this._protectedSize = 0;
    this._count = 0;
  }
}

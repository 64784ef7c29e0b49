/**
 * The contract between a cache and its eviction policy. A policy orders *slots* (small integers the
 * cache allocates per entry) in typed arrays, so the same policy object serves the in-process cache
 * and the trace simulator, and no per-entry objects are allocated.
 */
export type PolicyName = 'lru' | 'lfu' | 'w-tinylfu';

/** Names accepted in options: the sketch's `lru_with_frequency` is W-TinyLFU. */
export type PolicyOption = PolicyName | 'lru_with_frequency' | 'tinylfu';

export function normalizePolicy(name: PolicyOption): PolicyName {
  return name === 'lru_with_frequency' || name === 'tinylfu' ? 'w-tinylfu' : name;
}

export interface EvictionPolicy {
  readonly name: PolicyName;
  /** True when the policy uses key hashes (the cache then hashes keys on insert). */
  readonly needsHash: boolean;
  /** A resident slot was read (or overwritten). */
  onHit(slot: number): void;
  /** A new slot was filled (hash: seeded key hash, or 0); the policy may evict through the callback, even this slot. */
  onInsert(slot: number, hash: number): void;
  /** The cache removed the slot (delete / expiry): unlink it without calling back. */
  onRemove(slot: number): void;
  /** Evicts the policy's next victim through the callback (byte bound); false when empty. */
  evictOne(): boolean;
  /** Changes the entry bound; evicts through the callback when shrinking. */
  setMaximum(maximum: number): void;
  /** Grows the slot arrays (slots keep their numbers). */
  grow(capacity: number): void;
  /** Slots from the most likely to stay to the next victim (for dumps and tests). */
  order(): number[];
  clear(): void;
}

export interface PolicyContext {
  /** Number of slots the cache may use (maximum + 1). */
  capacity: number;
  maximum: number;
  /** Called with a slot the policy has already unlinked and wants the cache to drop. */
  evict: (slot: number) => void;
  /** Seeded uint32 source (admission randomness) and the sketch's secret seed. */
  random: () => number;
  seed: number;
  /** W-TinyLFU: drop 3 of 4 hits in long write-free runs (default false: every hit is applied). */
  lossyReads?: boolean;
}

export function growInt32(a: Int32Array, size: number, fill = 0): Int32Array {
  const b = new Int32Array(size);
  if (fill !== 0) b.fill(fill);
  b.set(a.subarray(0, Math.min(a.length, size)));
  return b;
}

/**
 * Belady's MIN (the offline optimum for a cache of equal-sized entries): on a miss with a full cache,
 * evict the resident key whose next use is farthest in the future. Exact: next uses are precomputed
 * in one backward pass; resident keys sit in a max-heap of next-use positions with lazy deletion
 * (an entry is stale once its position has been reached). The requested key is always admitted
 * (demand paging), which is the variant the reference table uses.
 */
import { type Trace } from './trace.js';

export function beladyHits(trace: Trace, size: number): number {
  const { keys, unique } = trace;
  const n = keys.length;
  const nextUse = new Int32Array(n);
  const last = new Int32Array(unique).fill(-1);
  for (let i = n - 1; i >= 0; i--) {
    const k = keys[i]!;
    // never used again: n + key, unique and larger than any real position
    nextUse[i] = last[k]! >= 0 ? last[k]! : n + k;
    last[k] = i;
  }
  const resident = new Uint8Array(unique);
  const heap = new Int32Array(n + unique + 1);
  let heapSize = 0;
  const push = (v: number): void => {
    let i = heapSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p]! >= v) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = v;
  };
  const pop = (): number => {
    const top = heap[0]!;
    const v = heap[--heapSize]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= heapSize) break;
      if (c + 1 < heapSize && heap[c + 1]! > heap[c]!) c++;
      if (heap[c]! <= v) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = v;
    return top;
  };
  let count = 0;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    if (resident[k] === 1) {
      hits++;
    } else {
      if (count >= size) {
        for (;;) {
          const p = pop();
          if (p < n && p <= i) continue; // stale: that use already happened
          resident[p >= n ? p - n : keys[p]!] = 0;
          count--;
          break;
        }
      }
      resident[k] = 1;
      count++;
    }
    push(nextUse[i]!);
  }
  return hits;
}

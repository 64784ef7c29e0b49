// Hand-written: a growable ring buffer gives O(1) push/shift with no per-item allocation; JS arrays
// make shift() O(n) past a size and the well-kept deque packages add a dependency for 60 lines.

/** A double-ended queue on a power-of-two ring buffer. */
export class Deque<T> {
  private _buf: (T | undefined)[];
  private _head = 0;
  private _size = 0;
  private _mask: number;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this._buf = new Array<T | undefined>(cap);
    this._mask = cap - 1;
  }

  get length(): number {
    return this._size;
  }

  push(value: T): void {
    if (this._size === this._buf.length) this._grow();
    this._buf[(this._head + this._size) & this._mask] = value;
    this._size++;
  }

  unshift(value: T): void {
    if (this._size === this._buf.length) this._grow();
    this._head = (this._head - 1) & this._mask;
    this._buf[this._head] = value;
    this._size++;
  }

  peek(): T | undefined {
    return this._size === 0 ? undefined : this._buf[this._head];
  }

  shift(): T | undefined {
    if (this._size === 0) return undefined;
    const value = this._buf[this._head];
    this._buf[this._head] = undefined;
    this._head = (this._head + 1) & this._mask;
    this._size--;
    return value;
  }

  /** Keeps only the items for which `keep` is true, in order. O(n). */
  filter(keep: (value: T) => boolean): void {
    const items: T[] = [];
    for (let i = 0; i < this._size; i++) {
      const v = this._buf[(this._head + i) & this._mask] as T;
      if (keep(v)) items.push(v);
    }
    this._buf.fill(undefined);
    this._head = 0;
    this._size = 0;
    for (const v of items) this.push(v);
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this._size; i++) yield this._buf[(this._head + i) & this._mask] as T;
  }

  private _grow(): void {
    const old = this._buf;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this._size; i++) next[i] = old[(this._head + i) & this._mask];
    this._buf = next;
    this._head = 0;
    this._mask = next.length - 1;
  }
}

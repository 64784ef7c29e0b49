/**
 * Cheap approximate size in bytes of a JavaScript value (UTF-16 strings, 8-byte numbers, object
 * overheads), walked to a bounded depth. Used for byte bounds and level selection, where encoding
 * every value just to measure it would cost more than the cache saves.
 */
export function estimateSize(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return 16 + 2 * value.length;
    case 'number':
    case 'bigint':
      return 8;
    case 'boolean':
    case 'undefined':
      return 4;
    case 'object': {
      if (value === null) return 4;
      if (ArrayBuffer.isView(value)) return 32 + value.byteLength;
      if (value instanceof ArrayBuffer) return 32 + value.byteLength;
      if (depth > 8) return 64;
      let n = 32;
      if (Array.isArray(value)) {
        for (const v of value) n += 8 + estimateSize(v, depth + 1);
        return n;
      }
      if (value instanceof Map) {
        for (const [k, v] of value) n += 16 + estimateSize(k, depth + 1) + estimateSize(v, depth + 1);
        return n;
      }
      if (value instanceof Set) {
        for (const v of value) n += 16 + estimateSize(v, depth + 1);
        return n;
      }
      if (value instanceof Date) return 40;
      for (const k in value) {
        n += 16 + 2 * k.length + estimateSize((value as Record<string, unknown>)[k], depth + 1);
      }
      return n;
    }
    default:
      return 32;
  }
}

/**
 * Gives String.prototype back its fast (descriptor) layout after @redis/client has turned it into a
 * dictionary.
 *
 * @redis/client declares `class VerbatimString extends String`. Making String.prototype the
 * prototype of another object normalizes it to dictionary mode, and V8 only turns a prototype back
 * into a fast object when a property lookup goes *through* it from an object (a lookup on a string
 * primitive, which is every `s.charCodeAt`, `s.slice`, `s.toLowerCase` ... does not count). Until
 * then every string method call in optimized code is a generic property lookup instead of a
 * constant: with @keyv/redis loaded, hashing a 7-character key took 158 ns instead of 24, and the
 * OpenAI SDK over undici spent ~30% more CPU per request (1.13-1.15 -> 1.47-1.52 ms,
 * `packages/llm/benchmark/cycleBreakdown.ts` with `--import @keyv/redis`). Every process that uses
 * a Redis tier of @hp/cache loads @redis/client, so the cache module that imports it calls this.
 *
 * What it does is a plain property read through an object whose prototype is String.prototype,
 * from a function that has had its feedback vector allocated (V8 allocates it after a few calls):
 * the read goes through the load IC, which marks the prototypes on the way as "should be fast" and
 * migrates them. Nothing observable changes (same properties, same values); on an engine that does
 * not do this the call is a no-op.
 */
export function restoreFastStringPrototype(): void {
  const probe = Object.create(String.prototype) as { valueOf: unknown };
  for (let i = 0; i < 32; i++) readValueOf(probe);
}

function readValueOf(o: { valueOf: unknown }): unknown {
  return o.valueOf;
}

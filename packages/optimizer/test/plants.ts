import { mulberry32 } from '../src/index.js';

/** Seeded standard normal (Box-Muller). */
export function gaussian(seed: number): () => number {
  const r = mulberry32(seed);
  return () => {
    const u = Math.max(r(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  };
}

/**
 * A closed queueing plant: `capacity` servers, service time `service` s. With `c` requests in flight,
 * throughput = min(c, capacity) / service and latency = service * max(1, c / capacity) (Little's law:
 * past the knee, extra requests only queue). Optional provider rate limit (req/s): above it, 429s.
 */
export function queueingPlant(opts: {
  capacity: number;
  service: number;
  rateLimit?: number;
  noise?: number;
  seed?: number;
}) {
  const n = gaussian(opts.seed ?? 1);
  return (c: number) => {
    const latency = opts.service * Math.max(1, c / opts.capacity) * (1 + (opts.noise ?? 0.02) * n());
    const offered = Math.min(c, opts.capacity) / opts.service;
    const limited = opts.rateLimit !== undefined && offered > opts.rateLimit;
    const throughput = limited ? opts.rateLimit! : offered;
    return { latency, throughput, rejected: limited ? offered - opts.rateLimit! : 0 };
  };
}

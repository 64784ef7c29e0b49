import { seededRng } from '@hp/async';
import { hashParts } from './random.js';

/**
 * A deterministic unit vector for (model, text): coordinates drawn from a normal distribution seeded by a hash of
 * both, then normalised to length 1. Same input, same vector; different inputs, nearly orthogonal vectors.
 */
export function embeddingVector(model: string, text: string, dimensions: number): Float32Array {
  const rng = seededRng(hashParts('embedding', model, text));
  const out = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i += 2) {
    let u = rng();
    while (u <= Number.EPSILON) u = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * rng();
    const a = r * Math.cos(theta);
    out[i] = a;
    norm += a * a;
    if (i + 1 < dimensions) {
      const b = r * Math.sin(theta);
      out[i + 1] = b;
      norm += b * b;
    }
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dimensions; i++) out[i] = out[i]! * scale;
  return out;
}

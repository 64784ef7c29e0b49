/**
 * Gini coefficient of a list of non-negative values, exactly as Mesa's Boltzmann tutorial computes it:
 * sort x ascending, B = sum(x_i * (N - i)) / (N * sum(x)), G = 1 + 1/N - 2B. 0 = perfect equality.
 */
export function gini(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return 0;
  const x = Float64Array.from(values).sort();
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    total += x[i]!;
    weighted += x[i]! * (n - i);
  }
  if (total === 0) return 0;
  return 1 + 1 / n - (2 * weighted) / (n * total);
}
